"""Training curves as plain arrays, thinned out for drawing many times a second.

A long run records tens of thousands of batches (the tutorial's recipe: 10
epochs of 1,875); a browser chart redrawn every second needs a few hundred points. Smoothing is done on every batch first and
only then are evenly spaced points kept, so the smoothed line looks the same
at any size, and the last batch is always among the points drawn. Per-epoch
values are placed at the step where their epoch ended, so one chart can show
both.
"""

from __future__ import annotations

import numpy as np

# Points per line a live chart draws; more only slows the browser down.
MAX_POINTS = 400


def smooth(values, weight: float | None = None) -> np.ndarray:
    """The bias-corrected exponential moving average of `values`, skipping NaNs.

    By default the average spans about a fiftieth of the run, and at least ten steps.
    """
    if weight is None:
        weight = 1 - 1 / max(10.0, len(values) / 50)
    smoothed = np.full(len(values), np.nan)
    average, count = 0.0, 0
    for i, value in enumerate(values):
        if np.isfinite(value):
            average = weight * average + (1 - weight) * value
            count += 1
        if count:
            smoothed[i] = average / (1 - weight**count)
    return smoothed


def downsample_indices(n: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """At most `max_points` evenly spaced indices into n items, always the first and the last."""
    if max_points < 2:
        raise ValueError(f"max_points must be at least 2, not {max_points}.")
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(np.int64))


def batch_curves(history: dict, max_points: int = MAX_POINTS, smoothing: float | None = None) -> dict[str, np.ndarray]:
    """Per-batch loss and accuracy, raw and smoothed, at no more than `max_points` steps.

    Returns arrays "step", "loss", "loss_smoothed", "accuracy" and "accuracy_smoothed", all the same length.
    """
    loss = np.asarray(history.get("batch_loss") or [], dtype=float)
    accuracy = np.asarray(history.get("batch_accuracy") or [], dtype=float)
    n = min(len(loss), len(accuracy))
    steps = np.asarray(history.get("step") or [], dtype=np.int64)
    steps = steps[:n] if len(steps) >= n else np.arange(1, n + 1)
    keep = downsample_indices(n, max_points)
    return {
        "step": steps[keep],
        "loss": loss[:n][keep],
        "loss_smoothed": smooth(loss[:n], smoothing)[keep] if n else np.zeros(0),
        "accuracy": accuracy[:n][keep],
        "accuracy_smoothed": smooth(accuracy[:n], smoothing)[keep] if n else np.zeros(0),
    }


def epoch_curves(history: dict) -> dict[str, np.ndarray]:
    """Per-epoch "loss", "accuracy", "val_loss", "val_accuracy" against "epoch" and "step"; missing values are NaN.

    "step" is the global step at which each epoch ended (the epoch number when steps were not recorded).
    """
    epochs = np.asarray(history.get("epoch") or [], dtype=np.int64)
    steps = np.asarray(history.get("epoch_step") or [], dtype=np.int64)
    curves = {"epoch": epochs, "step": steps[: len(epochs)] if len(steps) >= len(epochs) else epochs.copy()}
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        values = np.full(len(epochs), np.nan)
        recorded = list(history.get(key) or [])[: len(epochs)]
        values[: len(recorded)] = recorded
        curves[key] = values
    return curves


# The series of one metric's chart, in drawing order.
SERIES = ("batch", "smoothed", "train", "validation")


def chart_rows(history: dict, metric: str, max_points: int = MAX_POINTS) -> dict[str, np.ndarray]:
    """One metric ("loss" or "accuracy") as long-format columns "step", "value", "series" (one of SERIES).

    Per-batch values (raw and smoothed) are thinned to `max_points`; per-epoch training and
    validation values sit at the step where their epoch ended. NaNs are left out.
    """
    if metric not in ("loss", "accuracy"):
        raise ValueError(f'metric must be "loss" or "accuracy", not "{metric}".')
    batch, epoch = batch_curves(history, max_points), epoch_curves(history)
    parts = [
        (batch["step"], batch[metric], "batch"),
        (batch["step"], batch[f"{metric}_smoothed"], "smoothed"),
        (epoch["step"], epoch[metric], "train"),
        (epoch["step"], epoch[f"val_{metric}"], "validation"),
    ]
    steps = np.concatenate([np.asarray(s, dtype=np.int64) for s, _, _ in parts])
    values = np.concatenate([np.asarray(v, dtype=float) for _, v, _ in parts])
    series = np.concatenate([np.full(len(s), name, dtype=object) for s, _, name in parts])
    keep = np.isfinite(values)
    return {"step": steps[keep], "value": values[keep], "series": series[keep]}
