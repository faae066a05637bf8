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
# Recipes on the frontier (name: `train` options). "cnn" and "mlp" are the defaults; the others are what was
# explored for a CNN that trains in the tutorial's time (README "Performance").
FRONTIER = {
    "mlp": "--model mlp",
    "cnn": "--model cnn",
    "cnn-fast": "--preset cnn-fast",
    # Explored beside it (see README "Performance"): the same with batch normalisation before the pooling; the first
    # fast preset (that, with a dense layer of 64 and a peak rate of 3e-3); the default's filters normalised after
    # pooling for 7 epochs; the default's filters with batch normalisation first and a one-cycle rate; an MLP twice
    # as wide, two epochs longer.
    "cnn-fast-bn-first": "--preset cnn-fast --no-norm-after-pool",
    "cnn-fast-first-preset": "--preset cnn-fast --no-norm-after-pool --dense-units 64 --learning-rate 0.003",
    "cnn-wide-pool-bn": "--preset cnn-fast --filters 32,64 --epochs 7",
    "cnn-wide-pool-bn-10": "--preset cnn-fast --filters 32,64 --epochs 10",
    "cnn-bn": "--model cnn --batch-norm --dropout 0.2 --batch-size 256 --epochs 6 --learning-rate 0.005 --schedule onecycle",
    "mlp-256": "--model mlp --no-batch-norm --hidden-units 256 --epochs 9 --learning-rate 0.005 --schedule cosine",
    # The MLP's defaults before its batch normalisation (0.879 at 0.23x the tutorial's time), and with it but still
    # holding out a validation split, for a fifth epoch (0.8869 at 0.17-0.22x).
    "mlp-before": "--model mlp --no-batch-norm --epochs 7 --learning-rate 0.005 --schedule cosine --validation-split 0.1",
    "mlp-split": "--model mlp --epochs 5 --learning-rate 0.01 --validation-split 0.1",
    # Toward 0.930 within 2.5x the tutorial: the fast recipe for 10 epochs with dropout, label smoothing and a dense
    # layer of 256 (the "accurate CNN" preset: --preset cnn-fast --epochs 10 --dropout 0.3 --label-smoothing 0.1
    # --dense-units 256); the same with the dense layer of 128; and the recipe that trained the shipped default
    # model (filters 24/48, batches of 256).
    "cnn-smooth": "--preset cnn-accurate",
    "cnn-smooth-128": "--preset cnn-fast --epochs 10 --dropout 0.3 --label-smoothing 0.1",
    "cnn-default-model": "--preset cnn-fast --filters 24,48 --epochs 10 --dropout 0.3 --label-smoothing 0.1 "
    "--batch-size 256 --learning-rate 0.01",
    # The CNN defaults before the fast recipe became them (minutes on this machine).
    "cnn-before": "--model cnn --filters 32,64 --no-batch-norm --dropout 0.3 --epochs 12 --batch-size 256 "
    "--learning-rate 0.003 --schedule cosine --validation-split 0.1",
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
