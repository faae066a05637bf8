"""Runs side by side: the table of every run, overlaid curves, per-class accuracy, accuracy against time.

Everything here reads the run records of fmnist.runs.store and returns plain rows and arrays for a page or
the command line to draw; no TensorFlow, except `load_model`, which rebuilds a run's trained network.
"""

from __future__ import annotations

import json
import shutil

from fmnist.data import fashion_mnist
from fmnist.model.config import ACTIVE_STATUSES, DONE_STATUSES
from fmnist.runs import curves, groups, owners, store
from fmnist.runs import table as table_rows
from fmnist.settings import PROJECT_DIR

# Zalando's crowd of people labelled 1,000 test images with 83.5 % accuracy (Fashion-MNIST's README).
HUMAN_ACCURACY = 0.835
# The tutorial's own MLP recipe as measured on this project's machine by `python -m fmnist.tutorial`.
TUTORIAL_BASELINE = PROJECT_DIR / "assets" / "tutorial_baseline.json"


class ExperimentsError(Exception):
    """A run cannot be compared, deleted or loaded; the message says why, for a person."""


def row(run: store.Run) -> dict:
    """One run as a table row: what it trained, how it ended, how good it is (fmnist.runs.table.row)."""
    return table_rows.row(run)


def table(root=None) -> list[dict]:
    """Every run, newest first, as rows; a damaged folder as an "unreadable" row (fmnist.runs.table.rows)."""
    return table_rows.rows(root)


def overlay(run_ids: list[str], metric: str, by: str = "step", root=None) -> list[dict]:
    """Rows (run, x, value, series) to overlay one metric of several runs, by "step" or by "epoch".

    By step: the smoothed per-batch curve of each run. By epoch: the training and validation values.
    """
    if metric not in ("loss", "accuracy"):
        raise ValueError(f'metric must be "loss" or "accuracy", not "{metric}".')
    if by not in ("step", "epoch"):
        raise ValueError(f'by must be "step" or "epoch", not "{by}".')
    rows = []
    for run_id in run_ids:
        history = store.get(run_id, root).history().get("history", {})
        if by == "step":
            batch = curves.batch_curves(history)
            rows += [
                {"run": run_id, "x": int(x), "value": float(v), "series": "train"}
                for x, v in zip(batch["step"], batch[f"{metric}_smoothed"], strict=True)
            ]
        else:
            for series, key in (("train", metric), ("validation", f"val_{metric}")):
                values = history.get(key) or []
                rows += [
                    {"run": run_id, "x": int(epoch), "value": float(v), "series": series}
                    for epoch, v in zip(history.get("epoch", []), values, strict=False)
                ]
    return rows


def group_overlay(run_ids: list[str], metric: str, by: str = "step", root=None) -> list[dict]:
    """One metric of a group of runs as its mean and sample sd at each point: rows (x, series, value, sd, low,
    high, n) for a mean line and a band (fmnist.runs.groups.band). Reads the histories of these runs only."""
    points = overlay(run_ids, metric, by, root)
    return groups.band([[p for p in points if p["run"] == run_id] for run_id in run_ids])


def per_class(run_ids: list[str], root=None) -> list[dict]:
    """Rows (run, class, accuracy) of each evaluated run, for a side-by-side table."""
    rows = []
    for run_id in run_ids:
        evaluation = store.get(run_id, root).evaluation() or {}
        for class_id, accuracy in enumerate(evaluation.get("per_class_accuracy") or []):
            rows.append(
                {"run": run_id, "class_id": class_id, "class": fashion_mnist.CLASS_NAMES[class_id], "accuracy": float(accuracy)}
            )
    return rows


def frontier(rows: list[dict]) -> list[dict]:
    """The evaluated runs that no other run beats on both accuracy and training time, fastest first."""
    done = sorted(
        (r for r in rows if r["test_accuracy"] is not None and r["train_seconds"]),
        key=lambda r: (r["train_seconds"], -r["test_accuracy"]),
    )
    best, kept = -1.0, []
    for r in done:
        if r["test_accuracy"] > best:
            kept.append(r)
            best = r["test_accuracy"]
    return kept


def tutorial_baseline() -> dict | None:
    """The measured tutorial recipe: {"test_accuracy", "train_seconds", "wall_seconds", ...}, or None if missing."""
    try:
        return json.loads(TUTORIAL_BASELINE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def best(rows: list[dict]) -> dict | None:
    """The evaluated run with the highest test accuracy, or None."""
    scored = [r for r in rows if r["test_accuracy"] is not None]
    return max(scored, key=lambda r: r["test_accuracy"]) if scored else None


def delete(run_id: str, root=None, *, actor) -> None:
    """Remove a run's folder; a run that is still queued, training or paused must be stopped first.
    NotAllowed (fmnist.runs.owners) unless `actor` may manage the run."""
    run = store.get(run_id, root)
    owners.require(actor, "delete", run_id, run.owner()[0])
    if run.status().get("status") in ACTIVE_STATUSES:
        raise ExperimentsError("This run is still queued or training: stop or cancel it before deleting it.")
    try:
        shutil.rmtree(run.path)
    except OSError as error:
        raise ExperimentsError(f"The run could not be deleted ({error.strerror or error}).") from None


def load_model(run_id: str, root=None):
    """The trained Keras model of a finished or stopped run, rebuilt from its config and weights."""
    run = store.get(run_id, root)
    if run.status().get("status") not in DONE_STATUSES or not run.weights_path.is_file():
        raise ExperimentsError("This run has no trained weights (it failed, was cancelled, or is still training).")
    from fmnist.model import architectures

    config = run.config()
    model = architectures.build(config.model, config.architecture())
    try:
        model.load_weights(run.weights_path)
    except Exception as error:  # A damaged or foreign weights file: say so, never a traceback.
        raise ExperimentsError(f"The run's weights could not be loaded ({error.__class__.__name__}).") from None
    return model
