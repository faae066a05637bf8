"""Picture files from strangers: checked, decoded once at a reduced size, and a thumbnail to show.

An upload is hostile until proven otherwise: a byte cap, a format allow-list, a
pixel cap read from the header before any pixel is decoded, Pillow's
decompression-bomb guard, the first frame only. Memory is what an upload can
exhaust, so the picture is made small as early as Pillow allows: a JPEG is
decoded at 1/2, 1/4 or 1/8 of its size (`Image.draft`), and any other format,
which Pillow can only decode whole, is shrunk right after decoding, band by
band, before any rotation or mode conversion. The peak is then about one
decoded copy of the file (`python -m fmnist bench upload-memory` measures it).
Every refusal is an `ImageError` whose message can be shown to a person as it is.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image

from fmnist.data import messages

# The formats an upload may have, each with the file extensions a browser may offer for it.
FORMATS = {"PNG": ("png",), "JPEG": ("jpg", "jpeg"), "GIF": ("gif",), "BMP": ("bmp",), "WEBP": ("webp",)}
ALLOWED_FORMATS = tuple(FORMATS)
# The extensions a file chooser offers (for example `st.file_uploader(type=UPLOAD_EXTENSIONS)`).
UPLOAD_EXTENSIONS = [extension for extensions in FORMATS.values() for extension in extensions]

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Pixel caps, checked from the file header before any pixel is decoded, so that even the worst allowed upload
# needs only a modest, bounded amount of memory (`python -m fmnist bench upload-memory`). A baseline JPEG, which is
# what a phone saves, is decoded at 1/2 to 1/8 of its size, so it may have the 50 million pixels of the
# largest phone cameras (8160×6120). PNG, GIF and BMP are decoded whole at up to 4 bytes a pixel before they
# can be shrunk: 24 million (6000×4000, twice a usual 12-megapixel phone photo). A progressive JPEG keeps
# every coefficient of the whole picture while decoding (up to 8 bytes a pixel for CMYK): 13 million, which
# a 12-megapixel phone photo (4032×3024) fits. WebP decoding holds about 16 bytes a pixel in Pillow:
# 6 million, more than a picture on the web has.
MAX_JPEG_PIXELS = 50_000_000
MAX_PIXELS = 24_000_000
MAX_PROGRESSIVE_JPEG_PIXELS = 13_000_000
MAX_WEBP_PIXELS = 6_000_000

# Decoded pictures are shrunk by a whole factor so that their longest side is at most this.
WORKING_SIZE = 1024
# The longest side of the thumbnail shown to the user.
THUMBNAIL_SIZE = 280
# Rows are shrunk in bands of about this many source pixels, so a mode conversion never copies the whole picture.
BAND_PIXELS = 1 << 20

_FORMAT_NAMES = {"WEBP": "WebP"}
FORMATS_HINT = "Please upload a {} or {} image.".format(
    ", ".join(_FORMAT_NAMES.get(name, name) for name in ALLOWED_FORMATS[:-1]),
    _FORMAT_NAMES.get(ALLOWED_FORMATS[-1], ALLOWED_FORMATS[-1]),
)
# The refusals a person meets most, in English; their texts in both languages are in fmnist/data/messages.py.
NOT_A_PICTURE = messages.STRINGS["en"]["image_not_a_picture"]
DAMAGED = messages.STRINGS["en"]["image_damaged"]
PIXEL_LIMITS = {
    "jpeg": MAX_JPEG_PIXELS // 10**6,
    "progressive": MAX_PROGRESSIVE_JPEG_PIXELS // 10**6,
    "pixels": MAX_PIXELS // 10**6,
    "webp": MAX_WEBP_PIXELS // 10**6,
}
TOO_MANY_PIXELS = messages.STRINGS["en"]["image_too_many_pixels"].format(**PIXEL_LIMITS)

# EXIF orientation tag values and the turn that shows the picture upright (as `ImageOps.exif_transpose`).
ORIENTATION_TAG = 0x0112
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class ImageError(ValueError):
    """A picture we cannot use; the message says why in words a person understands (in English).

    `key` names that text in fmnist.data.messages, so that a page can say it in its own language
    (pages.i18n.image_error), and `values` fill it; an error without a key has its English message only.
    """

    def __init__(self, message: str, key: str | None = None, **values) -> None:
        super().__init__(message)
        self.key, self.values = key, values

    @classmethod
    def of(cls, key: str, detail: str = "", **values) -> ImageError:
        """The error whose message is the English text `key` filled with `values`, then `detail` (for a developer)."""
        message = messages.STRINGS["en"][key].format(**values)
        return cls(f"{message} {detail}" if detail else message, key, **values)


@dataclass(frozen=True)
class Decoded:
    """An upload after decoding: small, upright pixels for preprocessing and an optional thumbnail."""

    # 2-D gray, (H, W, 2) gray + alpha, or 2-D int32/float32 for 16-bit and float pictures; at most WORKING_SIZE.
    pixels: np.ndarray
    # The picture as the user sees it, uint8 RGB or RGBA, longest side at most the requested size; or None.
    thumbnail: np.ndarray | None


def decode(data: bytes, thumbnail_size: int | None = None) -> Decoded:
    """Check and decode an uploaded file's first frame, small and upright; optionally make a thumbnail too."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError("The upload must be the bytes of a picture file. " + FORMATS_HINT)
    if len(data) == 0:
        raise ImageError.of("image_empty_file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError.of("image_too_large", size=f"{len(data) / 2**20:.1f}", limit=MAX_UPLOAD_BYTES // 2**20)
    image, orientation = _open_small(data)
    if orientation in UPRIGHT:
        image = image.transpose(UPRIGHT[orientation])
    thumbnail = _thumbnail(image, thumbnail_size) if thumbnail_size else None
    return Decoded(_to_array(image), thumbnail)


def _open_small(data: bytes) -> tuple[Image.Image, int | None]:
    """Open, check and decode the first frame, at most WORKING_SIZE on its longest side; and its EXIF orientation."""
    try:
        # Pillow warns from 89 million pixels and refuses from twice that; both are over our caps anyway.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError.of("image_too_many_pixels", **PIXEL_LIMITS) from None
    except Exception:
        # Pillow reports unreadable headers with many exception types; to a person they all mean the same.
        raise ImageError.of("image_not_a_picture") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageError.of("image_not_a_picture")
    if width * height > pixel_cap(image):
        raise ImageError.of("image_too_many_pixels", **PIXEL_LIMITS)
    try:
        if image.format == "JPEG" and max(width, height) > WORKING_SIZE:
            # JPEG can decode at 1/2, 1/4 or 1/8 of its size, which makes big photos cheap.
            ratio = WORKING_SIZE / max(width, height)
            image.draft(image.mode, (math.ceil(width * ratio), math.ceil(height * ratio)))
        # Only the first frame of an animated GIF, PNG or WebP is ever loaded.
        image.load()
    except Exception:
        raise ImageError.of("image_damaged") from None
    try:
        orientation = image.getexif().get(ORIENTATION_TAG)
    except Exception:
        orientation = None  # A broken EXIF block is no reason to refuse a readable picture.
    factor = math.ceil(max(image.size) / WORKING_SIZE)
    if factor > 1:
        try:
            image = _shrink(image, factor)
        except (OSError, ValueError, MemoryError):
            raise ImageError.of("image_damaged") from None
    return image, orientation


def pixel_cap(image: Image.Image) -> int:
    """The most pixels an opened (not yet decoded) upload of this format may have."""
    if image.format == "JPEG":
        return MAX_PROGRESSIVE_JPEG_PIXELS if image.info.get("progressive") else MAX_JPEG_PIXELS
    return MAX_WEBP_PIXELS if image.format == "WEBP" else MAX_PIXELS


def _has_alpha(image: Image.Image) -> bool:
    return image.mode.endswith(("A", "a")) or "transparency" in image.info


def _shrink(image: Image.Image, factor: int) -> Image.Image:
    """Shrink by a whole factor with a box average, band by band, in a mode that averages correctly.

    Transparent pictures are averaged premultiplied (RGBa), so hidden colours
    do not bleed into visible edges; palettes and 1-bit pictures become gray
    or RGBA first, since averaging palette indices means nothing; 16-bit gray
    becomes 32-bit. Each conversion touches one band, never the whole picture.
    """
    if _has_alpha(image):
        steps, mode = ("RGBA", "RGBa"), "RGBa"
    elif image.mode in ("1", "P"):
        steps, mode = ("L",), "L"
    elif image.mode.startswith("I;16"):
        steps, mode = ("I",), "I"
    else:
        steps, mode = (), image.mode
    width, height = image.size
    out = Image.new(mode, (math.ceil(width / factor), math.ceil(height / factor)))
    rows = factor * max(1, BAND_PIXELS // (width * factor))
    for top in range(0, height, rows):
        band = image.crop((0, top, width, min(height, top + rows)))
        for step in steps:
            band = band.convert(step)
        out.paste(band.reduce(factor), (0, top // factor))
    return out.convert("RGBA") if mode == "RGBa" else out


def _thumbnail(image: Image.Image, size: int) -> np.ndarray:
    """The picture as a person sees it, uint8 RGB or RGBA, shrunk so its longest side is at most `size`."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        # 16-bit and float pictures have no 8-bit view of their own: they are shown from their own range.
        values = np.asarray(image.convert("I") if image.mode.startswith("I;16") else image, dtype=np.float32)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) * np.float32(255 / (high - low)) if high > low else np.zeros_like(values)
        view = Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8)).convert("RGB")
    else:
        view = image.convert("RGBA" if _has_alpha(image) else "RGB")
    view.thumbnail((size, size), Image.Resampling.LANCZOS)
    return np.asarray(view)


def _to_array(image: Image.Image) -> np.ndarray:
    """Normalise every Pillow mode to a 2-D gray, (H, W, 2) gray+alpha or 2-D integer/float array."""
    try:
        if image.mode.startswith("I;16"):
            image = image.convert("I")
        elif _has_alpha(image):
            # LA, RGBA, PA, premultiplied modes and palettes or grays with a transparent colour: luminance
            # with Pillow's own weights, alpha kept beside it.
            image = image.convert("RGBA")
            image = Image.merge("LA", (image.convert("L"), image.getchannel("A")))
        elif image.mode not in ("L", "I", "F"):
            # 1, P, RGB, CMYK and YCbCr carry no transparency.
            image = image.convert("L")
        return np.asarray(image)
    except (OSError, ValueError, MemoryError):
        raise ImageError.of("image_damaged") from None
