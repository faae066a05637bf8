"""Model architectures by name, and how to compile them.

Every layer is named explicitly (the names Keras gives them in a fresh process),
so a build never depends on Keras's global name counters, which Streamlit resets
after every script run of any browser session (keras.backend.clear_session).
Every model takes a batch of (28, 28) float32 images in [0, 1] and returns 10
logits; probabilities come from a softmax applied afterwards (see
fmnist.model.predict), exactly as the tutorial's `probability_model` does.
"""

from __future__ import annotations

import keras
from keras import layers

from fmnist.model.config import (  # noqa: F401  (the tables live there, without TensorFlow)
    ARCHITECTURES,
    EXECUTION,
    OPTIMIZERS,
    WARMUP_FRACTION,
    architecture_settings,
    check_architecture,
    stored_architecture,
)
from fmnist.model.network import MLP_NORM_MOMENTUM


def build_mlp(hidden_units=(128,), dropout: float = 0.0, batch_norm: bool = False, synchronized: bool = False) -> keras.Model:
    """The tutorial's network: Flatten -> Dense(128, relu) -> Dense(10); other hidden widths and dropout if asked.
    With `batch_norm`, each hidden layer is Dense (without bias) -> batch normalisation -> ReLU, as in the CNN
    (`synchronized`: see `build`)."""
    stack = [keras.Input(shape=(28, 28)), layers.Flatten(name="flatten")]
    for index, units in enumerate(hidden_units):
        if batch_norm:
            stack += [layers.Dense(units, use_bias=False, name=_numbered("dense", index)),
                      layers.BatchNormalization(momentum=MLP_NORM_MOMENTUM, synchronized=synchronized,
                                                name=_numbered("batch_normalization", index)),
                      layers.Activation("relu", name=_numbered("activation", index))]  # fmt: skip
        else:
            stack.append(layers.Dense(units, activation="relu", name=_numbered("dense", index)))
        if dropout:
            stack.append(layers.Dropout(dropout, name=_numbered("dropout", index)))
    stack.append(layers.Dense(10, name=_numbered("dense", len(hidden_units))))
    return keras.Sequential(stack, name="mlp")


def build_cnn(
    filters=(32, 64),
    dense_units: int = 128,
    dropout: float = 0.3,
    batch_norm: bool = False,
    norm_after_pool: bool = False,
    synchronized: bool = False,
) -> keras.Model:
    """A small convolutional network: conv blocks (3x3 convolution, [batch normalisation,] ReLU, 2x2 max pooling),
    then a dense head with dropout. With `norm_after_pool` (and batch norm) a block pools first, then normalises
    and applies the ReLU: the same kind of block on a quarter of the values (the weights are the same in number
    and shape, so the setting is part of the architecture's record)."""
    stack = [keras.Input(shape=(28, 28)), layers.Reshape((28, 28, 1), name="reshape")]
    for index, count in enumerate(filters):
        pool = layers.MaxPooling2D(name=_numbered("max_pooling2d", index))
        if not batch_norm:
            stack += [layers.Conv2D(count, 3, padding="same", activation="relu", name=_numbered("conv2d", index)), pool]
            continue
        conv = layers.Conv2D(count, 3, padding="same", use_bias=False, name=_numbered("conv2d", index))
        normalise = [layers.BatchNormalization(synchronized=synchronized, name=_numbered("batch_normalization", index)),
                     layers.Activation("relu", name=_numbered("activation", index))]  # fmt: skip
        stack += [conv, pool, *normalise] if norm_after_pool else [conv, *normalise, pool]
    stack.append(layers.Flatten(name="flatten"))
    if dropout:
        stack.append(layers.Dropout(dropout, name="dropout"))
    stack.append(layers.Dense(dense_units, activation="relu", name="dense"))
    stack.append(layers.Dense(10, name="dense_1"))
    return keras.Sequential(stack, name="cnn")


def _numbered(name: str, index: int) -> str:
    """Keras's own naming: dense, dense_1, dense_2, ..."""
    return name if index == 0 else f"{name}_{index}"


