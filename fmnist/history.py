"""The record of a training run, and the Keras callback that writes it.

A `RunLog` holds per-batch and per-epoch metrics and the progress of one run
under a lock: the training thread appends, any other thread copies. The
callback that appends is built on demand, so that importing this module (and
so `fmnist.training`) needs no TensorFlow.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass

import numpy as np


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
    elapsed: float = 0.0  # Seconds since training began.
    eta: float | None = None  # Estimated seconds left, once known.


class RunLog:
    """History and progress of one run, guarded by `lock`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.history = empty_history()
        self.progress = Progress()

    def copy_unlocked(self) -> tuple[Progress, dict]:
        """A copy of (progress, history); the caller holds `lock`."""
        return copy.copy(self.progress), {key: list(values) for key, values in self.history.items()}


class StopRequested(Exception):
    """Raised from inside `fit` when a stop was asked for, so that no validation pass delays it."""


def keras_callback(log: RunLog, stop: threading.Event, steps: int, epochs: int, batch_size: int, n_samples: int):
    """A Keras callback that writes each batch and epoch into `log` and stops training once `stop` is set.

    It is defined inside this function so that importing this module needs no TensorFlow.
    """
    import keras

    class Recorder(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.started = time.perf_counter()
            self.step = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            self.seen = 0  # Batches of this epoch reported so far.
            self.previous = {"loss": 0.0, "accuracy": 0.0}

        def on_train_batch_end(self, batch, logs=None):
            logs = logs or {}
            k = batch + 1
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
            total = epochs * steps
            with log.lock:
                history = log.history
                history["step"].append(self.step)
                history["batch_loss"].append(values["loss"])
                history["batch_accuracy"].append(values["accuracy"])
                log.progress = Progress(
                    epoch=self.epoch,
                    batch=k,
                    steps_per_epoch=steps,
                    samples_per_second=min(done * batch_size, (self.epoch + 1) * n_samples) / elapsed if elapsed else 0.0,
                    elapsed=elapsed,
                    eta=elapsed / done * (total - done),
                )
            if stop.is_set():
                # The epoch ends here: record its training figures so far, then leave `fit` at once
                # (setting model.stop_training would still run the validation pass first).
                self.model.stop_training = True
                with log.lock:
                    log.history["epoch"].append(self.epoch + 1)
                    log.history["epoch_step"].append(self.step)
                    log.history["epoch_elapsed"].append(elapsed)
                    for key in ("loss", "accuracy"):
                        log.history[key].append(self.previous[key])
                raise StopRequested()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            with log.lock:
                history = log.history
                history["epoch"].append(epoch + 1)
                history["epoch_step"].append(self.step)
                history["epoch_elapsed"].append(time.perf_counter() - self.started)
                for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                    if key in logs:
                        history[key].append(float(logs[key]))
                log.progress.epoch = epoch + 1
                log.progress.batch = 0

    return Recorder()
