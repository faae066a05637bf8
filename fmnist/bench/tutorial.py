"""The tutorial's own recipe, step by step, as the baseline our figures are measured against.

python -m fmnist.tutorial runs "Basic classification: classify images of
clothing" as written (with its `optimizer='adma'` typo read as Adam): scale
the images by 1/255, Flatten -> Dense(128, relu) -> Dense(10), Adam, sparse
categorical cross-entropy on logits, `model.fit(train_images, train_labels,
epochs=10)` with the default batch of 32, then `model.evaluate`. The last
line printed is one JSON object with the test accuracy and the seconds spent.
"""

from __future__ import annotations

import json
import time


def main() -> None:
    started = time.perf_counter()
    import keras

    from fmnist.data import fashion_mnist

    dataset = fashion_mnist.load()
    train_images, test_images = dataset.train_images / 255.0, dataset.test_images / 255.0
    model = keras.Sequential(
        [keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    fit_started = time.perf_counter()
    model.fit(train_images, dataset.train_labels, epochs=10, verbose=0)
    train_seconds = time.perf_counter() - fit_started
    test_loss, test_accuracy = model.evaluate(test_images, dataset.test_labels, verbose=0)
    print(json.dumps({
        "recipe": "tutorial", "test_accuracy": test_accuracy, "test_loss": test_loss,
        "train_seconds": round(train_seconds, 2), "wall_seconds_in_process": round(time.perf_counter() - started, 2),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
