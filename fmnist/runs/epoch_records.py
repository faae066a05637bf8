"""What a run predicted after each epoch, kept so that a page can show it learn and replay it afterwards.

At the end of every epoch a Keras callback predicts a fixed probe set (the first PROBE_SIZE test
images) and the images the confusion matrix is counted on (the validation images, or the first
CONFUSION_TEST_SIZE test images when the run has no validation split), and hands the records so far to
a writer: the worker rewrites runs/<id>/epochs.json with them. A record is small (25×10 probabilities
rounded to PRECISION decimals and 10×10 counts); no weights are kept. Predicting uses no random numbers,
so a run trains exactly as it would without the records.

`read` turns epochs.json back into arrays; a missing or damaged file reads as no records. Building the
callback imports Keras; the rest of this module needs no TensorFlow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmnist.model.evaluation import confusion_matrix
from fmnist.model.predict import softmax

FILE = "epochs.json"
PROBE_SIZE = 25  # The first test images: the 5×5 grid the Train page shows.
CONFUSION_TEST_SIZE = 2000  # Test images the confusion matrix is counted on when a run has no validation split.
PRECISION = 4  # Decimals kept of each probability.
CHUNK = 1024  # Images per forward pass.
TEST_COUNT = 10_000  # Images in Fashion-MNIST's test set: probe indices must lie below.


@dataclass(frozen=True)
class EpochRecords:
    """A run's per-epoch records as arrays; `len` is the number of epochs recorded."""

    epochs: np.ndarray  # (E,) 1-based epoch numbers.
    probe_indices: np.ndarray  # (P,) test-image indices of the probe set.
    probe_labels: np.ndarray  # (P,) their true classes.
    probabilities: np.ndarray  # (E, P, 10) the probe set's class probabilities after each epoch.
    confusion: np.ndarray  # (E, 10, 10) counts after each epoch, rows = true class.
    confusion_source: str  # "validation" or "test": which images the confusion matrix counts.

    def __len__(self) -> int:
        return len(self.epochs)

    def position(self, epoch: int) -> int:
        """Where the record of `epoch` (1-based) is; if that epoch is missing, the last one before it.

        ValueError when no record is at or before `epoch`.
        """
        found = int(np.searchsorted(self.epochs, epoch, side="right")) - 1
        if found < 0:
            raise ValueError(f"No epoch at or before {epoch} was recorded; recorded epochs: {self.epochs.tolist()}.")
        return found


def empty() -> EpochRecords:
    """No records (an old run, or one that ended before its first epoch)."""
    return EpochRecords(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                        np.zeros((0, 0, 10)), np.zeros((0, 10, 10), np.int64), "test")  # fmt: skip


def read(path: Path) -> EpochRecords:
    """The records in epochs.json at `path`; a missing, unreadable or malformed file gives `empty()`."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        probe = document["probe"]
        indices = np.asarray(probe["indices"], dtype=np.int64).reshape(-1)
        labels = np.asarray(probe["labels"], dtype=np.int64).reshape(len(indices))
        records = list(document["epochs"])
        epochs = np.asarray([int(entry["epoch"]) for entry in records], dtype=np.int64)
        probabilities = np.asarray([entry["probe_probabilities"] for entry in records], dtype=np.float64)
        confusion = np.asarray([entry["confusion"] for entry in records], dtype=np.int64)
        probabilities = probabilities.reshape(len(records), len(indices), 10)
        confusion = confusion.reshape(len(records), 10, 10)
        source = str(document.get("confusion_source", "test"))
        if np.any((indices < 0) | (indices >= TEST_COUNT)) or np.any((labels < 0) | (labels > 9)) or np.any(confusion < 0):
            raise ValueError("epochs.json holds values out of range.")
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return empty()
    return EpochRecords(epochs, indices, labels, probabilities, confusion, source)


def document(probe_indices, probe_labels, confusion_source: str, records: list[dict]) -> dict:
    """epochs.json as JSON-ready values: the probe set, where the confusion matrix comes from, the records."""
    return {
        "probe": {"indices": [int(i) for i in probe_indices], "labels": [int(label) for label in probe_labels]},
        "confusion_source": confusion_source,
        "epochs": records,
    }


def logits_of(model, images: np.ndarray) -> np.ndarray:
    """The model's outputs (N, 10) for float32 images, in chunks, in inference mode."""
    from keras import ops

    parts = [ops.convert_to_numpy(model(images[i : i + CHUNK], training=False)) for i in range(0, len(images), CHUNK)]
    return np.concatenate(parts) if parts else np.zeros((0, 10), np.float32)


def record(model, epoch: int, probe_images: np.ndarray, confusion_images: np.ndarray, confusion_labels: np.ndarray) -> dict:
    """One epoch's record: the probe set's probabilities and the confusion counts, as JSON-ready values."""
    probabilities = np.round(softmax(logits_of(model, probe_images)), PRECISION)
    predicted = logits_of(model, confusion_images).argmax(axis=1)
    return {
        "epoch": int(epoch),
        "probe_probabilities": probabilities.tolist(),
        "confusion": confusion_matrix(confusion_labels, predicted).tolist(),
    }


def keras_callback(write, probe_images, probe_indices, probe_labels, confusion_images, confusion_labels, confusion_source):
    """A Keras callback that records each finished epoch and calls `write(document)` with every record so far.

    Images are float32 in [0, 1]. An epoch cut short by a stop is not recorded: `fit` leaves before
    `on_epoch_end`, so epochs.json keeps exactly the completed epochs. It is defined inside this function
    so that importing this module needs no TensorFlow.
    """
    import keras

    probe_images = np.asarray(probe_images, np.float32)
    confusion_images = np.asarray(confusion_images, np.float32)

    class EpochRecorder(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.records = []

        def on_epoch_end(self, epoch, logs=None):
            self.records.append(record(self.model, epoch + 1, probe_images, confusion_images, confusion_labels))
            write(document(probe_indices, probe_labels, confusion_source, self.records))

    return EpochRecorder()


def for_run(write, test_images: np.ndarray, test_labels: np.ndarray, validation):
    """The callback for a run: the first PROBE_SIZE test images, and the confusion matrix on `validation`
    ((images, labels), float32 in [0, 1]) or, without one, on the first CONFUSION_TEST_SIZE test images."""
    indices = np.arange(min(PROBE_SIZE, len(test_images)))
    probe = test_images[indices].astype(np.float32) / 255.0
    if validation is not None and len(validation[0]):
        images, labels, source = validation[0], validation[1], "validation"
    else:
        images = test_images[:CONFUSION_TEST_SIZE].astype(np.float32) / 255.0
        labels, source = test_labels[:CONFUSION_TEST_SIZE], "test"
    return keras_callback(write, probe, indices, test_labels[indices], images, labels, source)
