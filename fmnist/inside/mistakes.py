"""Where a model goes wrong: the images of one confusion-matrix cell, and the most confident mistakes.

Everything here reads an `evaluation.Evaluation` of the test split, so the counts are the ones
`fmnist.model.evaluation` reports.
"""

from __future__ import annotations

import numpy as np

from fmnist.model.evaluation import Evaluation


def cell_indices(result: Evaluation, labels: np.ndarray, true: int, predicted: int) -> np.ndarray:
    """Indices of the images of class `true` predicted as `predicted`, the most confident prediction first."""
    for name, value in (("true", true), ("predicted", predicted)):
        if not isinstance(value, (int, np.integer)) or not 0 <= value < result.confusion.shape[0]:
            raise ValueError(f"{name} must be a class from 0 to {result.confusion.shape[0] - 1}, not {value!r}.")
    labels = np.asarray(labels)
    if len(labels) != len(result.predictions):
        raise ValueError(f"Need one label per evaluated image: {len(labels)} labels for {len(result.predictions)} images.")
    chosen = np.flatnonzero((labels == true) & (result.predictions == predicted))
    confidence = result.probabilities[chosen, predicted]
    return chosen[np.argsort(-confidence, kind="stable")]


def confident_mistakes(result: Evaluation, count: int = 12) -> np.ndarray:
    """The `count` wrongly classified images whose (wrong) prediction is most confident, most confident first."""
    mistakes = result.mistakes
    confidence = result.probabilities[mistakes, result.predictions[mistakes]]
    return mistakes[np.argsort(-confidence, kind="stable")][:count]
