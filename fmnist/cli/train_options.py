"""The training settings of `python -m fmnist train`: its options, and the TrainConfig they make.

Every option left out takes the default of TrainConfig, or of `--preset tutorial` when that is given:
python -m fmnist train --preset tutorial --epochs 2 runs the tutorial's recipe for 2 epochs.
"""

from __future__ import annotations

import argparse
import dataclasses

from fmnist.model import config
from fmnist.runs import groups

SETTINGS = ("model", "epochs", "batch_size", "learning_rate", "optimizer", "schedule", "validation_split", "limit", "seed",
            "hidden_units", "filters", "dense_units", "dropout", "batch_norm", "norm_after_pool", "augment",
            "drawings", "early_stopping", "label_smoothing")  # fmt: skip
PRESETS = config.PRESETS


def widths(text: str) -> tuple[int, ...]:
    try:
        return config.parse_widths(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def seeds(text: str) -> tuple[int, ...]:
    try:
        return groups.parse_seeds(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def per_model(key: str) -> str:
    """Each model's default of one setting, for a help text: "onecycle for the MLP, onecycle for the CNN"."""
    shown = {
        model: format(setting[key], "g" if isinstance(setting[key], float) else "") for model, setting in config.DEFAULTS.items()
    }
    return ", ".join(f"{value} for the {model.upper()}" for model, value in shown.items())


def add_arguments(train: argparse.ArgumentParser) -> None:
    """The options that decide a run (all default to None: "not given")."""
    add = train.add_argument
    add(
        "--preset",
        choices=PRESETS,
        help="start from a recipe: tutorial = MLP, 10 epochs, batch 32, Adam 1e-3, constant rate, no validation; "
        "cnn-fast = the quickest CNN recipe of the accuracy/time frontier (4 epochs); "
        "cnn-accurate = the most accurate within 2.5x the tutorial's time (10 epochs, label smoothing 0.1); "
        "figures in docs/benchmarks.md",
    )
    add("--model", choices=config.ARCHITECTURES, help="architecture (default: mlp, the tutorial's)")
    add("--epochs", type=int, help="passes over the data (default: the model's)")
    add("--batch-size", type=int, help="images per step (default: the model's)")
    add("--learning-rate", type=float, help="optimizer step size (default: the model's)")
    add("--optimizer", choices=config.OPTIMIZERS, help="default: adam")
    add(
        "--schedule",
        choices=config.SCHEDULES,
        help="learning rate over the run: onecycle = warm-up, then cosine decay (default: the model's, "
        f"{per_model('schedule')}; the tutorial: constant)",
    )
    add("--validation-split", type=float, help=f"fraction held out for validation (default: {per_model('validation_split')})")
    add("--limit", type=int, help="train on the first N training images only")
    add("--seed", type=int, help="random seed (default: 0)")
    add(
        "--seeds",
        type=seeds,
        metavar="0,1,2",
        help="train the same settings once per seed, one after the other, recorded as one group (/runs shows its "
        f"mean ± sd); at most {groups.MAX_SEEDS}",
    )
    add("--hidden-units", type=widths, help='MLP: units of each hidden layer, e.g. "256,128" (default: 128)')
    add("--filters", type=widths, help='CNN: filters of each convolution block, e.g. "16,32,64" (default: 16,32)')
    add("--dense-units", type=int, help="CNN: units of the dense layer (default: 128)")
    add("--dropout", type=float, help="dropout fraction (default: 0)")
    add(
        "--batch-norm",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="batch normalisation after each hidden layer (MLP) or convolution (CNN), before its ReLU (default: on)",
    )
    add(
        "--norm-after-pool",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="CNN with --batch-norm: pool first, then normalise (a quarter of the values; faster; default: on)",
    )
    add(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="random shifts, rotations and zooms of the training images",
    )
    add(
        "--drawings",
        type=float,
        metavar="SHARE",
        help=f"show this share of the training images as drawings: flat shapes and outlines of their masks (0 to "
        f"{config.MAX_DRAWINGS}; default: 0)",
    )
    add(
        "--early-stopping",
        type=int,
        metavar="PATIENCE",
        help="stop after PATIENCE epochs without a lower validation loss, keep the best weights",
    )
    add(
        "--label-smoothing",
        type=float,
        metavar="S",
        help=f"aim the loss at 1 - S + S/10 for the true class and S/10 for the others (0 to {config.MAX_LABEL_SMOOTHING}; "
        "default: 0, the tutorial's loss)",
    )


def config_from_args(args) -> config.TrainConfig:
    """The resolved TrainConfig of the options given (ValueError, for a person, if they make none); --seeds
    is not part of it (see train_configs)."""
    values = dict(PRESETS[args.preset]) if args.preset else {}
    values.update({name: getattr(args, name) for name in SETTINGS if getattr(args, name) is not None})
    return config.TrainConfig(**values).resolved()


def train_configs(args) -> list[config.TrainConfig]:
    """The runs the options ask for: one, or with --seeds one per seed (ValueError, for a person, if they make none)."""
    if getattr(args, "seeds", None) is None:
        return [config_from_args(args)]
    if args.seed is not None:
        raise ValueError("give either --seed or --seeds, not both")
    first = config_from_args(args)
    return [dataclasses.replace(first, seed=seed) for seed in args.seeds]
