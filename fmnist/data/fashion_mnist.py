"""Find, verify and load Fashion-MNIST as read-only uint8 arrays.

The four IDX `.gz` files are searched for in `$FMNIST_DATA_DIR`, the Debian
package's folder, and Keras's cache, in that order; only when none holds them
is `keras.datasets.fashion_mnist.load_data()` tried (it needs the network).
Whatever was read is verified: IDX magic numbers, shapes, 6000 training and
1000 test images per class, and a SHA-256 of each decoded array. Decoded arrays
are cached as `.npy` files (in `$FMNIST_CACHE_DIR`, default
`~/.cache/fmnist`) so that a warm load skips decompressing and decoding.

This module never imports TensorFlow unless the network fallback is reached.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmnist import settings
from fmnist.atomic import write_atomic, write_json
from fmnist.settings import cache_dir

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
CLASS_NAMES_ZH = ("T恤/上衣", "裤子", "毛衣/套衫", "连衣裙", "外套/大衣", "凉鞋", "衬衫", "运动鞋", "包", "短靴")

# The file that holds each array, the IDX magic number and the shape it must have.
FILES = {
    "train_images": ("train-images-idx3-ubyte.gz", 2051, (60000, 28, 28)),
    "train_labels": ("train-labels-idx1-ubyte.gz", 2049, (60000,)),
    "test_images": ("t10k-images-idx3-ubyte.gz", 2051, (10000, 28, 28)),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", 2049, (10000,)),
}

# SHA-256 of each decoded array's bytes (C order, uint8), computed once from the official files.
SHA256 = {
    "train_images": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
    "train_labels": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
    "test_images": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
    "test_labels": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
}

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_DIR = Path.home() / ".keras" / "datasets" / "fashion-mnist"

INSTALL_HINT = (
    "Install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), "
    "or set FMNIST_DATA_DIR to a folder that holds the four files "
    + ", ".join(name for name, _, _ in FILES.values())
    + ". (Set FMNIST_ALLOW_DOWNLOAD=1 to let Keras download it instead.)"
)


class DataError(Exception):
    """The dataset is missing or damaged; the message says what to do."""


@dataclass(frozen=True)
class Dataset:
    """Fashion-MNIST as read-only arrays: images uint8 (N, 28, 28), labels uint8 (N,)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    # Where the arrays came from: a folder, or "keras.datasets" for the network fallback.
    source: str
    # True when every array matched its pinned SHA-256.
    verified: bool

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (images, labels) of the "train" or "test" split."""
        if name == "train":
            return self.train_images, self.train_labels
        if name == "test":
            return self.test_images, self.test_labels
        raise ValueError(f'split must be "train" or "test", not "{name}"')


def search_dirs() -> list[Path]:
    """The folders searched for the `.gz` files, in order."""
    first = settings.data_dir()
    return [*([first] if first is not None else []), DEBIAN_DIR, KERAS_DIR]


def read_idx(path: Path, magic: int, shape: tuple[int, ...]) -> np.ndarray:
    """Decode one gzipped IDX file into a uint8 array, checking its header."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as error:
        raise DataError(f"{path} is not a readable gzip file ({error.__class__.__name__}). {INSTALL_HINT}") from None
    header_size = 4 + 4 * len(shape)
    if len(raw) < header_size:
        raise DataError(f"{path} is too short to be an IDX file. {INSTALL_HINT}")
    found_magic = struct.unpack(">I", raw[:4])[0]
    if found_magic != magic:
        raise DataError(f"{path} has IDX magic number {found_magic}, expected {magic}. {INSTALL_HINT}")
    found_shape = struct.unpack(f">{len(shape)}I", raw[4:header_size])
    if tuple(found_shape) != shape or len(raw) != header_size + int(np.prod(shape)):
        raise DataError(f"{path} holds shape {tuple(found_shape)}, expected {shape}. {INSTALL_HINT}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape)


def sha256(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).data).hexdigest()


def verify(arrays: dict[str, np.ndarray], where: str) -> bool:
    """Check shapes, labels and class balance; return whether all checksums match."""
    for key, (_, _, shape) in FILES.items():
        if arrays[key].shape != shape or arrays[key].dtype != np.uint8:
            raise DataError(f"The {key.replace('_', ' ')} from {where} have shape {arrays[key].shape}, expected {shape}.")
    for split, per_class in (("train", 6000), ("test", 1000)):
        labels = arrays[f"{split}_labels"]
        if labels.max() > 9:
            raise DataError(f"The {split} labels from {where} contain {labels.max()}, but classes run from 0 to 9.")
        counts = np.bincount(labels, minlength=10)
        if not np.all(counts == per_class):
            raise DataError(
                f"The {split} split from {where} has {counts.tolist()} images per class, expected {per_class} each. {INSTALL_HINT}"
            )
    return all(sha256(arrays[key]) == SHA256[key] for key in FILES)


def _freeze(arrays: dict[str, np.ndarray], source: str, verified: bool) -> Dataset:
    for array in arrays.values():
        array.setflags(write=False)
    return Dataset(**arrays, source=source, verified=verified)


