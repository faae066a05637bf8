"""Make the example pictures of the Predict page: Fashion-MNIST test images turned into "shop photos".

Each picture is a dark garment on an off-white background (grainy in the JPEGs), about ten times the
dataset's size, placed off-centre on a wider canvas, saved as JPEG or PNG.
Run it from the project root: `python assets/examples/make_examples.py`.
"""

import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # The project root, so that fmnist imports from anywhere.

from fmnist.data import fashion_mnist  # noqa: E402

# (file name, test image index, format): one picture per garment we show.
EXAMPLES = (
    ("ankle-boot.jpg", 0, "JPEG"),
    ("trouser.png", 2, "PNG"),
    ("pullover.jpg", 1, "JPEG"),
    ("sneaker.jpg", 9, "JPEG"),
    ("dress.png", 13, "PNG"),
    ("bag.jpg", 18, "JPEG"),
)


def shop_photo(image28: np.ndarray, rng: np.random.Generator, grain: float, side: int = 260) -> Image.Image:
    """A dataset image (light on dark) as a larger photo: dark garment on off-white paper, with some grain."""
    ink = np.asarray(Image.fromarray(image28.astype(np.float32) / 255.0).resize((side, side), Image.BICUBIC))
    height, width = side + 60, side + 140
    canvas = np.zeros((height, width), dtype=np.float32)
    top, left = int(rng.integers(10, 50)), int(rng.integers(20, 120))
    canvas[top : top + side, left : left + side] = np.clip(ink, 0, 1)
    gray = 245 * (1 - 0.9 * canvas) + rng.normal(0, grain, canvas.shape)
    return Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8))


def main() -> None:
    dataset = fashion_mnist.load()
    rng = np.random.default_rng(0)
    for name, index, fmt in EXAMPLES:
        # Grain makes PNGs large, so only the JPEGs get it.
        photo = shop_photo(dataset.test_images[index], rng, grain=2.0 if fmt == "JPEG" else 0.0)
        options = {"quality": 85} if fmt == "JPEG" else {"optimize": True}
        photo.save(HERE / name, format=fmt, **options)
        label = fashion_mnist.CLASS_NAMES[dataset.test_labels[index]]
        print(f"{name}: test image {index} ({label}), {(HERE / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
