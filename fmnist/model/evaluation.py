"""Score a model on labelled images: accuracy, loss, per-class accuracy, confusion, mistakes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fmnist.model.predict import softmax


@dataclass(frozen=True)
class Evaluation:
    """What `evaluate` measured; arrays are indexed by image or by class 0–9."""

    accuracy: float
    loss: float  # Mean sparse categorical cross-entropy, as `model.evaluate` reports it.
    per_class_accuracy: np.ndarray  # (10,) recall of each true class.
    confusion: np.ndarray  # (10, 10) counts, rows = true class, columns = predicted class.
    mistakes: np.ndarray  # Indices of the misclassified images, ascending.
    probabilities: np.ndarray  # (N, 10)

    @property
    def predictions(self) -> np.ndarray:
        """(N,) the predicted class of each image."""
        return self.probabilities.argmax(axis=1)

    def to_dict(self) -> dict:
        """The scalar and per-class figures as plain JSON-friendly values."""
        return {
            "accuracy": self.accuracy,
            "loss": self.loss,
            "per_class_accuracy": [round(float(a), 4) for a in self.per_class_accuracy],
            "confusion_matrix": self.confusion.tolist(),
            "mistakes": len(self.mistakes),
        }


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Counts of (true, predicted) pairs: rows are true classes, columns predicted ones."""
    labels = np.asarray(labels, dtype=np.int64)
    predictions = np.asarray(predictions, dtype=np.int64)
    if labels.shape != predictions.shape:
        raise ValueError(f"labels and predictions differ in shape: {labels.shape} vs {predictions.shape}.")
    return np.bincount(labels * n_classes + predictions, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def score_logits(logits: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Evaluate from raw model outputs (N, 10) and true labels (N,)."""
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    if len(logits) != len(labels) or len(labels) == 0:
        raise ValueError(f"Need as many labels as outputs, and at least one; got {len(labels)} and {len(logits)}.")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    predictions = logits.argmax(axis=1)
    confusion = confusion_matrix(labels, predictions)
    per_class_total = confusion.sum(axis=1)
    per_class = np.divide(np.diag(confusion), per_class_total, out=np.zeros(10), where=per_class_total > 0)
    return Evaluation(
        accuracy=float((predictions == labels).mean()),
        loss=float(-log_probabilities[np.arange(len(labels)), labels].mean()),
        per_class_accuracy=per_class,
        confusion=confusion,
        mistakes=np.flatnonzero(predictions != labels),
        probabilities=softmax(logits),
    )


def evaluate(model_or_predictor, images: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Evaluate a Keras model (or a Predictor) on images (N, 28, 28) and labels (N,)."""
    from fmnist.model.predict import Predictor

    predictor = model_or_predictor if isinstance(model_or_predictor, Predictor) else Predictor(model_or_predictor)
    return score_logits(predictor.logits(images), labels)