def _read_cache() -> Dataset | None:
    folder = cache_dir()
    try:
        meta = json.loads((folder / "source.json").read_text())
        arrays = {key: np.load(folder / f"{key}.npy", allow_pickle=False) for key in FILES}
    except (OSError, ValueError):
        return None
    # A cache entry is trusted only if it still matches the pinned checksums.
    try:
        if not verify(arrays, str(folder)):
            return None
    except DataError:
        return None
    return _freeze(arrays, meta.get("source", str(folder)), True)


def _write_cache(dataset: Dataset) -> None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for key in FILES:
            write_atomic(folder / f"{key}.npy", lambda tmp, key=key: np.save(tmp, getattr(dataset, key)))
        write_json(folder / "source.json", {"source": dataset.source})
    except OSError:
        pass  # A cache we cannot write only makes the next load slower.


def find_data_dir() -> Path | None:
    """The first searched folder that holds all four files, or None."""
    for folder in search_dirs():
        if all((folder / name).is_file() for name, _, _ in FILES.values()):
            return folder
    return None


def load_from_dir(folder: Path) -> Dataset:
    """Decode and verify the four files in `folder` (no cache involved)."""
    arrays = {key: read_idx(folder / name, magic, shape) for key, (name, magic, shape) in FILES.items()}
    arrays = {key: array.copy() for key, array in arrays.items()}
    verified = verify(arrays, str(folder))
    if not verified:
        raise DataError(f"The files in {folder} decode, but their checksums differ from Fashion-MNIST's. {INSTALL_HINT}")
    return _freeze(arrays, str(folder), verified)


def _load_from_keras() -> Dataset:
    try:
        import keras  # Imported only here: TensorFlow is slow to start.

        (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    except Exception as error:
        raise DataError(
            f"Fashion-MNIST was not found in {', '.join(map(str, search_dirs()))} "
            f"and could not be downloaded ({error.__class__.__name__}). {INSTALL_HINT}"
        ) from None
    arrays = {"train_images": x_train, "train_labels": y_train, "test_images": x_test, "test_labels": y_test}
    arrays = {key: np.ascontiguousarray(array, dtype=np.uint8) for key, array in arrays.items()}
    return _freeze(arrays, "keras.datasets", verify(arrays, "keras.datasets"))


def downloads_allowed() -> bool:
    """Whether Keras may download the dataset when no folder has it: only if FMNIST_ALLOW_DOWNLOAD=1."""
    return settings.allow_download()


def load(use_cache: bool = True, allow_download: bool | None = None) -> Dataset:
    """Load Fashion-MNIST from the first place that has it; raise DataError with advice if none does.

    Nothing is downloaded unless `allow_download` is True, or it is None and FMNIST_ALLOW_DOWNLOAD=1.
    """
    if allow_download is None:
        allow_download = downloads_allowed()
    if use_cache:
        cached = _read_cache()
        if cached is not None:
            return cached
    folder = find_data_dir()
    if folder is not None:
        dataset = load_from_dir(folder)
    elif allow_download:
        dataset = _load_from_keras()
    else:
        raise DataError(f"Fashion-MNIST was not found in {', '.join(map(str, search_dirs()))}. {INSTALL_HINT}")
    if use_cache and dataset.verified:
        _write_cache(dataset)
    return dataset


def class_name(class_id: int, language: str = "en") -> str:
    """The name of class 0–9 in English ("en") or Chinese ("zh")."""
    if language not in ("en", "zh"):
        raise ValueError(f'language must be "en" or "zh", not "{language}"')
    return (CLASS_NAMES if language == "en" else CLASS_NAMES_ZH)[class_id]


ORDERS = ("first", "random")


def _matching(labels: np.ndarray, classes=None) -> np.ndarray:
    """Indices of the images whose label is in `classes` (None or empty: every class), ascending."""
    labels = np.asarray(labels)
    if classes is None or len(classes) == 0:
        return np.arange(len(labels))
    classes = [int(c) for c in classes]
    if any(not 0 <= c <= 9 for c in classes):
        raise ValueError(f"Classes run from 0 to 9; got {sorted(set(classes))}.")
    return np.flatnonzero(np.isin(labels, classes))


def page_count(labels: np.ndarray, classes=None, per_page: int = 25) -> int:
    """How many pages of `per_page` images the images of `classes` fill (at least 1)."""
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, not {per_page}.")
    return max(1, -(-len(_matching(labels, classes)) // per_page))


def select_indices(
    labels: np.ndarray, classes=None, order: str = "first", seed: int = 0, page: int = 0, per_page: int = 25
) -> np.ndarray:
    """The indices shown on one page of a browser over the images of `classes`.

    `order` "first" keeps the dataset's order; "random" shuffles the matching
    images with `seed` (the same seed gives the same order on every page).
    Pages count from 0; a page past the end gives the last page.
    """
    if order not in ORDERS:
        raise ValueError(f'order must be "first" or "random", not "{order}".')
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, not {per_page}.")
    indices = _matching(labels, classes)
    if order == "random":
        indices = np.random.default_rng(seed).permutation(indices)
    last_page = max(0, -(-len(indices) // per_page) - 1)
    page = min(max(0, int(page)), last_page)
    return indices[page * per_page : (page + 1) * per_page]
