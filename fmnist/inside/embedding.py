"""The map: 2-D projections of test images and the nearest training images of an input.

Images become feature vectors two ways: their raw pixels, or the model's last hidden layer (what the
final Dense layer reads). scikit-learn projects the features to 2-D (PCA, or t-SNE after a PCA to 50
dimensions) and finds nearest neighbours. Projections and training features are computed once per
model and kept on disk under the data cache (`settings.cache_dir()`), keyed by a checksum of the model's weights.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmnist.atomic import write_atomic
from fmnist.data import fashion_mnist
from fmnist.model.predict import as_batch

KINDS = ("pixels", "hidden")
METHODS = ("pca", "tsne")
# Test images on the map: this many per class, the same ones for every model.
PER_CLASS = 200
# Bumped when the cached arrays change meaning, so old files are not read.
CACHE_VERSION = 1


@dataclass(frozen=True)
class ProjectionMap:
    """Test images placed on a plane."""

    kind: str  # "pixels" or "hidden": which features were projected.
    method: str  # "pca" or "tsne".
    indices: np.ndarray  # (n,) indices into the test split.
    coordinates: np.ndarray  # (n, 2) float32 positions on the plane.
    features: np.ndarray  # (n, d) float32 features the positions were computed from.
    pca_mean: np.ndarray  # (d,) for "pca": the mean PCA subtracts (empty for t-SNE).
    pca_components: np.ndarray  # (2, d) for "pca": the two axes (empty for t-SNE).

    def place(self, feature: np.ndarray, k: int = 5) -> np.ndarray:
        """Where a new feature vector lands: exactly for PCA; for t-SNE (which cannot place new points)
        at the mean position of its k nearest points on the map."""
        feature = np.asarray(feature, np.float32).reshape(-1)
        if self.method == "pca":
            return ((feature - self.pca_mean) @ self.pca_components.T).astype(np.float32)
        distances = np.linalg.norm(self.features - feature, axis=1)
        return self.coordinates[np.argsort(distances)[:k]].mean(axis=0)


def fingerprint(model) -> str:
    """A checksum of a model's layers and weights: the same trained model gives the same text."""
    digest = hashlib.sha256()
    for layer in model.layers:
        digest.update(f"{type(layer).__name__}:{tuple(layer.output.shape)};".encode())
        for weight in layer.weights:
            digest.update(np.ascontiguousarray(np.asarray(weight), np.float32).tobytes())
    return digest.hexdigest()[:20]


def hidden_layer(model):
    """The last hidden layer: the nearest layer before the output that is not dropout."""
    for layer in reversed(model.layers[:-1]):
        if "dropout" not in type(layer).__name__.lower():
            return layer
    raise ValueError("The model has no hidden layer: it needs at least one layer before its output.")


def features(model, images, kind: str, chunk_size: int = 2048, progress=None) -> np.ndarray:
    """Feature vectors (N, d) float32 of images (N, 28, 28): raw pixels in [0, 1], or the last hidden layer."""
    if kind not in KINDS:
        raise ValueError(f'kind must be one of {", ".join(KINDS)}, not "{kind}".')
    x = as_batch(images)
    if kind == "pixels":
        return x.reshape(len(x), -1)
    import keras

    cut = keras.Model(model.inputs[0], hidden_layer(model).output)
    parts = []
    for start in range(0, len(x), chunk_size):
        part = np.asarray(cut(x[start : start + chunk_size], training=False), np.float32)
        parts.append(part.reshape(len(part), -1))
        if progress is not None:
            progress(min(1.0, (start + chunk_size) / len(x)))
    if not parts:
        raise ValueError("Need at least one image to compute features of.")
    return np.concatenate(parts)


