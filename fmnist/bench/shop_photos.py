"""Fashion-MNIST test images turned into "shop photos": how well preprocessing copes with real uploads.

A shop photo is what a learner would upload: a dark garment on an off-white
background (with a little grain in JPEGs), much larger than 28×28, placed
off-centre on a canvas of some other size and aspect, maybe with a colour
tint, saved as JPEG or PNG. A third kind is a cut-out: an RGBA PNG whose
background is fully transparent. The tests and `python -m fmnist bench
augmentation` score models on them.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

# The formats make_shop_photo can write; "PNG-RGBA" is the cut-out with a transparent background.
SHOP_FORMATS = ("JPEG", "PNG", "PNG-RGBA")


def make_shop_photo(image28: np.ndarray, rng: np.random.Generator, fmt: str = "JPEG") -> bytes:
    """Return the bytes of a shop photo made from one dataset image (uint8 28×28, light on dark)."""
    if fmt not in SHOP_FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(SHOP_FORMATS)}, not {fmt!r}.")
    image28 = np.asarray(image28)
    if image28.shape != (28, 28):
        raise ValueError(f"image28 must be a 28×28 dataset image, not one of shape {image28.shape}.")

    # The garment is upscaled with a smooth filter, in float so that no grey levels are lost.
    side = int(rng.integers(150, 601))
    garment = Image.fromarray(image28.astype(np.float32) / 255.0)
    ink = np.clip(np.asarray(garment.resize((side, side), Image.BICUBIC)), 0.0, 1.0)

    # The canvas is larger than the garment, of a random size and aspect, and the garment sits off-centre.
    height = max(int(rng.integers(300, 901)), side + 20)
    width = max(int(rng.integers(300, 901)), side + 20)
    top = int(rng.integers(0, height - side + 1))
    left = int(rng.integers(0, width - side + 1))

    # A dark garment on off-white: the paper's colour dimmed by the ink. Half of the photos are in colour,
    # with a slight tint.
    paper = rng.uniform(0.92, 1.0) * 255
    tint = 1.0 + rng.uniform(-0.06, 0.06, size=3) if rng.random() < 0.5 else np.ones(1)
    pixels = np.empty((height, width, tint.size), dtype=np.uint8)
    pixels[:] = np.clip(np.rint(paper * tint), 0, 255).astype(np.uint8)
    block = (paper * (1.0 - ink))[..., None] * tint.astype(np.float32)
    pixels[top : top + side, left : left + side] = np.clip(np.rint(block), 0, 255).astype(np.uint8)
    if fmt == "JPEG":
        # Camera photos get a little grain; PNGs stay clean like rendered product pictures.
        grain = rng.integers(-4, 5, size=(height, width, 1), dtype=np.int16)
        pixels = np.clip(pixels + grain, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels[..., 0] if tint.size == 1 else pixels)

    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, format="JPEG", quality=int(rng.integers(70, 96)))
    elif fmt == "PNG":
        image.save(buffer, format="PNG", compress_level=1)
    else:
        # The garment is opaque wherever it has ink; the rest of the canvas is fully transparent.
        alpha = np.zeros((height, width), dtype=np.uint8)
        alpha[top : top + side, left : left + side] = np.rint(np.clip(ink * 10.0, 0.0, 1.0) * 255)
        image.putalpha(Image.fromarray(alpha))
        image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def accuracy(predictor, dataset, fmt: str, count: int = 300, seed: int = 42) -> tuple[float, float]:
    """(accuracy on shop photos, accuracy on the same dataset images) of `count` test images chosen by `seed`,
    each photo preprocessed as an upload is."""
    from fmnist.data import preprocess

    rng = np.random.default_rng(seed)
    indices = rng.choice(len(dataset.test_images), count, replace=False)
    pictures = np.stack([preprocess.from_bytes(make_shop_photo(dataset.test_images[i], rng, fmt)) for i in indices])
    labels = dataset.test_labels[indices]
    on_photos = float(np.mean(predictor(pictures).argmax(1) == labels))
    on_originals = float(np.mean(predictor(dataset.test_images[indices]).argmax(1) == labels))
    return on_photos, on_originals
