"""python -m fmnist bench augmentation: the same recipe trained without and with augmentation, scored side by side.

Each model is scored on the 10,000 test images and on shop photos (fmnist.bench.shop_photos: test images pasted
into photo-like pictures, off-centre on a light background, saved as JPEG, PNG and RGBA PNG, then preprocessed as
uploads are). Prints one line per model, then one JSON line.
"""

from __future__ import annotations

import json
import time

NAME = "augmentation"
HELP = "accuracy on test images and on shop photos, trained without and with augmentation"


def add_arguments(parser) -> None:
    parser.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    parser.add_argument("--epochs", type=int, help="epochs (default: the model's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, help="train on only the first N training images (default: all)")
    parser.add_argument("--photos", type=int, default=300, help="shop photos per format (default: 300)")


def score(config, dataset, photos: int) -> dict:
    import numpy as np

    from fmnist.bench import shop_photos
    from fmnist.model import evaluation, training
    from fmnist.model.history import Control
    from fmnist.model.predict import Predictor

    started = time.perf_counter()
    model, seconds, _ = training.train(config, dataset, lambda event: None, Control())
    wall = time.perf_counter() - started
    predictor = Predictor(model)
    on_photos = {fmt: shop_photos.accuracy(predictor, dataset, fmt, count=photos)[0] for fmt in shop_photos.SHOP_FORMATS}
    test = evaluation.evaluate(model, dataset.test_images, dataset.test_labels).accuracy
    return {"augment": config.augment, "test_accuracy": round(float(test), 4), "train_seconds": round(seconds, 1),
            "wall_seconds": round(wall, 1), "shop_photos": {k: round(v, 4) for k, v in on_photos.items()},
            "shop_photos_mean": round(float(np.mean(list(on_photos.values()))), 4)}  # fmt: skip


def run(args, fail) -> int:
    """Train and score the model both ways; `fail(message)` reports a refused option."""
    from fmnist.data import fashion_mnist
    from fmnist.model.config import TrainConfig

    try:
        configs = [TrainConfig(model=args.model, epochs=args.epochs, seed=args.seed, augment=augment, limit=args.limit).resolved()
                   for augment in (False, True)]  # fmt: skip
    except ValueError as error:
        return fail(str(error))
    if args.photos < 1:
        return fail(f"--photos must be at least 1, not {args.photos}")
    dataset = fashion_mnist.load()
    results = []
    for config in configs:
        augment = config.augment
        result = score(config, dataset, args.photos)
        results.append(result)
        photos = " ".join(f"{k} {v:.3f}" for k, v in result["shop_photos"].items())
        print(f"{args.model} augment={augment!s:5}: test {result['test_accuracy']:.4f} · shop photos {photos} "
              f"(mean {result['shop_photos_mean']:.3f}) · trained {result['train_seconds']} s", flush=True)  # fmt: skip
    print(json.dumps({"model": args.model, "epochs": config.epochs, "seed": args.seed, "results": results}))
    return 0
