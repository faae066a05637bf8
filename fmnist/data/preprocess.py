"""Bring any picture to the look of Fashion-MNIST: a (28, 28) float32 in [0, 1], a light object on dark.

Three doors lead in: `from_bytes` (or `read_upload`, which also gives a thumbnail) for uploaded files,
checked and decoded small by `fmnist.data.uploads`; `from_canvas` for RGBA drawings; `from_array` for numpy
arrays. All of them end in `to_dataset_look`, the geometry Fashion-MNIST itself was made with. Every refusal
is an `ImageError` whose message can be shown to a person as it is.

Each door also takes an optional `steps` dict that it fills with the intermediate pictures, for teaching
(fmnist.inside.pipeline_steps draws them): "given" (uploads: the upright picture), "grey" (float, 0..1),
"polarity" (light object on 0), "cropped" (the object's bounding box), "model_input" (the result).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops

from fmnist.data import drawing, uploads
from fmnist.data.uploads import (  # noqa: F401  (re-exported: the upload rules and messages are part of this API)
    ALLOWED_FORMATS,
    DAMAGED,
    FORMATS_HINT,
    MAX_JPEG_PIXELS,
    MAX_PIXELS,
    MAX_UPLOAD_BYTES,
    NOT_A_PICTURE,
    THUMBNAIL_SIZE,
    TOO_MANY_PIXELS,
    UPLOAD_EXTENSIONS,
    ImageError,
)

SIZE = 28
# Differences from the background smaller than this (on a 0..1 scale) are not an object.
MIN_CONTRAST = 0.04
# A pixel belongs to the object's bounding box when it is this bright relative to the brightest.
# In pictures no larger than 28×28 every visible pixel counts, as in the dataset's own trimming; in
# larger pictures faint fringes are JPEG ringing or blur, and 0.15 ignores them.
BOX_THRESHOLD_SMALL = 0.02
BOX_THRESHOLD = 0.15
# A canvas pixel counts as drawn when it differs from the background by this much.
CANVAS_THRESHOLD = 0.1

INVALID = "The picture contains invalid values (not-a-number or infinity)."


@dataclass(frozen=True)
class Upload:
    """An uploaded picture read once: what the model sees and what the user sees."""

    # The (28, 28) float32 in [0, 1] the model gets.
    image: np.ndarray
    # The upload as the user sees it (upright, in colour), uint8 RGB or RGBA, at most THUMBNAIL_SIZE on its longest side.
    thumbnail: np.ndarray


def from_bytes(data: bytes, steps: dict | None = None) -> np.ndarray:
    """Decode an uploaded file (see fmnist.data.uploads for the checks) and bring it to the dataset's look."""
    if steps is None:
        return from_array(uploads.decode(data).pixels)
    decoded = uploads.decode(data, thumbnail_size=THUMBNAIL_SIZE)
    steps["given"] = decoded.thumbnail
    return from_array(decoded.pixels, steps)


def read_upload(data: bytes, thumbnail_size: int = THUMBNAIL_SIZE) -> Upload:
    """Decode an uploaded file once: the 28×28 the model gets and a thumbnail made from the same decoded picture."""
    decoded = uploads.decode(data, thumbnail_size=thumbnail_size)
    return Upload(from_array(decoded.pixels), decoded.thumbnail)


