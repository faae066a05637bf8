"""python -m fmnist bench inspect: the "Inside the model" views, per input warm, and the maps first and from cache.

It uses a fresh temporary cache folder (FMNIST_CACHE_DIR), so "first" really is the first time; the per-input
figures are medians over N inputs (test images 0..N-1).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from unittest import mock

NAME = "inspect"
HELP = "the Inspect page's views per input, and its maps and neighbours the first time and from the cache"


def add_arguments(parser) -> None:
    parser.add_argument("--repeats", type=int, default=20, help="inputs to time the warm per-input views on (default: 20)")
    parser.add_argument("--mlp", help="also time this saved MLP (registry name)")
    parser.add_argument(
        "--methods", default="pca,tsne", help="projections of the maps to time, separated by commas (default: pca,tsne)"
    )


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def per_input_views(model, images) -> dict[str, list[float]]:
    """Seconds of each view for each input, after the first call has traced the model's functions."""
    from fmnist.inside import explain

    parts = {"activations": [], "saliency": [], "occlusion": [], "grad_cam": [], "all views": []}
    for image in images:
        class_id = int(explain.probabilities(model, image).argmax())
        parts["activations"].append(timed(explain.activations, model, image)[0])
        parts["saliency"].append(timed(explain.saliency, model, image, class_id)[0])
        parts["occlusion"].append(timed(explain.occlusion_drops, model, image, class_id)[0])
        if explain.last_conv_layer(model) is not None:
            parts["grad_cam"].append(timed(explain.grad_cam, model, image, class_id)[0])
        parts["all views"].append(timed(explain.explain, model, image, class_id)[0])
    return parts


def measure(name: str, dataset, repeats: int, methods: list[str]) -> None:
    from fmnist import registry
    from fmnist.inside import embedding, explain

    model = registry.load(name)
    images = dataset.test_images[:repeats] / 255.0
    cold, _ = timed(explain.explain, model, images[0])
    print(f"{name}: first explain (tracing) {cold * 1000:.0f} ms; warm medians over {len(images)} inputs:")
    for part, seconds in per_input_views(model, images).items():
        if seconds:
            print(f"  {part:12s} {statistics.median(seconds) * 1000:7.1f} ms")
    for kind in embedding.KINDS:
        for method in methods:
            first, _ = timed(embedding.projection_map, model, dataset, kind, method)
            cached, _ = timed(embedding.projection_map, model, dataset, kind, method)
            print(f"  map {kind:6s} {method:4s}: first {first:6.2f} s, from the cache {cached * 1000:6.1f} ms")
    first, features = timed(embedding.training_features, model, dataset)
    cached, _ = timed(embedding.training_features, model, dataset)
    query = embedding.features(model, images[:1], "hidden")
    nearest, _ = timed(embedding.nearest, features, query, 5)
    print(
        f"  training features ({len(features):,} images): first {first:.2f} s, from the cache {cached * 1000:.1f} ms; "
        f"5 nearest of one input {nearest * 1000:.1f} ms"
    )


def run(args, fail) -> int:
    """Time the views of the default model (and of `--mlp`) with a cache of their own; `fail` reports bad options."""
    from fmnist.inside import embedding

    methods = [method.strip() for method in args.methods.split(",") if method.strip()]
    unknown = [method for method in methods if method not in embedding.METHODS]
    if unknown or not methods:
        return fail(f"--methods takes some of {', '.join(embedding.METHODS)}, separated by commas, not {args.methods!r}")
    if args.repeats < 1:
        return fail(f"--repeats must be at least 1, not {args.repeats}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up notes would bury the figures.
    from fmnist.data import fashion_mnist

    dataset = fashion_mnist.load()  # From the usual cache: only the views' own caches start empty.
    with (
        tempfile.TemporaryDirectory(prefix="fmnist-bench-inspect-") as cache,
        mock.patch.dict(os.environ, {"FMNIST_CACHE_DIR": cache}),
    ):
        for name in ["default"] + ([args.mlp] if args.mlp else []):
            measure(name, dataset, args.repeats, methods)
    return 0
