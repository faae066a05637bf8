"""What augmentation does to accuracy: the same recipe trained without and with it, scored side by side.

python scripts/augmentation_effect.py [--model mlp|cnn] [--epochs N] [--seed S]

Each model is scored on the 10,000 test images and on the shop-photo test of
tests/test_shop_photo_accuracy.py (300 test images pasted into photo-like
pictures: off-centre, on a light background, saved as JPEG, PNG and RGBA PNG,
then preprocessed as uploads are). Prints one line per model and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from fmnist.data import fashion_mnist  # noqa: E402
from fmnist.model import evaluation, training  # noqa: E402
from fmnist.model.config import TrainConfig  # noqa: E402
from fmnist.model.history import Control  # noqa: E402
from fmnist.model.predict import Predictor  # noqa: E402
from tests.test_shop_photo_accuracy import shop_photo_accuracy  # noqa: E402

FORMATS = ("JPEG", "PNG", "PNG-RGBA")


def score(config: TrainConfig, dataset) -> dict:
    started = time.perf_counter()
    model, seconds, _ = training.train(config, dataset, lambda event: None, Control())
    wall = time.perf_counter() - started
    predictor = Predictor(model)
    photos = {fmt: float(shop_photo_accuracy(predictor, dataset, fmt)[0]) for fmt in FORMATS}
    test = evaluation.evaluate(model, dataset.test_images, dataset.test_labels).accuracy
    return {"augment": config.augment, "test_accuracy": round(float(test), 4), "train_seconds": round(seconds, 1),
            "wall_seconds": round(wall, 1), "shop_photos": {k: round(v, 4) for k, v in photos.items()},
            "shop_photos_mean": round(float(np.mean(list(photos.values()))), 4)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    dataset = fashion_mnist.load()
    results = []
    for augment in (False, True):
        config = TrainConfig(model=args.model, epochs=args.epochs, seed=args.seed, augment=augment).resolved()
        result = score(config, dataset)
        results.append(result)
        photos = " ".join(f"{k} {v:.3f}" for k, v in result["shop_photos"].items())
        print(f"{args.model} augment={augment!s:5}: test {result['test_accuracy']:.4f} · shop photos {photos} "
              f"(mean {result['shop_photos_mean']:.3f}) · trained {result['train_seconds']} s", flush=True)  # fmt: skip
    print(json.dumps({"model": args.model, "epochs": config.epochs, "seed": args.seed, "results": results}))


if __name__ == "__main__":
    main()
