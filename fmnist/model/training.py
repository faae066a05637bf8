"""One training run in this process: build, compile, fit, with its history reported as it learns.

This is what a job's child process runs (see fmnist.runs.jobs and fmnist.runs.worker), and
what the command line runs in its own process. `train` reports every batch and
epoch as an event to `emit` and obeys a `Control` (stop keeps the weights learned
so far; pause blocks between two steps with the optimizer state intact).
`TrainingJob` is a small wrapper for callers that just want a trained model and
its history (the benchmark, the tests).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import numpy as np

from fmnist.data import fashion_mnist as fdata
from fmnist.model.config import ARCHITECTURES, DEFAULTS, OPTIMIZERS, SCHEDULES, TrainConfig  # noqa: F401 (re-exported)
from fmnist.model.history import (
    Control,
    Progress,
    RunLog,
    StopRequested,
    empty_history,
    keras_callback,
)


def train(
    config: TrainConfig, dataset: fdata.Dataset, emit, control: Control, strategy=None, tensorboard_dir=None, epoch_writer=None
):
    """Fit a model as `config` says; return (model, seconds of training, whether it was stopped).

    With `epoch_writer`, every finished epoch's predictions on a probe set and its confusion matrix are
    recorded (fmnist.runs.epoch_records) and `epoch_writer(document)` is called with all the records so far.

    With `tensorboard_dir`, Keras's TensorBoard callback also writes event files there: loss and
    accuracy per step (per call of `steps_per_execution` steps) and per epoch, for `tensorboard --logdir`.
    """
    import keras  # Imported lazily: TensorFlow is slow to start.

    from fmnist.model import architectures
    from fmnist.model.distribute import fit_custom, needs_custom_loop
    from fmnist.model.predict import as_batch

    config = config.resolved()
    images, labels = dataset.train_images, dataset.train_labels
    if config.limit is not None:
        images, labels = images[: config.limit], labels[: config.limit]
    # The training images stay bytes: the pipeline scales each batch (see shuffled_batches).
    x, y = images, labels.astype(np.int32)
    n_val = int(len(x) * config.validation_split)
    validation = (as_batch(x[len(x) - n_val :]), y[len(y) - n_val :]) if n_val else None
    x, y = x[: len(x) - n_val], y[: len(y) - n_val]

    # Reseeds Python, NumPy and TensorFlow: harmless here, because this process trains one run only.
    keras.utils.set_random_seed(config.seed)
    steps = -(-len(x) // config.batch_size)
    decay_steps = steps * config.epochs if config.schedule != "constant" else None
    # Under a strategy every step is its own call: distributed `fit` fails with steps_per_execution > 1.
    execution = architectures.EXECUTION[config.model] if strategy is None else None
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        network = architectures.build(config.model, config.architecture(), synchronized=strategy is not None)
        model = architectures.compile_model(
            network, config.optimizer, config.learning_rate, decay_steps, execution, config.schedule, config.label_smoothing
        )
    recorder = keras_callback(emit, control, steps, config.epochs, config.batch_size, len(x))
    callbacks = [recorder]
    if config.early_stopping:
        early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.early_stopping, restore_best_weights=True)
        callbacks.append(early)
    if epoch_writer is not None:
        from fmnist.runs import epoch_records

        # First, so that when the page sees an epoch end, that epoch's records are already written.
        callbacks.insert(0, epoch_records.for_run(epoch_writer, dataset.test_images, dataset.test_labels, validation))
    if tensorboard_dir is not None:
        callbacks.append(
            keras.callbacks.TensorBoard(str(tensorboard_dir), update_freq="batch", write_graph=False, profile_batch=0)
        )
    started = time.perf_counter()
    stopped = False
    try:
        if needs_custom_loop(strategy):
            if config.augment or config.drawings or config.early_stopping or config.label_smoothing:
                raise ValueError("Augmentation, early stopping and label smoothing are not available with multi-worker training.")
            # The custom loop drives our own callbacks only (TensorBoard's needs `fit`'s internals).
            hooks = keras.callbacks.CallbackList([c for c in callbacks if not isinstance(c, keras.callbacks.TensorBoard)])
            fit_custom(model, strategy, as_batch(x), y, config.batch_size, config.epochs, validation, hooks, config.seed)
        else:
            model.fit(
                shuffled_batches(x, y, config.batch_size, config.seed, config.augment, config.drawings),
                shuffle=False,  # The pipeline shuffles.
                epochs=config.epochs,
                validation_data=validation,
                callbacks=callbacks,
                verbose=0,
            )  # fmt: skip
    except StopRequested:
        stopped = True  # The weights learned so far stay in the model.
    if config.early_stopping and not stopped and early.stopped_epoch:
        # Said once, at the end: the run ended before its last epoch and holds the weights of its best one.
        emit({"type": "early_stop", "stopped_epoch": early.stopped_epoch + 1, "best_epoch": early.best_epoch + 1})
    return model, time.perf_counter() - started - recorder.paused_seconds, stopped or control.stop_requested()


@dataclass
class Snapshot:
    """A consistent copy of a job's state."""

    status: str
    error: str | None
    progress: Progress
    history: dict = field(default_factory=empty_history)


