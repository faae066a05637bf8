"""The way in, step by step: pictures of what preprocessing does to an input, for teaching.

`fmnist.preprocess` turns a picture into the 28×28 image the model gets in one call. To show a
learner how, these functions redraw its stages as pictures: the picture as given, grey, polarity
fixed (a light object on a black background), cropped to the object, and the 28×28 result. The last
picture is always what `preprocess` itself returned; the stages before it follow the steps that
`preprocess.to_dataset_look` documents, on a copy shrunk for display. Input is validated by
`preprocess` first, so an upload it refuses is refused here with the same message.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from fmnist import preprocess

# Pictures in the strip are at most this many pixels on their longest side.
DISPLAY_SIZE = 192
# The same thresholds preprocess uses: a clear difference from the background, the bounding box level.
MIN_CONTRAST = preprocess.MIN_CONTRAST
BOX_THRESHOLD = preprocess.BOX_THRESHOLD
STEP_KEYS = ("given", "grey", "polarity", "cropped", "model_input")


@dataclass(frozen=True)
class Step:
    """One picture of the strip."""

    key: str  # Which stage: one of STEP_KEYS.
    image: np.ndarray  # uint8 pixels: (H, W) grey, or (H, W, 3/4) for the picture as given.


def _unit_to_uint8(image: np.ndarray) -> np.ndarray:
    return (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)


def _ring(image: np.ndarray) -> np.ndarray:
    return np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])


def _stages(gray: np.ndarray, rgb: np.ndarray, final: np.ndarray) -> list[Step]:
    """The strip for a grey picture in [0, 1] (and its colour original) ending in preprocess's result."""
    background = float(np.median(_ring(gray)))
    deviation = gray - background
    strong = deviation[np.abs(deviation) > MIN_CONTRAST]
    if strong.size and strong.sum() < 0:
        deviation = -deviation  # A dark object on a light background becomes light on dark.
    light = np.maximum(deviation, 0.0)
    top = float(light.max())
    polarity = light / top if top > 0 else light
    mask = polarity > BOX_THRESHOLD
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    cropped = polarity[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] if rows.size else polarity
    return [
        Step("given", rgb),
        Step("grey", _unit_to_uint8(gray)),
        Step("polarity", _unit_to_uint8(polarity)),
        Step("cropped", _unit_to_uint8(cropped)),
        Step("model_input", _unit_to_uint8(final)),
    ]


def from_bytes(content: bytes) -> list[Step]:
    """The strip for an uploaded file; raises preprocess.ImageError for a file preprocess refuses."""
    final = preprocess.from_bytes(content)  # Checks size, format and pixel count before anything else.
    image = Image.open(io.BytesIO(content), formats=preprocess.ALLOWED_FORMATS)
    if image.format == "JPEG":
        image.draft("RGB", (DISPLAY_SIZE, DISPLAY_SIZE))
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:
        pass  # preprocess ignores a broken orientation tag too.
    image = image.convert("RGBA")
    image.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE), Image.LANCZOS)
    rgba = np.asarray(image).astype(np.float32) / 255.0
    alpha = rgba[..., 3]
    gray = rgba[..., 0] * 0.299 + rgba[..., 1] * 0.587 + rgba[..., 2] * 0.114
    # Transparency goes onto white, as preprocess puts it (unless the content itself is nearly white).
    on_white = gray * alpha + (1.0 - alpha)
    gray = gray * alpha if alpha.min() < 0.99 and on_white.min() > 0.75 else on_white
    return _stages(gray, np.asarray(image), final)


def from_canvas(rgba: np.ndarray) -> list[Step]:
    """The strip for a canvas drawing (H, W, 4) RGBA; raises preprocess.ImageError for an empty canvas."""
    final = preprocess.from_canvas(rgba)
    pixels = np.asarray(rgba)
    image = Image.fromarray(np.ascontiguousarray(pixels[..., :4]).astype(np.uint8))
    image.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE), Image.LANCZOS)
    shown = np.asarray(image).astype(np.float32) / 255.0
    gray = (shown[..., 0] * 0.299 + shown[..., 1] * 0.587 + shown[..., 2] * 0.114) * shown[..., 3]
    return _stages(gray, np.asarray(image), final)


def from_sample(image: np.ndarray) -> list[Step]:
    """The strip for a test image (uint8 or [0, 1]): it already has the dataset's look and goes to the model as
    it is, so every stage is the image itself."""
    pixels = np.asarray(image)
    if pixels.shape != (preprocess.SIZE, preprocess.SIZE):
        raise ValueError(f"A test image is 28×28, not {pixels.shape}.")
    shown = pixels if pixels.dtype == np.uint8 else _unit_to_uint8(pixels)
    return [Step(key, shown) for key in STEP_KEYS]
