"""Arrays as pictures for the "Inside the model" page: tiled feature maps, heat strips, overlays, thumbnails.

These return uint8 RGB arrays (or PNG data URLs) rather than matplotlib figures: a page shows dozens of
them on every input, and colouring an array is far faster than drawing a figure.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib import colormaps
from PIL import Image

# Sequential colours for activations (0 and up), diverging colours for weights and gradients (signed).
ACTIVATION_MAP = "viridis"
DIVERGING_MAP = "RdBu_r"
HEAT_MAP = "inferno"


def colorize(values: np.ndarray, cmap: str = ACTIVATION_MAP, signed: bool = False, scale: float | None = None) -> np.ndarray:
    """Colour an array with a matplotlib colour map: uint8 (..., 3).

    Unsigned values run from their minimum to their maximum; signed values are centred on zero
    (white in a diverging map) and run from -m to m, with m the largest magnitude (or `scale`).
    """
    values = np.asarray(values, np.float32)
    if signed:
        top = scale or float(np.abs(values).max()) or 1.0
        unit = 0.5 + 0.5 * values / top
    else:
        low, high = float(values.min()), float(values.max())
        unit = (values - low) / (high - low) if high > low else np.zeros_like(values)
    rgba = colormaps[cmap](np.clip(unit, 0.0, 1.0))
    return (rgba[..., :3] * 255).round().astype(np.uint8)


def enlarge(pixels: np.ndarray, scale: int) -> np.ndarray:
    """Repeat every pixel `scale` times in both directions, keeping hard edges."""
    return np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)


def tile(
    maps: np.ndarray, columns: int = 8, scale: int = 3, gap: int = 2, cmap: str = ACTIVATION_MAP, signed: bool = False
) -> np.ndarray:
    """Lay out (n, h, w) maps in a grid, each coloured on its own range, with white gaps between them."""
    maps = np.asarray(maps, np.float32)
    if maps.ndim != 3 or len(maps) == 0:
        raise ValueError(f"maps must have shape (n, height, width) with n >= 1, not {maps.shape}.")
    count, height, width = maps.shape
    columns = min(columns, count)
    rows = -(-count // columns)
    cell_h, cell_w = height * scale, width * scale
    out = np.full((rows * (cell_h + gap) - gap, columns * (cell_w + gap) - gap, 3), 255, np.uint8)
    for i, values in enumerate(maps):
        row, col = divmod(i, columns)
        top, left = row * (cell_h + gap), col * (cell_w + gap)
        out[top : top + cell_h, left : left + cell_w] = enlarge(colorize(values, cmap, signed), scale)
    return out


def channels_first(feature_maps: np.ndarray) -> np.ndarray:
    """(h, w, c) feature maps as (c, h, w), one map per channel."""
    return np.transpose(np.asarray(feature_maps), (2, 0, 1))


def heat_strip(values: np.ndarray, width: int = 640, height: int = 28) -> np.ndarray:
    """A vector as one strip of coloured cells, `width` pixels wide (long vectors are averaged into cells)."""
    values = np.asarray(values, np.float32).reshape(-1)
    if values.size == 0:
        raise ValueError("A heat strip needs at least one value.")
    cells = min(values.size, width)
    # Long vectors (a flattened stack of feature maps) are shown as the mean of equal slices.
    if values.size > cells:
        edges = np.linspace(0, values.size, cells + 1).astype(int)
        values = np.add.reduceat(values, edges[:-1]) / np.diff(edges)
    strip = colorize(values[None, :])
    return np.repeat(np.repeat(strip, height, axis=0), width // cells, axis=1)


def overlay(image: np.ndarray, heat: np.ndarray, scale: int = 6, signed: bool = False, alpha: float = 0.85) -> np.ndarray:
    """A (28, 28) map over the grey input: the input in grey, the map's colours blended on top.

    Signed maps blend in proportion to their magnitude (relative to the 99th percentile, so one extreme
    pixel does not wash out the rest); unsigned maps (in [0, 1]) blend in proportion to their value.
    """
    base = np.asarray(image, np.float32)
    heat = np.asarray(heat, np.float32)
    grey = np.repeat((np.clip(base, 0, 1) * 255)[..., None], 3, axis=-1)
    if signed:
        strength = np.abs(heat)
        top = float(np.percentile(strength, 99)) or float(strength.max()) or 1.0
        colours = colorize(heat, DIVERGING_MAP, signed=True, scale=top).astype(np.float32)
        weight = alpha * np.clip(strength / top, 0.0, 1.0)[..., None]
    else:
        colours = colorize(heat, HEAT_MAP).astype(np.float32)
        weight = alpha * np.clip(heat, 0.0, 1.0)[..., None]
    blended = (1 - weight) * grey + weight * colours
    return enlarge(blended.round().astype(np.uint8), scale)


def png_data_url(pixels: np.ndarray) -> str:
    """A small image as a PNG data URL, for tooltips and tables."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def thumbnail_urls(images: np.ndarray, scale: int = 2) -> list[str]:
    """Dataset images (n, 28, 28) uint8 as dark-on-light PNG data URLs, as the tutorial shows them."""
    return [png_data_url(enlarge(255 - np.asarray(image, np.uint8), scale)) for image in images]
