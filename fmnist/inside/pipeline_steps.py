"""The way in, step by step: pictures of what preprocessing does to an input, for teaching.

`fmnist.data.preprocess` records its own intermediate pictures when it is given a `steps` dict: the picture
as given, grey, polarity fixed (a light object on a black background), cropped to the object, and the
28×28 result. This module turns them into uint8 pictures of a size to show. Input is validated by
`preprocess` itself, so an upload it refuses is refused here with the same message.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from fmnist.data import preprocess

# Pictures in the strip are at most this many pixels on their longest side.
DISPLAY_SIZE = 192
STEP_KEYS = ("given", "grey", "polarity", "cropped", "model_input")


@dataclass(frozen=True)
class Step:
    """One picture of the strip."""

    key: str  # Which stage: one of STEP_KEYS.
    image: np.ndarray  # uint8 pixels: (H, W) grey, or (H, W, 3/4) for the picture as given.


def _shown(image: np.ndarray, key: str) -> np.ndarray:
    """A stage as uint8 pixels no larger than DISPLAY_SIZE; light-on-dark stages stretched to their brightest."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        top = float(image.max()) if key in ("polarity", "cropped") and image.size else 1.0
        image = (np.clip(image / (top or 1.0), 0.0, 1.0) * 255).round().astype(np.uint8)
    if max(image.shape[:2]) > DISPLAY_SIZE:
        picture = Image.fromarray(np.ascontiguousarray(image))
        picture.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE), Image.LANCZOS)
        image = np.asarray(picture)
    return image


def _strip(steps: dict) -> list[Step]:
    return [Step(key, _shown(steps[key], key)) for key in STEP_KEYS]


def from_bytes(content: bytes) -> list[Step]:
    """The strip for an uploaded file; raises preprocess.ImageError for a file preprocess refuses."""
    steps: dict = {}
    preprocess.from_bytes(content, steps)
    return _strip(steps)


def from_canvas(rgba: np.ndarray) -> list[Step]:
    """The strip for a canvas drawing (H, W, 4) RGBA; raises preprocess.ImageError for an empty canvas."""
    steps: dict = {}
    preprocess.from_canvas(rgba, steps)
    return _strip(steps)


def from_sample(image: np.ndarray) -> list[Step]:
    """The strip for a test image (uint8 or [0, 1]): it already has the dataset's look and goes to the model as
    it is, so every stage is the image itself."""
    pixels = np.asarray(image)
    if pixels.shape != (preprocess.SIZE, preprocess.SIZE):
        raise ValueError(f"A test image is 28×28, not {pixels.shape}.")
    shown = _shown(pixels, "given")
    return [Step(key, shown) for key in STEP_KEYS]
