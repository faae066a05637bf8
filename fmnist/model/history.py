"""The record of a training run as it learns, and the Keras callback that reports it.

The callback turns every batch and epoch into a small event (a dict that is
also one JSON line of the child's progress stream); a `RunLog` applies events
to a history and a progress under a lock, in the process that trains and in
the server that reads the stream. Building the callback imports Keras; the
rest of this module needs no TensorFlow.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from dataclasses import asdict, dataclass

import numpy as np

EPOCH_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


def final_metrics(history: dict) -> dict:
    """The last recorded training and validation loss and accuracy, named as the runs table names them
    ("train_loss", "train_accuracy", "val_loss", "val_accuracy"); None where there is none (no epoch ended, no
    validation, a value that is not finite)."""
    metrics = {}
    for key in EPOCH_KEYS:
        values = history.get(key) or [None]
        last = values[-1]
        finite = isinstance(last, (int, float)) and not isinstance(last, bool) and math.isfinite(last)
        metrics[key if key.startswith("val_") else f"train_{key}"] = float(last) if finite else None
    return metrics


def empty_history() -> dict:
    """The history layout: per-batch lists (x = global step) and per-epoch lists."""
    return {
        "step": [], "batch_loss": [], "batch_accuracy": [],
        "epoch": [], "epoch_step": [], "epoch_elapsed": [], "loss": [], "accuracy": [], "val_loss": [], "val_accuracy": [],
    }  # fmt: skip


@dataclass
class Progress:
    """Where a run stands, for a progress bar."""

    epoch: int = 0  # Epochs finished so far.
    batch: int = 0  # Batches finished within the current epoch.
    steps_per_epoch: int = 0
    samples_per_second: float = 0.0
    elapsed: float = 0.0  # Seconds of training so far (pauses not counted).
    eta: float | None = None  # Estimated seconds left, once known.

    def position(self, epochs: int) -> tuple[int, int, float]:
        """(epoch shown, batch shown, fraction done) for a run of `epochs` epochs.

        Within an epoch it is "epoch e+1, batch k"; right after an epoch ends it is that
        epoch with all its batches, so the counter never runs ahead of what was trained.
        """
        if not self.steps_per_epoch:
            return 1, 0, 0.0
        done = min(self.epoch * self.steps_per_epoch + self.batch, epochs * self.steps_per_epoch)
        if self.batch:
            shown = (min(self.epoch + 1, epochs), self.batch)
        else:
            shown = (max(1, min(self.epoch, epochs)), self.steps_per_epoch if self.epoch else 0)
        return shown[0], shown[1], done / (epochs * self.steps_per_epoch)

    @classmethod
    def from_dict(cls, values: dict | None) -> Progress:
        names = cls.__dataclass_fields__
        return cls(**{key: value for key, value in (values or {}).items() if key in names})


class RunLog:
    """History and progress of one run, guarded by `lock`; `apply` takes the callback's events."""

    def __init__(self, history: dict | None = None, progress: Progress | None = None):
        self.lock = threading.Lock()
        self.history = empty_history() if history is None else history
        self.progress = progress or Progress()

    def apply(self, event: dict) -> None:
        """Record one "batch" or "epoch" event; other events are ignored."""
        with self.lock:
            history = self.history
            if event.get("type") == "batch":
                history["step"].append(event["step"])
                history["batch_loss"].append(event["loss"])
                history["batch_accuracy"].append(event["accuracy"])
                self.progress = Progress.from_dict(event["progress"])
            elif event.get("type") == "epoch":
                history["epoch"].append(event["epoch"])
                history["epoch_step"].append(event["step"])
                history["epoch_elapsed"].append(event["elapsed"])
                for key in EPOCH_KEYS:
                    if key in event:
                        history[key].append(event[key])
                if not event.get("partial"):
                    self.progress.epoch, self.progress.batch = event["epoch"], 0

    def copy(self) -> tuple[Progress, dict]:
        """A consistent copy of (progress, history)."""
        with self.lock:
            return copy.copy(self.progress), {key: list(values) for key, values in self.history.items()}

    def to_dict(self) -> dict:
        """The log as JSON-ready values (history.json in a run's folder)."""
        progress, history = self.copy()
        return {"history": history, "progress": asdict(progress)}

    @classmethod
    def from_dict(cls, values: dict) -> RunLog:
        history = empty_history()
        for key, items in (values.get("history") or {}).items():
            if key in history and isinstance(items, list):
                history[key] = items
        return cls(history, Progress.from_dict(values.get("progress")))