class TrainingJob:
    """One training run in the calling thread: `run()` it, then read `model`, `status` and `snapshot()`."""

    def __init__(self, config: TrainConfig, dataset: fdata.Dataset | None = None, strategy=None):
        self.config = config.resolved()
        self.dataset = dataset
        self.strategy = strategy
        self.model = None  # The Keras model, once trained; it keeps its weights after a stop.
        self.train_seconds = 0.0
        self.log = RunLog()
        self.control = Control()
        self.status = "queued"
        self.error: str | None = None

    def snapshot(self) -> Snapshot:
        return Snapshot(self.status, self.error, *self.log.copy())

    def run(self) -> TrainingJob:
        """Train until done, stopped or failed; a failure becomes `status` "failed" and `error`."""
        self.status = "running"
        try:
            dataset = self.dataset if self.dataset is not None else fdata.load()
            self.model, self.train_seconds, stopped = train(self.config, dataset, self.log.apply, self.control, self.strategy)
            self.status = "stopped" if stopped else "finished"
        except Exception as error:
            self.status, self.error = "failed", describe_error(error)
        return self


def shuffled_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int, augment: bool = False, drawings: float = 0.0):
    """A tf.data pipeline that reshuffles each epoch by index and gathers batches from memory (augmented if asked,
    and a share `drawings` of the images shown as drawings).

    Faster per epoch than handing `fit` the numpy arrays (docs/benchmarks.md), and deterministic for a given
    seed. The images (0..255, as the dataset's bytes) stay as they are in memory and each batch is scaled as it is
    gathered: the same float32 values as `predict.as_batch` gives for all 60,000 at once, without two float32
    copies of the whole training set before the first step.
    """
    import tensorflow as tf

    images, labels = tf.constant(x), tf.constant(y)

    def batch(index):
        return tf.cast(tf.gather(images, index), tf.float32) / 255.0, tf.gather(labels, index)

    order = tf.data.Dataset.range(len(x)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    batches = order.batch(batch_size).map(
        batch,
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    if augment:
        from fmnist.data import augment as faugment

        batches = faugment.map_batches(batches, seed)
    if drawings:
        from fmnist.data import augment as faugment

        batches = faugment.map_drawings(batches, seed, drawings)
    return batches.prefetch(tf.data.AUTOTUNE)


def describe_error(error: BaseException) -> str:
    """A one-line message for a person from an exception raised during training."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if isinstance(error, MemoryError) or "OOM" in text or "out of memory" in text.lower():
        return "Training ran out of memory. Try a smaller batch size or a smaller training subset."
    if isinstance(error, ValueError) and text:
        return text
    return f"Training failed: {text or error.__class__.__name__}"