def from_canvas(rgba: np.ndarray, steps: dict | None = None) -> np.ndarray:
    """Turn a drawing (H, W, 4) RGBA, any stroke colour on any background, into the dataset's look.

    The background colour is the median of the outermost ring of pixels. A
    pixel's ink is how far its alpha-premultiplied colour is from it, in the
    channel where it differs most: black on white, white on black and red on
    transparent all become the same light drawing on a dark background.
    """
    pixels = _numeric_array(rgba, "The drawing")
    if pixels.ndim != 3 or pixels.shape[2] not in (3, 4) or 0 in pixels.shape:
        raise ImageError("The drawing must be an RGBA picture of shape (height, width, 4).")
    if pixels.shape[0] * pixels.shape[1] > MAX_PIXELS:
        raise ImageError.of("image_too_many_pixels", **uploads.PIXEL_LIMITS)
    if pixels.dtype != np.uint8:
        pixels = np.rint(_to_unit_range(pixels) * 255).astype(np.uint8)
    background = tuple(int(v) for v in np.median(_ring(pixels), axis=0))
    if len(background) == 4 and background[3] == 0:
        # On a transparent background the premultiplied difference is exactly the alpha channel.
        ink = np.ascontiguousarray(pixels[..., 3])
    else:
        image = Image.fromarray(np.ascontiguousarray(pixels))
        if len(background) == 4 and (background[3] < 255 or pixels[..., 3].min() < 255):
            # Premultiplied colours give every fully transparent pixel the same colour.
            image = image.convert("RGBa")
            alpha = background[3]
            background = (*((v * alpha + 127) // 255 for v in background[:3]), alpha)
        difference = ImageChops.difference(image, Image.new(image.mode, image.size, background))
        ink = difference.getchannel(0)
        for band in difference.split()[1:]:
            ink = ImageChops.lighter(ink, band)
        ink = np.asarray(ink)
    if ink.max() < CANVAS_THRESHOLD * 255:
        raise ImageError.of("drawing_empty")
    if steps is not None:
        steps["given"] = pixels
        steps["grey"] = ink.astype(np.float32) / 255.0
    # An outline becomes a solid garment, as the dataset's are (see drawing.fill_outlines).
    ink = drawing.fill_outlines(ink, CANVAS_THRESHOLD * 255)
    if steps is not None:
        steps["polarity"] = ink.astype(np.float32) / 255.0
    # The ink is already light on a background of 0, so only the crop and fit of `to_dataset_look` remain.
    return _crop_and_fit(ink, CANVAS_THRESHOLD * 255, steps)


def from_array(array, steps: dict | None = None) -> np.ndarray:
    """Bring a 2-D grayscale or a 3-D RGB/RGBA array (any numeric dtype, any range) to the dataset's look.

    uint8 is read as 0..255 and floats already in 0..1 as they are; any other
    range is scaled from its own minimum and maximum. Transparency is flattened
    onto a backdrop that contrasts with the visible content (see `_flatten_alpha`).
    """
    pixels = _numeric_array(array, "The picture")
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] not in (2, 3, 4)):
        raise ImageError(
            "The picture must be a 2-D grayscale array or a 3-D array with 1, 2, 3 or 4 channels, "
            f"not one of shape {tuple(pixels.shape)}."
        )
    if pixels.size == 0:
        raise ImageError("The picture is empty: it has no pixels.")
    if pixels.shape[0] * pixels.shape[1] > MAX_PIXELS:
        raise ImageError.of("image_too_many_pixels", **uploads.PIXEL_LIMITS)
    unit = _to_unit_range(pixels)
    if unit.ndim == 2:
        return to_dataset_look(unit, steps)
    channels = unit.shape[2]
    gray = unit[..., 0] * 0.299 + unit[..., 1] * 0.587 + unit[..., 2] * 0.114 if channels in (3, 4) else unit[..., 0]
    if channels in (2, 4):
        gray = _flatten_alpha(gray, unit[..., -1])
    return to_dataset_look(gray, steps)


def to_dataset_look(gray: np.ndarray, steps: dict | None = None) -> np.ndarray:
    """Apply the geometry shared by every path to a 2-D float image in [0, 1].

    1. Background level and noise: median and median absolute deviation of the outermost ring of pixels.
    2. Polarity: pixels that differ clearly from the background vote with their difference; an object
       darker than its background (a garment on white) is inverted to be light on dark.
    3. The background level is subtracted, so the background is 0.
    4. Crop to the bounding box of the pixels above the noise and brighter than 2% of the brightest in
       pictures of at most 28×28, or 15% in larger ones (JPEG ringing and blur stay below that); in
       pictures over 56 pixels, lone pixels without a bright neighbour are ignored.
    5. As in Fashion-MNIST, the longest side fills all 28 pixels (the dataset leaves no margin), the
       other is centred with the odd pixel of margin on the top/left like most of the dataset, and
       resizing uses Lanczos.
    6. Stretch so the brightest pixel is 1.0 (as in most of the dataset's images), clip to [0, 1].
    """
    image = np.asarray(gray, dtype=np.float32)
    if image.ndim != 2 or image.size == 0:
        raise ImageError("The picture must be a non-empty 2-D grayscale image.")
    if not (np.isfinite(image.min()) and np.isfinite(image.max())):
        raise ImageError(INVALID)
    ring = _ring(image)
    background = float(np.median(ring))
    noise = 1.4826 * float(np.median(np.abs(ring - background)))
    floor = max(MIN_CONTRAST, 4.0 * noise)
    deviation = image - np.float32(background)
    strong = deviation[np.abs(deviation) > floor]
    if strong.size == 0:
        raise ImageError.of("image_blank")
    if steps is not None:
        steps["grey"] = image
    if strong.sum() < 0:
        deviation = np.negative(deviation, out=deviation)
    ink = np.maximum(deviation, 0, out=deviation)
    if steps is not None:
        steps["polarity"] = ink
    return _crop_and_fit(ink, 4.0 * noise, steps)


