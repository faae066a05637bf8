"""Whole training processes beside the tutorial's recipe, measured in one run: the accuracy/time frontier.

Every recipe is `python -m fmnist train <options> --json` in a fresh process (TensorFlow's import, the
data, the training and the test evaluation included), timed from outside, in the same run as the
tutorial's recipe as written (`python -m fmnist.tutorial`); the ratio of the two wall times is the
figure that holds from one machine to another. Runs go to a temporary folder.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np

MLP_SEEDS = (0, 1, 2)
# The recipes of the accuracy/time frontier (name: `train` options): the two models' defaults, the fast CNN recipe
# (the CNN's defaults, under its preset's name), the accurate CNN preset, and the recipe that trained the shipped
# default model (filters 24/48, dropout 0.3, label smoothing 0.1, batches of 256).
FRONTIER = {
    "mlp": "--model mlp",
    "cnn": "--model cnn",
    "cnn-fast": "--preset cnn-fast",
    "cnn-smooth": "--preset cnn-accurate",
    "cnn-default-model": "--preset cnn-fast --filters 24,48 --epochs 12 --dropout 0.3 --label-smoothing 0.1 "
    "--batch-size 256 --learning-rate 0.01 --drawings 0.1",
}


def options(name: str) -> list[str]:
    return shlex.split(FRONTIER[name])


def whole_process(command: list[str], env: dict | None = None) -> dict:
    """Run a command in a fresh Python process; its wall time and the JSON object it printed last."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, *command], capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - started
    return {"wall_seconds": round(wall, 2), **json.loads(result.stdout.strip().splitlines()[-1])}


def parameters(options: list[str]) -> int:
    """The parameter count of the network a recipe's options build (without building it)."""
    import argparse

    from fmnist.cli import train_options
    from fmnist.model import config

    parser = argparse.ArgumentParser()
    train_options.add_arguments(parser)
    resolved = train_options.config_from_args(parser.parse_args(options))
    return config.parameter_count(resolved.model, resolved.architecture())


def measure(names=("mlp", "cnn"), seeds=(0,), mlp_seeds=MLP_SEEDS, report=print) -> dict:
    """The tutorial's recipe, then each named recipe (the MLP over `mlp_seeds`), as whole processes."""
    with tempfile.TemporaryDirectory() as runs:
        env = {**os.environ, "FMNIST_RUNS_DIR": runs, "TF_CPP_MIN_LOG_LEVEL": "3"}
        tutorial = whole_process(["-m", "fmnist.bench.tutorial"], env)
        report(f"tutorial: {tutorial['wall_seconds']:.1f} s whole process, test accuracy {tutorial['test_accuracy']:.4f}")
        results = {"tutorial": tutorial}
        for name in names:
            rows = []
            for seed in mlp_seeds if name.startswith("mlp") else seeds:
                figures = whole_process(["-m", "fmnist", "train", *options(name), "--seed", str(seed), "--json"], env)
                rows.append({"seed": seed, "wall_seconds": figures["wall_seconds"], "test_accuracy": figures["test_accuracy"],
                             "train_seconds": figures["train_seconds"]})  # fmt: skip
            summary = {
                "options": FRONTIER[name],
                "parameters": parameters(options(name)),
                "runs": rows,
                "mean_test_accuracy": round(float(np.mean([r["test_accuracy"] for r in rows])), 4),
                "mean_wall_seconds": round(float(np.mean([r["wall_seconds"] for r in rows])), 2),
            }
            summary["ratio_to_tutorial"] = round(summary["mean_wall_seconds"] / tutorial["wall_seconds"], 3)
            results[name] = summary
            report(f"{name}: {summary['mean_wall_seconds']:.1f} s whole process ({summary['ratio_to_tutorial']:.2f}x the "
                   f"tutorial's), test accuracy {summary['mean_test_accuracy']:.4f} (seeds {', '.join(str(r['seed']) for r in rows)}), "
                   f"{summary['parameters']:,} parameters")  # fmt: skip
    return results
