"""tf.distribute strategies by name, for training on several devices or machines.

- "mirrored": synchronous data parallelism over all local GPUs, or over the
  CPU when there is none (`cpu_devices` splits the CPU into that many logical
  devices, which must happen before TensorFlow starts using it).
- "multiworker": synchronous data parallelism over several machines, each
  running the same command with its own `TF_CONFIG` (cluster and task index).

The batch size stays the global one: each of N replicas gets batch_size / N.
"""

from __future__ import annotations

import json
import os

STRATEGIES = ("mirrored", "multiworker")


class DistributeError(RuntimeError):
    """A strategy cannot be set up; the message says why."""


def split_cpu(count: int) -> None:
    """Present the CPU as `count` logical devices; call before TensorFlow runs anything."""
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:
        raise DistributeError("The CPU can only be split into logical devices before TensorFlow starts; do it first.") from None


def make_strategy(name: str, cpu_devices: int | None = None):
    """Build the strategy called `name` ("mirrored" or "multiworker")."""
    import tensorflow as tf

    if name == "mirrored":
        if cpu_devices:
            split_cpu(cpu_devices)
        gpus = tf.config.list_logical_devices("GPU")
        if gpus:
            return tf.distribute.MirroredStrategy([d.name for d in gpus])
        cpus = tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in cpus])
    if name == "multiworker":
        config = os.environ.get("TF_CONFIG")
        if not config:
            raise DistributeError(
                'Multi-worker training needs TF_CONFIG, e.g. {"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                '"task": {"type": "worker", "index": 0}}, set on every worker.'
            )
        try:
            json.loads(config)
        except ValueError:
            raise DistributeError("TF_CONFIG is not valid JSON.") from None
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f'Unknown strategy "{name}"; choose one of: {", ".join(STRATEGIES)}.')


def is_chief() -> bool:
    """Whether this process should write results: always, except non-chief workers of a TF_CONFIG cluster."""
    try:
        task = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {})
    except ValueError:
        return True
    return task.get("type", "chief") == "chief" or (task.get("type") == "worker" and task.get("index", 0) == 0)


def needs_custom_loop(strategy) -> bool:
    """Whether Keras 3's `fit` cannot drive this strategy (it fails on multi-worker ones)."""
    if strategy is None:
        return False
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def fit_custom(model, strategy, x, y, batch_size: int, epochs: int, validation, callback, seed: int) -> None:
    """`model.fit` for strategies Keras 3's fit cannot drive (MultiWorkerMirroredStrategy, keras#20585).

    A plain synchronous data-parallel loop: each step's global batch is split
    over the replicas, gradients are summed across workers, and `callback`
    sees the same hooks and running-mean logs that `fit` would give it.
    The model must have been built and compiled inside `strategy.scope()`.
    """
    import numpy as np
    import tensorflow as tf

    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")
    optimizer = model.optimizer
    variables = model.trainable_variables

    def replica_step(images, labels):
        with tf.GradientTape() as tape:
            logits = model(images, training=True)
            loss = tf.nn.compute_average_loss(loss_fn(labels, logits), global_batch_size=batch_size)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32), labels), tf.float32))
        return loss * tf.cast(batch_size, tf.float32), correct, tf.cast(tf.shape(labels)[0], tf.float32)

    @tf.function
    def train_step(batch):
        totals = strategy.run(replica_step, args=batch)
        return [strategy.reduce(tf.distribute.ReduceOp.SUM, t, axis=None) for t in totals]

    def batches(images, labels, shuffle: bool, epoch: int):
        data = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int32)))
        if shuffle:
            data = data.shuffle(len(images), seed=seed + epoch)
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
        return strategy.experimental_distribute_dataset(data.batch(batch_size).with_options(options))

    callback.set_model(model)
    callback.on_train_begin()
    for epoch in range(epochs):
        callback.on_epoch_begin(epoch)
        loss_sum = correct_sum = seen = 0.0
        for step, batch in enumerate(batches(x, y, True, epoch)):
            loss, correct, count = (float(t) for t in train_step(batch))
            loss_sum, correct_sum, seen = loss_sum + loss, correct_sum + correct, seen + count
            callback.on_train_batch_end(step, {"loss": loss_sum / seen, "accuracy": correct_sum / seen})
            if model.stop_training:
                break
        logs = {"loss": loss_sum / max(seen, 1), "accuracy": correct_sum / max(seen, 1)}
        if validation is not None:
            logits = model.predict(validation[0], verbose=0, batch_size=1024)
            logs["val_loss"] = float(np.mean(loss_fn(validation[1], logits)))
            logs["val_accuracy"] = float(np.mean(logits.argmax(1) == validation[1]))
        callback.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback.on_train_end()
