"""Pictures for the tests of fmnist.data.preprocess, uploads and drawing: a small garment in every image mode, checks,
and what the canvas sends for a drawing."""

import base64
import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageDraw

from fmnist.data.drawing import SIZE


def encode(image, fmt, **options):
    """Return the bytes of `image` saved in format `fmt`."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def check_output(result):
    """Assert that `result` is what every model expects: a finite (28, 28) float32 in [0, 1]."""
    assert result.shape == (28, 28)
    assert result.dtype == np.float32
    assert result.flags.c_contiguous
    assert np.isfinite(result).all()
    assert result.min() >= 0.0 and result.max() <= 1.0


def check_human(error):
    """Assert that an error message is written for a person, not a programmer."""
    message = str(error)
    assert message and message[0].isupper()
    for jargon in ("Error(", "errno", "<", "Traceback", "Errno"):
        assert jargon not in message


def garment_picture():
    """Return an asymmetric dark "L" shape with a grey patch on a white 60×40 background, as mode L."""
    pixels = np.full((40, 60), 255, dtype=np.uint8)
    pixels[5:35, 10:18] = 0
    pixels[27:35, 10:45] = 0
    pixels[8:14, 20:30] = 120
    return Image.fromarray(pixels)


def with_transparent_background(base):
    """Return RGBA: the garment opaque, the background fully transparent and black underneath."""
    gray = np.asarray(base)
    rgba = np.zeros((*gray.shape, 4), dtype=np.uint8)
    rgba[..., :3] = np.where(gray[..., None] < 255, gray[..., None], 0)
    rgba[..., 3] = np.where(gray < 255, 255, 0)
    return Image.fromarray(rgba)


def mode_pictures():
    """Return (name, Pillow image) for every mode an upload can have."""
    base = garment_picture()
    gray = np.asarray(base)
    transparent = with_transparent_background(base)
    p_transparent = base.quantize(4)
    p_transparent.info["transparency"] = p_transparent.getpixel((0, 0))
    return [
        ("1", base.point(lambda v: 255 if v > 128 else 0).convert("1")),
        ("L", base),
        ("P", base.convert("RGB").quantize(8)),
        ("P with transparency", p_transparent),
        ("LA", transparent.convert("LA")),
        ("RGBA", transparent),
        ("RGB", base.convert("RGB")),
        ("CMYK", base.convert("CMYK")),
        ("I;16", Image.fromarray(gray.astype(np.uint16) * 257)),
        ("I", Image.fromarray(gray.astype(np.int32) * 1000 - 5000)),
        ("F", Image.fromarray(gray.astype(np.float32) / 255)),
    ]


def png_chunk(kind, payload):
    """Return one PNG chunk with its length and CRC."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_data_url(image: Image.Image, kind: str = "PNG") -> str:
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def canvas_value(paths: list) -> dict:
    """What the canvas sends for `paths`: the strokes drawn white on black (as canvas.js does), counted."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 255))
    pen = ImageDraw.Draw(image)
    for width, *points in paths:
        pen.line(list(zip(points[::2], points[1::2])), fill=(255, 255, 255, 255), width=int(width), joint="curve")
    return {"png": png_data_url(image), "strokes": len(paths), "paths": paths}


TROUSERS = [[20, 100, 40, 100, 250], [20, 180, 40, 180, 250], [20, 100, 40, 180, 40]]