def project(features: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """Project features (n, d) to (n, 2) float32 with scikit-learn's PCA or t-SNE."""
    return fit_projection(features, method, seed)[0]


def fit_projection(features: np.ndarray, method: str, seed: int = 0):
    """Project features to 2-D; returns (coordinates (n, 2), PCA mean, PCA axes), the last two empty for t-SNE."""
    from sklearn.decomposition import PCA

    if method not in METHODS:
        raise ValueError(f'method must be one of {", ".join(METHODS)}, not "{method}".')
    features = np.asarray(features, np.float32)
    if features.ndim != 2 or len(features) < 3:
        raise ValueError(f"Need at least 3 feature vectors in a 2-D array, got shape {features.shape}.")
    if method == "pca":
        pca = PCA(n_components=2, random_state=seed).fit(features)
        return pca.transform(features).astype(np.float32), pca.mean_.astype(np.float32), pca.components_.astype(np.float32)
    from sklearn.manifold import TSNE

    # The usual recipe: PCA to 50 dimensions first removes noise and makes t-SNE faster.
    reduced = PCA(n_components=min(50, *features.shape), random_state=seed).fit_transform(features)
    perplexity = min(30.0, (len(features) - 1) / 3)
    coordinates = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(reduced)
    empty = np.zeros((0,), np.float32)
    return coordinates.astype(np.float32), empty, empty.reshape(2, 0)


def map_indices(labels: np.ndarray, per_class: int = PER_CLASS, seed: int = 0) -> np.ndarray:
    """`per_class` test images of every class, chosen at random with a fixed seed, in ascending order."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    chosen = [
        rng.choice(np.flatnonzero(labels == c), size=min(per_class, int((labels == c).sum())), replace=False) for c in range(10)
    ]
    return np.sort(np.concatenate(chosen))


def _cache_path(key: str, name: str) -> Path:
    return fashion_mnist.cache_dir() / "inspect" / f"v{CACHE_VERSION}-{key}-{name}.npz"


def _read(path: Path) -> dict | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError, KeyError):
        return None


def _write(path: Path, arrays: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda tmp: np.savez(tmp, **arrays))
    except OSError:
        pass  # A cache we cannot write only makes the next visit slower.


def is_cached(model, kind: str, method: str, per_class: int = PER_CLASS) -> bool:
    """Whether `projection_map` will read from disk rather than compute."""
    key = "pixels" if kind == "pixels" else fingerprint(model)
    return _cache_path(key, f"{kind}-{method}-{per_class}").is_file()


def projection_map(model, dataset, kind: str, method: str = "pca", per_class: int = PER_CLASS, progress=None) -> ProjectionMap:
    """The 2-D map of `per_class` test images per class, from the disk cache or computed and stored.

    `progress(fraction)` is called while computing (never when read from the cache).
    """
    key = "pixels" if kind == "pixels" else fingerprint(model)
    path = _cache_path(key, f"{kind}-{method}-{per_class}")
    stored = _read(path)
    if stored is None:
        report = progress or (lambda fraction: None)
        indices = map_indices(dataset.test_labels, per_class)
        vectors = features(model, dataset.test_images[indices], kind, progress=lambda f: report(0.3 * f))
        report(0.3)
        coordinates, mean, components = fit_projection(vectors, method, seed=0)
        stored = {
            "indices": indices,
            "coordinates": coordinates,
            "features": vectors,
            "pca_mean": mean,
            "pca_components": components,
        }
        _write(path, stored)
        report(1.0)
    return ProjectionMap(kind=kind, method=method, **stored)


def training_features(model, dataset, kind: str = "hidden", progress=None) -> np.ndarray:
    """Features of all 60,000 training images, from the disk cache or computed and stored."""
    if kind == "pixels":
        return features(model, dataset.train_images, "pixels")
    path = _cache_path(fingerprint(model), f"train-{kind}")
    stored = _read(path)
    if stored is None:
        stored = {"features": features(model, dataset.train_images, kind, progress=progress)}
        _write(path, stored)
    return stored["features"]


def nearest(train_features: np.ndarray, query: np.ndarray, k: int = 5) -> np.ndarray:
    """Indices (m, k) of the k nearest rows of `train_features` for each row of `query` (Euclidean)."""
    from sklearn.neighbors import NearestNeighbors

    if not isinstance(k, (int, np.integer)) or not 1 <= k <= len(train_features):
        raise ValueError(f"k must be a whole number from 1 to {len(train_features)}, not {k!r}.")
    query = np.asarray(query, np.float32).reshape(len(np.atleast_2d(query)), -1)
    index = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(train_features)
    return index.kneighbors(query, return_distance=False)


def neighbours(model, image, k: int = 5, dataset=None, kind: str = "hidden") -> np.ndarray:
    """Indices of the k training images nearest to `image` in the model's feature space, nearest first."""
    dataset = dataset or fashion_mnist.load()
    query = features(model, as_batch(image), kind)
    return nearest(training_features(model, dataset, kind), query, k)[0]


def training_features_cached(model, kind: str = "hidden") -> bool:
    """Whether `training_features` will read from disk (raw pixels need no cache)."""
    return kind == "pixels" or _cache_path(fingerprint(model), f"train-{kind}").is_file()
