"""Model architectures by name, and how to compile them.

Every model takes a batch of (28, 28) float32 images in [0, 1] and returns 10
logits; probabilities come from a softmax applied afterwards (see predict.py),
exactly as the tutorial's `probability_model` does.
"""

from __future__ import annotations

import keras
from keras import layers

from fmnist.training import ARCHITECTURES, OPTIMIZERS  # noqa: F401  (validated there, without TensorFlow)


def build_mlp() -> keras.Model:
    """The tutorial's network: Flatten -> Dense(128, relu) -> Dense(10)."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10),
        ],
        name="mlp",
    )


def build_cnn() -> keras.Model:
    """A small convolutional network: two conv blocks, then a dense head with dropout."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Reshape((28, 28, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(128, activation="relu"),
            layers.Dense(10),
        ],
        name="cnn",
    )


BUILDERS = {"mlp": build_mlp, "cnn": build_cnn}


def build(name: str) -> keras.Model:
    """Build the architecture called `name` ("mlp" or "cnn"), uncompiled."""
    if name not in BUILDERS:
        raise ValueError(f'Unknown model "{name}"; choose one of: {", ".join(ARCHITECTURES)}.')
    return BUILDERS[name]()


def make_optimizer(name: str, learning_rate: float) -> keras.optimizers.Optimizer:
    """An optimizer by name ("adam", "sgd" or "rmsprop") with the given learning rate."""
    if learning_rate <= 0:
        raise ValueError(f"The learning rate must be positive, not {learning_rate}.")
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate)
    raise ValueError(f'Unknown optimizer "{name}"; choose one of: {", ".join(OPTIMIZERS)}.')


def compile_model(model: keras.Model, optimizer: str = "adam", learning_rate: float = 1e-3) -> keras.Model:
    """Compile as the tutorial does: sparse categorical cross-entropy on logits, accuracy."""
    model.compile(
        optimizer=make_optimizer(optimizer, learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model
