"""Train a model in a worker thread and record its history as it learns.

A `TrainingJob` owns one `model.fit` run. A Keras callback appends per-batch
and per-epoch metrics to the job's history under a lock and checks a stop
flag, so a web page (or a terminal) can draw progress from `snapshot()` while
the thread trains, and `stop()` takes effect within one batch, keeping the
weights learned so far. A server-wide semaphore bounds concurrent trainings
(`$FMNIST_MAX_TRAININGS`, default 1); `start()` raises `TrainerBusy` when full.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

from fmnist import data as fdata
from fmnist.history import Progress, RunLog, StopRequested, empty_history, keras_callback  # noqa: F401 (re-exported)

STATUSES = ("queued", "running", "stopped", "finished", "failed")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("cosine", "constant")

# Each model's defaults: the best speed/accuracy trade-off measured on a 2-core CPU (see README).
DEFAULTS = {
    "mlp": {"epochs": 7, "batch_size": 256, "learning_rate": 5e-3},
    "cnn": {"epochs": 12, "batch_size": 256, "learning_rate": 3e-3},
}
ARCHITECTURES = tuple(DEFAULTS)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; None means "the model's default"."""

    # Architecture name: "mlp" (the tutorial's network) or "cnn".
    model: str = "mlp"
    # Passes over the training images.
    epochs: int | None = None
    # Images per gradient step.
    batch_size: int | None = None
    # Step size of the optimizer.
    learning_rate: float | None = None
    # "adam", "sgd" (with momentum 0.9) or "rmsprop".
    optimizer: str = "adam"
    # Fraction of the training images held out to validate after each epoch (0 for none).
    validation_split: float = 0.1
    # "cosine" decays the learning rate to 2 % of its start over the run; "constant" keeps it (the tutorial).
    schedule: str = "cosine"
    # Train on only the first `limit` training images (None for all 60000).
    limit: int | None = None
    # Seeds weights, shuffling and dropout: same seed, same machine -> same metrics.
    seed: int = 0

    def resolved(self) -> "TrainConfig":
        """A copy with every None replaced by the model's default, after checking all values."""
        if self.model not in ARCHITECTURES:
            raise ValueError(f'Unknown model "{self.model}"; choose one of: {", ".join(ARCHITECTURES)}.')
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f'Unknown optimizer "{self.optimizer}"; choose one of: {", ".join(OPTIMIZERS)}.')
        if self.schedule not in SCHEDULES:
            raise ValueError(f'Unknown schedule "{self.schedule}"; choose one of: {", ".join(SCHEDULES)}.')
        filled = {key: value if getattr(self, key) is None else getattr(self, key) for key, value in DEFAULTS[self.model].items()}
        config = replace(self, **filled)
        if not 1 <= config.epochs <= 1000:
            raise ValueError(f"Epochs must be between 1 and 1000, not {config.epochs}.")
        if not 1 <= config.batch_size <= 60000:
            raise ValueError(f"The batch size must be between 1 and 60000, not {config.batch_size}.")
        if not 0 < config.learning_rate <= 10:
            raise ValueError(f"The learning rate must be above 0 and at most 10, not {config.learning_rate}.")
        if not 0 <= config.validation_split < 1:
            raise ValueError(f"The validation split must be at least 0 and below 1, not {config.validation_split}.")
        if config.limit is not None and not 10 <= config.limit <= 60000:
            raise ValueError(f"The training subset must hold between 10 and 60000 images, not {config.limit}.")
        return config

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in names})


class TrainerBusy(RuntimeError):
    """Every training slot of this server is taken."""


_SLOTS = threading.BoundedSemaphore(max(1, int(os.environ.get("FMNIST_MAX_TRAININGS", "1"))))


@dataclass
class Snapshot:
    """A consistent copy of a job's state, safe to read while the job trains."""

    status: str
    error: str | None
    progress: Progress
    history: dict = field(default_factory=empty_history)


