"""Train the MLP for a few steps of plain SGD and print the loss after every step, as one JSON list.

Run as `python tests/distributed_steps.py MODE` with MODE one of:
- "single": one device, `model.fit` (the reference);
- "mirrored": MirroredStrategy over 2 logical CPU devices, `model.fit` (what `train --distribute mirrored` runs);
- "custom": `fmnist.model.distribute.fit_custom` under the default (one-device) strategy;
- "multiworker": `fit_custom` under MultiWorkerMirroredStrategy (the worker's TF_CONFIG comes from the environment).

Same seed, same data, no shuffling and no momentum: a correct data-parallel step computes the same update as one
device, so every mode must print the same losses up to float rounding. A gradient scaled by the number of
replicas (or not averaged across workers) changes the losses from the second step on; so does batch
normalisation (the MLP's default) that takes each replica's statistics instead of the whole batch's.
"""

import contextlib
import json
import sys

STEPS, BATCH_SIZE, LEARNING_RATE, SEED = 12, 64, 0.1, 1


def main(mode: str) -> None:
    import keras
    import numpy as np
    import tensorflow as tf

    from fmnist.data import fashion_mnist
    from fmnist.model import architectures, distribute

    strategy = None
    if mode == "mirrored":
        strategy = distribute.make_strategy("mirrored", cpu_devices=2)
    elif mode == "multiworker":
        strategy = distribute.make_strategy("multiworker")
    elif mode == "custom":
        strategy = tf.distribute.get_strategy()
    dataset = fashion_mnist.load()
    x = dataset.train_images[: STEPS * BATCH_SIZE].astype(np.float32) / 255.0
    y = dataset.train_labels[: STEPS * BATCH_SIZE].astype(np.int32)

    keras.utils.set_random_seed(SEED)
    start = architectures.build("mlp").get_weights()  # The same starting weights in every mode.
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = architectures.build("mlp", synchronized=strategy is not None)  # As fmnist.model.training builds it.
        model.set_weights(start)
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )

    class Losses(keras.callbacks.Callback):
        """Turns the running means that Keras reports into the loss of each step."""

        def on_train_begin(self, logs=None):
            self.means = []

        def on_train_batch_end(self, batch, logs=None):
            self.means.append(float(logs["loss"]))

        def per_step(self):
            means = np.array(self.means)
            return list(means * np.arange(1, len(means) + 1) - np.concatenate([[0.0], means[:-1] * np.arange(1, len(means))]))

    losses = Losses()
    if mode in ("custom", "multiworker"):
        # fit_custom shuffles with a seeded order; the reference order comes from the same seed in every mode.
        distribute.fit_custom(model, strategy, x, y, BATCH_SIZE, 1, None, losses, SEED)
    else:
        order = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH_SIZE)
        model.fit(order, epochs=1, shuffle=False, callbacks=[losses], verbose=0)
    print(json.dumps(losses.per_step()))


if __name__ == "__main__":
    main(sys.argv[1])
