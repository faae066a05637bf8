"""Time the "Inside the model" views: per-input views warm, the first projection and the projection from cache.

Run: `.venv/bin/python scripts/bench_inspect.py [--repeats N]`. It uses a fresh temporary cache folder, so
"first" really is the first time; the figures are medians over N inputs (test images 0..N-1).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20, help="inputs to time the warm per-input views on")
    parser.add_argument("--mlp", help="also time this saved MLP (registry name)")
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="fmnist-bench-inspect-")
    os.environ["FMNIST_CACHE_DIR"] = cache

    from fmnist import registry
    from fmnist.data import fashion_mnist
    from fmnist.inside import embedding, explain

    dataset = fashion_mnist.load()
    names = ["default"] + ([args.mlp] if args.mlp else [])
    for name in names:
        model = registry.load(name)
        images = dataset.test_images[: args.repeats] / 255.0
        cold, _ = timed(explain.explain, model, images[0])
        parts = {"activations": [], "saliency": [], "occlusion": [], "grad_cam": [], "all views": []}
        for image in images:
            class_id = int(explain.probabilities(model, image).argmax())
            parts["activations"].append(timed(explain.activations, model, image)[0])
            parts["saliency"].append(timed(explain.saliency, model, image, class_id)[0])
            parts["occlusion"].append(timed(explain.occlusion_drops, model, image, class_id)[0])
            if explain.last_conv_layer(model) is not None:
                parts["grad_cam"].append(timed(explain.grad_cam, model, image, class_id)[0])
            parts["all views"].append(timed(explain.explain, model, image, class_id)[0])
        print(f"{name}: first explain (tracing) {cold * 1000:.0f} ms; warm medians over {len(images)} inputs:")
        for part, seconds in parts.items():
            if seconds:
                print(f"  {part:12s} {statistics.median(seconds) * 1000:7.1f} ms")
        for kind in embedding.KINDS:
            for method in embedding.METHODS:
                first, _ = timed(embedding.projection_map, model, dataset, kind, method)
                cached, _ = timed(embedding.projection_map, model, dataset, kind, method)
                print(f"  map {kind:6s} {method:4s}: first {first:6.2f} s, from the cache {cached * 1000:6.1f} ms")
        first, features = timed(embedding.training_features, model, dataset)
        cached, _ = timed(embedding.training_features, model, dataset)
        query = embedding.features(model, images[:1], "hidden")
        nearest, _ = timed(embedding.nearest, features, query, 5)
        print(
            f"  training features (60,000 images): first {first:.2f} s, from the cache {cached * 1000:.1f} ms; 5 nearest of one input {nearest * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