BUILDERS = {"mlp": build_mlp, "cnn": build_cnn}


def build(name: str, settings: dict | None = None, synchronized: bool = False) -> keras.Model:
    """Build the architecture called `name` ("mlp" or "cnn"), uncompiled, with the network builder's `settings`
    (see fmnist.model.config.ARCHITECTURE_DEFAULTS; missing ones take the defaults). ValueError for unusable settings.

    `synchronized`, for training under a distribution strategy: batch normalisation takes its statistics over the
    whole batch of all replicas (not each replica's share), so the replicas take the steps one device would take
    and keep the same running statistics. Off otherwise: it computes the same moments another way."""
    if name not in BUILDERS:
        raise ValueError(f'Unknown model "{name}"; choose one of: {", ".join(ARCHITECTURES)}.')
    check_architecture(name, settings or {})
    return BUILDERS[name](**architecture_settings(name, settings), synchronized=synchronized)


def make_optimizer(name: str, learning_rate) -> keras.optimizers.Optimizer:
    """An optimizer by name ("adam", "sgd" or "rmsprop") with the given learning rate or schedule."""
    if isinstance(learning_rate, (int, float)) and learning_rate <= 0:
        raise ValueError(f"The learning rate must be positive, not {learning_rate}.")
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate)
    raise ValueError(f'Unknown optimizer "{name}"; choose one of: {", ".join(OPTIMIZERS)}.')


def make_schedule(learning_rate: float, decay_steps: int | None, schedule: str = "cosine"):
    """The learning rate over `decay_steps` steps: constant (no steps), "cosine" (down to 2 %) or "onecycle"
    (a linear warm-up from a tenth over WARMUP_FRACTION of the steps, then the same cosine), Keras's CosineDecay."""
    if not decay_steps or schedule == "constant":
        return learning_rate
    if schedule == "onecycle":
        warm = int(decay_steps * WARMUP_FRACTION)
        return keras.optimizers.schedules.CosineDecay(
            learning_rate / 10, decay_steps - warm, alpha=0.02, warmup_target=learning_rate, warmup_steps=warm
        )
    return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps, alpha=0.02)


def compile_model(
    model: keras.Model,
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
    decay_steps: int | None = None,
    execution: dict | None = None,
    schedule: str = "cosine",
    label_smoothing: float = 0.0,
) -> keras.Model:
    """Compile as the tutorial does: sparse categorical cross-entropy on logits, accuracy.

    With `decay_steps`, the learning rate follows a cosine from `learning_rate`
    down to 2 % of it over that many steps; `execution` holds `jit_compile`
    and `steps_per_execution` (see fmnist.model.config.EXECUTION). With `label_smoothing`,
    the cross-entropy aims at smoothed targets (SmoothedSparseCrossentropy).
    """
    rate = make_schedule(learning_rate, decay_steps, schedule)
    if label_smoothing:
        loss = SmoothedSparseCrossentropy(label_smoothing)
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(
        optimizer=make_optimizer(optimizer, rate),
        loss=loss,
        metrics=["accuracy"],
        **(execution or {}),
    )
    return model


class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy of logits against class numbers, with label smoothing: the target of an image of class k is
    1 - s + s/10 for k and s/10 for each other class (Keras's `categorical_crossentropy` with `label_smoothing`
    on the one-hot labels). Keras's SparseCategoricalCrossentropy has no smoothing, and the pipeline, the
    validation data and the accuracy metric all keep class numbers."""

    def __init__(self, label_smoothing: float, name: str = "smoothed_sparse_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        classes = keras.ops.shape(y_pred)[-1]
        targets = keras.ops.one_hot(keras.ops.reshape(keras.ops.cast(y_true, "int32"), (-1,)), classes)
        return keras.losses.categorical_crossentropy(targets, y_pred, from_logits=True, label_smoothing=self.label_smoothing)

    def get_config(self) -> dict:
        return {**super().get_config(), "label_smoothing": self.label_smoothing}