class StopRequested(Exception):
    """Raised from inside `fit` when a stop was asked for, so that no validation pass delays it."""


class Control:
    """Stop and pause requests for a run, set from another thread (a signal handler or a pipe reader)."""

    def __init__(self):
        self.stop_event = threading.Event()
        self.running = threading.Event()  # Cleared while paused.
        self.running.set()
        self.on_pause = None  # Called with True when a pause begins and False when it ends.

    def stop(self) -> None:
        self.stop_event.set()
        self.running.set()  # A paused run wakes up to stop.

    def pause(self) -> None:
        if not self.stop_event.is_set():
            self.running.clear()

    def resume(self) -> None:
        self.running.set()

    def stop_requested(self) -> bool:
        return self.stop_event.is_set()

    def wait_while_paused(self) -> float:
        """Block while the run is paused; return the seconds spent paused."""
        if self.running.is_set():
            return 0.0
        started = time.perf_counter()
        if self.on_pause:
            self.on_pause(True)
        self.running.wait()
        if self.on_pause:
            self.on_pause(False)
        return time.perf_counter() - started


def keras_callback(emit, control: Control, steps: int, epochs: int, batch_size: int, n_samples: int):
    """A Keras callback that emits each batch and epoch as an event, pauses and stops on request.

    It is defined inside this function so that importing this module needs no TensorFlow.
    """
    import keras

    class Recorder(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.started = time.perf_counter()
            self.step = 0
            self.paused_seconds = 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            self.seen = 0  # Batches of this epoch reported so far.
            self.previous = {"loss": 0.0, "accuracy": 0.0}

        def on_train_batch_end(self, batch, logs=None):
            logs = logs or {}
            k = min(batch + 1, steps)  # With steps_per_execution, Keras may count past a short epoch's end.
            # Keras reports running means within the epoch, once per `steps_per_execution` batches;
            # recover the mean of the batches since the last report.
            new = max(1, k - self.seen)
            values = {}
            for key in ("loss", "accuracy"):
                mean = float(logs.get(key, np.nan))
                values[key] = (k * mean - self.seen * self.previous[key]) / new
                self.previous[key] = mean
            self.seen = k
            self.step = self.epoch * steps + k
            elapsed = time.perf_counter() - self.started
            done = self.epoch * steps + k
            progress = Progress(
                epoch=self.epoch,
                batch=k,
                steps_per_epoch=steps,
                samples_per_second=min(done * batch_size, (self.epoch + 1) * n_samples) / elapsed if elapsed else 0.0,
                elapsed=elapsed,
                eta=elapsed / done * (epochs * steps - done),
            )
            emit(
                {
                    "type": "batch",
                    "step": self.step,
                    "loss": values["loss"],
                    "accuracy": values["accuracy"],
                    "progress": asdict(progress),
                }
            )
            # A paused run waits here, between two steps; the time paused does not count as training.
            paused = control.wait_while_paused()
            self.started += paused
            self.paused_seconds += paused
            if control.stop_requested():
                # The epoch ends here: record its training figures so far, then leave `fit` at once
                # (setting model.stop_training would still run the validation pass first).
                self.model.stop_training = True
                emit({"type": "epoch", "epoch": self.epoch + 1, "step": self.step, "elapsed": elapsed, "partial": True,
                      "loss": self.previous["loss"], "accuracy": self.previous["accuracy"]})  # fmt: skip
                raise StopRequested()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            event = {"type": "epoch", "epoch": epoch + 1, "step": self.step, "elapsed": time.perf_counter() - self.started}
            event.update({key: float(logs[key]) for key in EPOCH_KEYS if key in logs})
            emit(event)

    return Recorder()
