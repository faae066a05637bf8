"""python -m fmnist bench epoch-cost: what one epoch of a recipe costs in this process, then its test accuracy.

    python -m fmnist bench epoch-cost --preset cnn-fast --epochs 2
    python -m fmnist bench epoch-cost --preset cnn-fast --no-norm-after-pool --epochs 2

Takes the options of `python -m fmnist train` (fmnist.cli.train_options). CPU seconds (this process's user +
system time) say what a recipe costs even while other work shares the cores, where wall times do not; the
whole-process comparison with the tutorial is `python -m fmnist bench --frontier`. Prints one JSON line.
"""

from __future__ import annotations

import itertools
import json
import os
import time

NAME = "epoch-cost"
HELP = "wall and CPU seconds per epoch of a recipe (the train command's options), then its test accuracy"


def add_arguments(parser) -> None:
    from fmnist.cli import train_options

    train_options.add_arguments(parser)


def run(args, fail) -> int:
    """Train the recipe `args` name and print its per-epoch costs; `fail(message)` reports a refused option."""
    from fmnist.cli import train_options
    from fmnist.data import fashion_mnist
    from fmnist.model import config, evaluation, training
    from fmnist.model.history import Control

    try:
        recipe = train_options.config_from_args(args)
    except ValueError as error:
        return fail(str(error))
    dataset = fashion_mnist.load()
    marks = [(time.perf_counter(), time.process_time())]  # The first epoch includes tracing the step.

    def emit(event: dict) -> None:
        if event.get("type") == "epoch" and not event.get("partial"):
            marks.append((time.perf_counter(), time.process_time()))

    model, seconds, _ = training.train(recipe, dataset, emit, Control())
    accuracy = evaluation.evaluate(model, dataset.test_images, dataset.test_labels).accuracy
    epochs = [{"wall_s": round(b[0] - a[0], 2), "cpu_s": round(b[1] - a[1], 2)} for a, b in itertools.pairwise(marks)]
    print(json.dumps({
        "config": recipe.to_dict(), "parameters": config.parameter_count(recipe.model, recipe.architecture()),
        "epochs": epochs, "train_seconds": round(seconds, 2), "test_accuracy": round(accuracy, 4),
        "load": [round(x, 2) for x in os.getloadavg()],
    }))  # fmt: skip
    return 0
