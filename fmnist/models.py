"""Model architectures by name, and how to compile them.

Every layer is named explicitly (the names Keras gives them in a fresh process),
so a build never depends on Keras's global name counters, which Streamlit resets
after every script run of any session (keras.backend.clear_session). Every model
takes a batch of (28, 28) float32 images in [0, 1] and returns 10 logits; probabilities come from a softmax applied afterwards (see predict.py),
exactly as the tutorial's `probability_model` does.
"""

from __future__ import annotations

import keras
from keras import layers

from fmnist.config import ARCHITECTURES, EXECUTION, OPTIMIZERS  # noqa: F401  (the tables live there, without TensorFlow)


def build_mlp() -> keras.Model:
    """The tutorial's network: Flatten -> Dense(128, relu) -> Dense(10)."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense"),
            layers.Dense(10, name="dense_1"),
        ],
        name="mlp",
    )


def build_cnn() -> keras.Model:
    """A small convolutional network: two conv blocks, then a dense head with dropout."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Reshape((28, 28, 1), name="reshape"),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2d"),
            layers.MaxPooling2D(name="max_pooling2d"),
            layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2d_1"),
            layers.MaxPooling2D(name="max_pooling2d_1"),
            layers.Flatten(name="flatten"),
            layers.Dropout(0.3, name="dropout"),
            layers.Dense(128, activation="relu", name="dense"),
            layers.Dense(10, name="dense_1"),
        ],
        name="cnn",
    )


BUILDERS = {"mlp": build_mlp, "cnn": build_cnn}


def build(name: str) -> keras.Model:
    """Build the architecture called `name` ("mlp" or "cnn"), uncompiled."""
    if name not in BUILDERS:
        raise ValueError(f'Unknown model "{name}"; choose one of: {", ".join(ARCHITECTURES)}.')
    return BUILDERS[name]()


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


def compile_model(
    model: keras.Model,
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
    decay_steps: int | None = None,
    execution: dict | None = None,
) -> keras.Model:
    """Compile as the tutorial does: sparse categorical cross-entropy on logits, accuracy.

    With `decay_steps`, the learning rate follows a cosine from `learning_rate`
    down to 2 % of it over that many steps; `execution` holds `jit_compile`
    and `steps_per_execution` (see fmnist.config.EXECUTION).
    """
    rate = learning_rate
    if decay_steps:
        rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps, alpha=0.02)
    model.compile(
        optimizer=make_optimizer(optimizer, rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        **(execution or {}),
    )
    return model