class TrainingJob:
    """One training run in a worker thread; read it with `snapshot()`, end it with `stop()`."""

    def __init__(self, config: TrainConfig, dataset: fdata.Dataset | None = None, strategy=None):
        self.config = config.resolved()
        self.dataset = dataset
        self.strategy = strategy
        self.model = None  # The Keras model, once built; it keeps its weights after stop().
        self.train_seconds = 0.0
        self.log = RunLog()
        self._lock = self.log.lock  # One lock guards the log and the status, so snapshots are consistent.
        self._stop = threading.Event()
        self._status = "queued"
        self._error: str | None = None
        self._thread: threading.Thread | None = None

    # Reading state.

    @property
    def status(self) -> str:
        with self._lock:
            return self._status

    @property
    def error(self) -> str | None:
        with self._lock:
            return self._error

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(self._status, self._error, *self.log.copy_unlocked())

    @property
    def done(self) -> bool:
        return self.status in ("stopped", "finished", "failed")

    # Controlling the run.

    def start(self) -> "TrainingJob":
        """Begin training in a worker thread; raise TrainerBusy if every slot is taken."""
        if self._thread is not None:
            raise RuntimeError("This training job has already been started.")
        if not _SLOTS.acquire(blocking=False):
            raise TrainerBusy("The trainer is busy: another training is running on this server. Try again when it ends.")
        self._thread = threading.Thread(target=self._run_and_release, name="fmnist-training", daemon=True)
        self._thread.start()
        return self

    def run(self) -> "TrainingJob":
        """Train in the calling thread (no slot is taken); return when done."""
        self._run()
        return self

    def stop(self) -> None:
        """Ask the run to end after the current batch; the weights learned so far are kept."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the worker thread; return True when the job is done."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.done

    def metadata(self, evaluation, made_by: str) -> dict:
        """What the registry records about this run's model; `made_by` is the command or page that trained it."""
        history = self.snapshot().history
        return {
            "architecture": self.config.model,
            "config": self.config.to_dict(),
            "seed": self.config.seed,
            "metrics": {
                "test_accuracy": evaluation.accuracy,
                "test_loss": evaluation.loss,
                "per_class_accuracy": [round(float(a), 4) for a in evaluation.per_class_accuracy],
                "final_train_accuracy": history["accuracy"][-1] if history["accuracy"] else None,
                "final_val_accuracy": history["val_accuracy"][-1] if history["val_accuracy"] else None,
            },
            "epochs_run": len(history["epoch"]),
            "status": self.status,
            "train_seconds": round(self.train_seconds, 2),
            "command": made_by,
            "dataset_sha256": dict(fdata.SHA256),
        }

    # The worker.

    def _run_and_release(self) -> None:
        try:
            self._run()
        finally:
            _SLOTS.release()

    def _set(self, **changes) -> None:
        with self._lock:
            for key, value in changes.items():
                setattr(self, f"_{key}", value)

    def _run(self) -> None:
        try:
            self._set(status="running")
            self._train()
            self._set(status="stopped" if self._stop.is_set() else "finished")
        except Exception as error:  # The page shows the message; the server keeps serving.
            self._set(status="failed", error=describe_error(error))

    def _train(self) -> None:
        import keras  # Imported lazily: TensorFlow is slow to start.

        from fmnist import models
        from fmnist.distribute import fit_custom, needs_custom_loop

        config = self.config
        dataset = self.dataset if self.dataset is not None else fdata.load()
        images, labels = dataset.train_images, dataset.train_labels
        if config.limit is not None:
            images, labels = images[: config.limit], labels[: config.limit]
        x = images.astype(np.float32) / 255.0
        y = labels.astype(np.int32)
        n_val = int(len(x) * config.validation_split)
        validation = (x[len(x) - n_val :], y[len(y) - n_val :]) if n_val else None
        x, y = x[: len(x) - n_val], y[: len(y) - n_val]

        keras.utils.set_random_seed(config.seed)
        steps = -(-len(x) // config.batch_size)
        decay_steps = steps * config.epochs if config.schedule == "cosine" else None
        # Under a strategy every step is its own call: distributed `fit` fails with steps_per_execution > 1.
        execution = models.EXECUTION[config.model] if self.strategy is None else None
        with self.strategy.scope() if self.strategy is not None else contextlib.nullcontext():
            self.model = models.compile_model(
                models.build(config.model), config.optimizer, config.learning_rate, decay_steps, execution
            )
        recorder = keras_callback(self.log, self._stop, steps, config.epochs, config.batch_size, len(x))
        started = time.perf_counter()
        try:
            if needs_custom_loop(self.strategy):
                fit_custom(self.model, self.strategy, x, y, config.batch_size, config.epochs, validation, recorder, config.seed)
            else:
                self.model.fit(
                    shuffled_batches(x, y, config.batch_size, config.seed),
                    shuffle=False,  # The pipeline shuffles.
                    epochs=config.epochs,
                    validation_data=validation,
                    callbacks=[recorder],
                    verbose=0,
                )  # fmt: skip
        except StopRequested:
            pass  # The weights learned so far stay in self.model.
        self.train_seconds = time.perf_counter() - started


def shuffled_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int):
    """A tf.data pipeline that reshuffles each epoch by index and gathers batches from memory.

    Measured 1.6x faster per epoch than handing `fit` the numpy arrays (README "Performance"),
    and deterministic for a given seed.
    """
    import tensorflow as tf

    images, labels = tf.constant(x), tf.constant(y)
    order = tf.data.Dataset.range(len(x)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    batches = order.batch(batch_size).map(
        lambda index: (tf.gather(images, index), tf.gather(labels, index)),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    return batches.prefetch(tf.data.AUTOTUNE)


def describe_error(error: BaseException) -> str:
    """A one-line message for a person from an exception raised during training."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if isinstance(error, MemoryError) or "OOM" in text or "out of memory" in text.lower():
        return "Training ran out of memory. Try a smaller batch size or a smaller training subset."
    if isinstance(error, ValueError) and text:
        return text
    return f"Training failed: {text or error.__class__.__name__}"
