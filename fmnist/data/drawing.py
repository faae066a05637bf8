"""What the drawing canvas sends -> the 280×280 RGBA picture `preprocess.from_canvas` takes.

The canvas (assets/canvas/canvas.js) sends, at every pointer-up, Undo, Redo and Reset, one value:
`{"png": "data:image/png;base64,...", "strokes": 3, "paths": [[width, x0, y0, x1, y1, ...], ...]}`, with
`png` None and `paths` empty once the canvas is empty. While a stroke is drawn it also sends the drawing so far,
marked `"live": true`: its last path is the stroke in progress (counted in `strokes`), which the pointer-up's
value then finishes or, for a cancelled stroke, leaves out. The PNG is what the model's preprocessing reads;
the paths let the page hand the strokes back to a canvas that the browser had to build anew.

The value comes from a browser, so it is checked like an upload: a length cap before the base64 is decoded,
the PNG's size read from its header before any pixel is, and every path number checked. Every refusal is a
`DrawingError` (an `ImageError`) whose message can be shown to a person as it is.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from fmnist.data import messages
from fmnist.data.uploads import ImageError

SIZE = 280  # The canvas is SIZE × SIZE pixels.
PNG_PREFIX = "data:image/png;base64,"
# A 280×280 RGBA PNG is at most about 314 kB even uncompressed; as base64, 4/3 of that. Anything longer is not ours.
MAX_DATA_URL = len(PNG_PREFIX) + 4 * (SIZE * SIZE * 4 + 4096) // 3
# Limits on the strokes handed back to the canvas; the canvas itself never sends more in normal use.
MAX_STROKES = 2000
MAX_POINTS = 200_000
MAX_WIDTH = 100

MALFORMED = messages.STRINGS["en"]["drawing_malformed"]


class DrawingError(ImageError):
    """A canvas value we cannot use; the message says why in words a person understands."""


@dataclass(frozen=True)
class Drawing:
    """One value of the canvas, checked and decoded."""

    rgba: np.ndarray | None  # (SIZE, SIZE, 4) uint8, white strokes on black; None while the canvas is empty.
    strokes: int  # How many strokes the canvas holds.
    paths: list = field(default_factory=list)  # Each stroke as [width, x0, y0, x1, y1, ...] in canvas pixels.
    live: bool = False  # Whether the last path is a stroke still being drawn.

    @property
    def finished(self) -> int:
        """How many strokes are finished (the one in progress is not)."""
        return self.strokes - int(self.live)

    @property
    def empty(self) -> bool:
        return self.strokes == 0 or self.rgba is None


EMPTY = Drawing(None, 0, [])


def decode(value) -> Drawing:
    """Check and decode a canvas value (None, before the first stroke, is an empty drawing)."""
    if value is None:
        return EMPTY
    if not isinstance(value, dict):
        raise DrawingError.of("drawing_malformed")
    strokes, png, paths, live = value.get("strokes"), value.get("png"), value.get("paths", []), value.get("live", False)
    if not isinstance(live, bool):
        raise DrawingError.of("drawing_malformed", "(Whether a stroke is in progress is not true or false.)")
    if isinstance(strokes, bool) or not isinstance(strokes, int) or strokes < 0:
        raise DrawingError.of("drawing_malformed", "(The stroke count is not a whole number.)")
    if live and strokes == 0:
        raise DrawingError.of("drawing_malformed", "(A stroke in progress is missing from the strokes.)")
    paths = check_paths(paths)
    if len(paths) != strokes:
        raise DrawingError.of("drawing_malformed", f"(It counts {strokes} strokes but holds {len(paths)}.)")
    if strokes == 0:
        return EMPTY
    return Drawing(decode_png(png), strokes, paths, live)


def paths_of(value) -> list:
    """The finished strokes of a canvas value (not a stroke in progress), checked but without decoding its
    picture; [] if there are none or they cannot be used (they only redraw a canvas the browser built anew)."""
    try:
        paths = check_paths(value.get("paths", [])) if isinstance(value, dict) else []
    except DrawingError:
        return []
    return paths[:-1] if paths and value.get("live") is True else paths


def decode_png(data_url) -> np.ndarray:
    """A PNG data URL of the canvas -> (SIZE, SIZE, 4) uint8 RGBA."""
    if not isinstance(data_url, str) or not data_url.startswith(PNG_PREFIX):
        raise DrawingError.of("drawing_malformed", "(The picture is not a PNG data URL.)")
    if len(data_url) > MAX_DATA_URL:
        raise DrawingError.of("drawing_malformed", f"(The picture is larger than a {SIZE} × {SIZE} canvas can be.)")
    try:
        content = base64.b64decode(data_url[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise DrawingError.of("drawing_malformed", "(The picture's base64 is damaged.)") from None
    try:
        with Image.open(io.BytesIO(content), formats=["PNG"]) as image:
            if image.size != (SIZE, SIZE):  # Read from the header, before any pixel is decoded.
                width, height = image.size
                raise DrawingError.of("drawing_malformed", f"(The picture is {width} × {height} pixels, not {SIZE} × {SIZE}.)")
            return np.asarray(image.convert("RGBA"))
    except DrawingError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DrawingError.of("drawing_malformed", "(The PNG is damaged.)") from None


def check_paths(paths) -> list:
    """The strokes as lists of numbers: [width, x0, y0, ...], width 1..MAX_WIDTH, points inside the canvas."""
    if not isinstance(paths, list) or len(paths) > MAX_STROKES:
        raise DrawingError.of("drawing_malformed", f"(The strokes are not a list of at most {MAX_STROKES}.)")
    total = 0
    for path in paths:
        if not isinstance(path, list) or len(path) < 3 or len(path) % 2 == 0:
            raise DrawingError.of("drawing_malformed", "(A stroke is not a width followed by x, y pairs.)")
        total += len(path) // 2
        if total > MAX_POINTS:
            raise DrawingError.of("drawing_malformed", f"(The strokes have more than {MAX_POINTS:,} points.)")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in path):
            raise DrawingError.of("drawing_malformed", "(A stroke holds something other than numbers.)")
        if not 1 <= path[0] <= MAX_WIDTH or not all(0 <= v <= SIZE for v in path[1:]):
            raise DrawingError.of("drawing_malformed", "(A stroke lies outside the canvas or is too wide.)")
    return paths


# A region that the strokes close off is coloured in when it covers at least this share of the drawing's bounding
# box: the body of a garment drawn as an outline. Smaller ones stay open: a bag's handle, a sandal's straps.
HOLE_SHARE = 0.1
# The grey level of a coloured-in region (the strokes stay at full brightness): Fashion-MNIST's garments are
# dimmer inside than at their seams and edges, and the strokes drawn inside (a coat's opening) stay visible.
FILL_LEVEL = 0.6


def fill_outlines(ink: np.ndarray, threshold: float) -> np.ndarray:
    """A drawing's ink (2-D, light on 0) with its large closed regions coloured in at FILL_LEVEL of the brightest.

    A learner often draws only a garment's outline; the dataset's garments are solid. Pixels above `threshold` are
    strokes; a region they enclose that covers HOLE_SHARE of their bounding box or more is filled.
    """
    from scipy import ndimage

    strokes = ink > threshold
    if not strokes.any():
        return ink
    holes, count = ndimage.label(ndimage.binary_fill_holes(strokes) & ~strokes)
    if count == 0:
        return ink
    rows, columns = np.flatnonzero(strokes.any(axis=1)), np.flatnonzero(strokes.any(axis=0))
    box = (rows[-1] - rows[0] + 1) * (columns[-1] - columns[0] + 1)
    sizes = np.bincount(holes.ravel(), minlength=count + 1)
    large = np.flatnonzero(sizes >= HOLE_SHARE * box)
    large = large[large > 0]
    if large.size == 0:
        return ink
    level = np.asarray(FILL_LEVEL * float(ink.max()), dtype=ink.dtype)
    return np.where(np.isin(holes, large), np.maximum(ink, level), ink)
