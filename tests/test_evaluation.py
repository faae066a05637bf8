import numpy as np
import pytest

from fmnist.model import evaluation
from fmnist.model.predict import as_batch, softmax


def test_confusion_matrix_counts_pairs():
    matrix = evaluation.confusion_matrix(np.array([0, 0, 1, 9]), np.array([0, 1, 1, 0]))
    assert matrix[0, 0] == 1 and matrix[0, 1] == 1 and matrix[1, 1] == 1 and matrix[9, 0] == 1
    assert matrix.sum() == 4


def test_score_logits_matches_a_direct_computation():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(500, 10)) * 3
    labels = rng.integers(0, 10, 500)
    result = evaluation.score_logits(logits, labels)
    probabilities = softmax(logits)
    assert result.accuracy == pytest.approx(np.mean(probabilities.argmax(1) == labels))
    assert result.loss == pytest.approx(-np.mean(np.log(probabilities[np.arange(500), labels])))
    assert np.array_equal(result.mistakes, np.flatnonzero(logits.argmax(1) != labels))
    for c in range(10):
        mask = labels == c
        assert result.per_class_accuracy[c] == pytest.approx(np.mean(logits[mask].argmax(1) == c))
    assert result.confusion.sum() == 500
    assert result.to_dict()["mistakes"] == len(result.mistakes)


def test_perfect_predictions():
    labels = np.arange(10).repeat(3)
    result = evaluation.score_logits(np.eye(10)[labels] * 50, labels)
    assert result.accuracy == 1.0 and len(result.mistakes) == 0 and result.loss < 1e-6


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        evaluation.score_logits(np.zeros((3, 10)), np.zeros(2))
    with pytest.raises(ValueError):
        as_batch(np.zeros((3, 27, 28)))


def test_as_batch_scales_uint8():
    batch = as_batch(np.full((28, 28), 255, np.uint8))
    assert batch.shape == (1, 28, 28) and batch.dtype == np.float32 and batch.max() == 1.0


@pytest.mark.slow
def test_evaluate_a_keras_model_agrees_with_model_evaluate(dataset):
    from fmnist.model import architectures

    model = architectures.compile_model(architectures.build("mlp"))
    images, labels = dataset.test_images[:300], dataset.test_labels[:300]
    model.fit(images / 255.0, labels, epochs=1, verbose=0)
    ours = evaluation.evaluate(model, images, labels)
    keras_loss, keras_accuracy = model.evaluate(images / 255.0, labels, verbose=0)
    assert ours.accuracy == pytest.approx(keras_accuracy, abs=1e-6)
    assert ours.loss == pytest.approx(keras_loss, rel=1e-4)
