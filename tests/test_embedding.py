"""fmnist.inside.embedding and fmnist.inside.mistakes: projections, the disk cache, nearest neighbours, confusion cells."""

import keras
import numpy as np
import pytest

from fmnist.charts import vega
from fmnist.data import fashion_mnist
from fmnist.inside import embedding, mistakes
from fmnist.model import architectures, evaluation


def test_pca_projection_places_its_own_points_exactly(dataset):
    vectors = embedding.features(None, dataset.test_images[:300], "pixels")
    coordinates, mean, components = embedding.fit_projection(vectors, "pca", 0)
    projection = embedding.ProjectionMap("pixels", "pca", np.arange(300), coordinates, vectors, mean, components)
    np.testing.assert_allclose(projection.place(vectors[17]), coordinates[17], rtol=1e-4, atol=1e-3)
    # The first axis holds the largest variance, as PCA's should.
    assert coordinates[:, 0].var() >= coordinates[:, 1].var()


def test_tsne_keeps_separate_groups_apart():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(3), 60)
    vectors = rng.normal(size=(180, 20)) + 12.0 * np.eye(20)[groups]
    coordinates = embedding.project(vectors, "tsne")
    assert coordinates.shape == (180, 2)
    nearest = embedding.nearest(coordinates, coordinates, k=2)[:, 1]
    assert np.mean(groups[nearest] == groups) > 0.95


def test_project_refuses_unknown_methods():
    with pytest.raises(ValueError, match="pca, tsne"):
        embedding.project(np.zeros((10, 3)), "umap")


def test_nearest_matches_a_sort_of_distances():
    rng = np.random.default_rng(1)
    train, query = rng.normal(size=(200, 8)), rng.normal(size=(5, 8))
    expected = np.argsort(((train[None] - query[:, None]) ** 2).sum(-1), axis=1)[:, :4]
    np.testing.assert_array_equal(embedding.nearest(train, query, 4), expected)


def test_map_indices_take_the_same_number_of_each_class(dataset):
    indices = embedding.map_indices(dataset.test_labels, per_class=20)
    assert len(indices) == 200 and np.all(np.bincount(dataset.test_labels[indices], minlength=10) == 20)
    np.testing.assert_array_equal(indices, embedding.map_indices(dataset.test_labels, per_class=20))


def test_projection_is_computed_once_then_read_from_the_disk_cache(cnn, dataset):
    calls = []
    first = embedding.projection_map(cnn, dataset, "hidden", "pca", per_class=30, progress=calls.append)
    assert calls and calls[-1] == 1.0
    assert embedding.is_cached(cnn, "hidden", "pca", per_class=30)
    assert any(fashion_mnist.cache_dir().glob(f"inspect/*{embedding.fingerprint(cnn)}-hidden-pca-30.npz"))
    calls.clear()
    again = embedding.projection_map(cnn, dataset, "hidden", "pca", per_class=30, progress=calls.append)
    assert calls == []
    np.testing.assert_array_equal(first.coordinates, again.coordinates)
    assert first.coordinates.shape == (300, 2) and first.features.shape == (300, 128)


def test_fingerprint_follows_the_weights():
    keras.utils.set_random_seed(0)
    model = architectures.build_mlp()
    before = embedding.fingerprint(model)
    assert embedding.fingerprint(model) == before
    kernel, bias = model.layers[-1].get_weights()
    model.layers[-1].set_weights([kernel + 1.0, bias])
    assert embedding.fingerprint(model) != before


def test_hidden_features_are_the_last_hidden_layer(cnn, dataset):
    images = dataset.test_images[:4]
    reference = keras.Model(cnn.inputs[0], cnn.layers[-2].output)(images.astype(np.float32) / 255.0)
    np.testing.assert_allclose(embedding.features(cnn, images, "hidden"), np.asarray(reference), rtol=1e-5, atol=1e-5)


@pytest.mark.slow
def test_nearest_training_images_mostly_share_the_class(cnn, dataset):
    train_features = embedding.training_features(cnn, dataset)
    assert train_features.shape == (60000, 128)
    test = np.arange(500)
    found = embedding.nearest(train_features, embedding.features(cnn, dataset.test_images[test], "hidden"), k=5)
    same = dataset.train_labels[found] == dataset.test_labels[test][:, None]
    assert np.mean(same.sum(axis=1) >= 3) >= 0.8  # The majority of the five share the class ...
    assert same.mean() >= 0.8  # ... and so do at least 80 % of all the neighbours found.
    one = embedding.neighbours(cnn, dataset.test_images[0] / 255.0, k=5, dataset=dataset)
    np.testing.assert_array_equal(one, found[0])


def test_the_charts_confusion_cells_match_fmnist_evaluation(dataset):
    rng = np.random.default_rng(0)
    labels = dataset.test_labels[:2000]
    logits = rng.normal(size=(2000, 10)) + 3.0 * np.eye(10)[labels]
    result = evaluation.score_logits(logits, labels)
    cells = vega.confusion_cells(result.confusion, fashion_mnist.CLASS_NAMES)
    assert len(cells) == 100
    for cell in cells:
        assert cell["count"] == result.confusion[cell["true"], cell["predicted"]]
        chosen = mistakes.cell_indices(result, labels, cell["true"], cell["predicted"])
        assert len(chosen) == cell["count"]
        confidence = result.probabilities[chosen, cell["predicted"]]
        assert np.all(np.diff(confidence) <= 0)
    worst = mistakes.confident_mistakes(result, count=10)
    assert len(worst) == 10 and np.all(result.predictions[worst] != labels[worst])
    top = result.probabilities[worst, result.predictions[worst]]
    others = result.probabilities[result.mistakes, result.predictions[result.mistakes]]
    assert np.all(np.diff(top) <= 0) and top[-1] >= np.sort(others)[-10]