def _crop_and_fit(ink: np.ndarray, floor: float, steps: dict | None = None) -> np.ndarray:
    """Crop a light-on-zero image to its object, fit it into 28×28 and stretch it (steps 4 to 6 above)."""
    relative = BOX_THRESHOLD if max(ink.shape) > SIZE else BOX_THRESHOLD_SMALL
    mask = ink > max(relative * float(ink.max()), floor)
    top, bottom, left, right = _bounding_box(mask, ignore_lone_pixels=min(ink.shape) > 2 * SIZE)
    if steps is not None:
        steps["cropped"] = ink[top:bottom, left:right]
    out = _fit(ink[top:bottom, left:right].astype(np.float32))
    brightest = float(out.max())
    if brightest <= 0:
        raise ImageError.of("image_blank")
    out *= np.float32(1.0 / brightest)
    np.clip(out, 0.0, 1.0, out=out)
    out = np.ascontiguousarray(out, dtype=np.float32)
    if steps is not None:
        steps["model_input"] = out
    return out


def _numeric_array(array, what: str) -> np.ndarray:
    """Return `array` as a numpy array of numbers, refusing anything else."""
    try:
        pixels = np.asarray(array)
    except Exception:
        raise ImageError(f"{what} must be an array of numbers.") from None
    if pixels.dtype.kind not in "biuf":
        raise ImageError(f"{what} must hold numbers (integers or floats), not {pixels.dtype.name} values.")
    return pixels


def _to_unit_range(pixels: np.ndarray) -> np.ndarray:
    """Scale an array of numbers to float32 in [0, 1]: uint8 by 255, other ranges by their own span."""
    if pixels.dtype == np.uint8:
        return pixels.astype(np.float32) * np.float32(1 / 255)
    if pixels.dtype == np.bool_:
        return pixels.astype(np.float32)
    values = pixels.astype(np.float64)
    if not np.isfinite(values).all():
        raise ImageError(INVALID)
    low, high = float(values.min()), float(values.max())
    if pixels.dtype.kind == "f" and low >= 0.0 and high <= 1.0:
        return values.astype(np.float32)
    if low == high:
        return np.zeros(values.shape, dtype=np.float32)
    # Dividing by the largest magnitude first keeps the span finite for values near the float limit.
    magnitude = max(abs(low), abs(high))
    values /= magnitude
    low, high = low / magnitude, high / magnitude
    return np.clip((values - low) / (high - low), 0.0, 1.0).astype(np.float32)


def _flatten_alpha(gray: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Composite a gray image with transparency onto a backdrop, returning a 2-D image.

    The backdrop is white, as in the product photos Fashion-MNIST was made
    from, so a dark garment on a transparent background behaves like one on
    white and a white shirt stays dim as in the dataset. Only when the visible
    content is almost white (nothing in it darker than 0.75 once on white)
    would it vanish on white; then it is put on black instead.
    """
    if alpha.min() >= 0.99:
        return gray
    on_white = gray * alpha + (1.0 - alpha)
    return gray * alpha if float(on_white.min()) > 0.75 else on_white


def _ring(image: np.ndarray) -> np.ndarray:
    """Return the outermost ring of pixels (for a 2-D image, a 1-D array; else one row per pixel)."""
    if image.shape[0] <= 2 or image.shape[1] <= 2:
        return image.reshape((-1, *image.shape[2:]))
    return np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])


def _bounding_box(mask: np.ndarray, ignore_lone_pixels: bool) -> tuple[int, int, int, int]:
    """Return (top, bottom, left, right) of the True pixels, optionally ignoring lone ones."""
    if ignore_lone_pixels:
        # A pixel is kept when one of its horizontal or vertical neighbours is also set.
        kept = np.zeros_like(mask)
        pairs = mask[:, 1:] & mask[:, :-1]
        kept[:, 1:] |= pairs
        kept[:, :-1] |= pairs
        pairs = mask[1:] & mask[:-1]
        kept[1:] |= pairs
        kept[:-1] |= pairs
        if kept.any():
            mask = kept
    rows = np.flatnonzero(mask.any(axis=1))
    columns = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise ImageError.of("image_blank")
    return int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1


def _fit(crop: np.ndarray) -> np.ndarray:
    """Resize so the longest side is 28 pixels and centre the result in a 28×28 frame."""
    height, width = crop.shape
    scale = SIZE / max(height, width)
    new_height = min(SIZE, max(1, round(height * scale)))
    new_width = min(SIZE, max(1, round(width * scale)))
    resized = crop
    if (new_height, new_width) != (height, width):
        # Resizing in float mode "F" loses no grey levels; reducing_gap starts a big shrink with a fast box
        # reduction before Lanczos.
        image = Image.fromarray(np.ascontiguousarray(crop, dtype=np.float32))
        resized = np.asarray(image.resize((new_width, new_height), Image.LANCZOS, reducing_gap=3.0))
    out = np.zeros((SIZE, SIZE), dtype=np.float32)
    top = (SIZE - new_height + 1) // 2
    left = (SIZE - new_width + 1) // 2
    out[top : top + new_height, left : left + new_width] = resized
    return out
