import gzip
import os
import subprocess
import sys

import numpy as np
import pytest

from fmnist.data import fashion_mnist


def test_real_dataset_is_verified(dataset):
    assert dataset.verified
    assert dataset.train_images.shape == (60000, 28, 28) and dataset.train_images.dtype == np.uint8
    assert dataset.test_images.shape == (10000, 28, 28)
    assert np.bincount(dataset.train_labels).tolist() == [6000] * 10
    assert np.bincount(dataset.test_labels).tolist() == [1000] * 10
    assert dataset.train_images.max() == 255 and dataset.train_images.min() == 0


def test_arrays_are_read_only(dataset):
    with pytest.raises(ValueError):
        dataset.train_images[0, 0, 0] = 1


def test_tutorial_facts(dataset):
    # The tutorial: the first training image is an ankle boot, the second a T-shirt.
    assert fashion_mnist.CLASS_NAMES[dataset.train_labels[0]] == "Ankle boot"
    assert fashion_mnist.class_name(int(dataset.train_labels[1]), "zh") == "T恤/上衣"
    assert len(fashion_mnist.CLASS_NAMES_ZH) == 10


def test_cache_round_trip(tmp_path, monkeypatch, dataset):
    monkeypatch.setenv("FMNIST_CACHE_DIR", str(tmp_path / "cache"))
    first = fashion_mnist.load()
    assert (tmp_path / "cache" / "train_images.npy").is_file()
    second = fashion_mnist.load()
    assert second.verified and np.array_equal(second.test_images, dataset.test_images)
    assert second.source == first.source


def test_corrupt_cache_is_ignored(tmp_path, monkeypatch, dataset):
    monkeypatch.setenv("FMNIST_CACHE_DIR", str(tmp_path))
    fashion_mnist.load()
    labels = np.load(tmp_path / "test_labels.npy")
    labels[:10] = (labels[:10] + 1) % 10  # Keeps every class count plausible per file, but the checksum breaks.
    np.save(tmp_path / "test_labels.npy", labels)
    reloaded = fashion_mnist.load()
    assert np.array_equal(reloaded.test_labels, dataset.test_labels)


def write_idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(header + array.astype(np.uint8).tobytes())


def copy_dataset(folder, dataset, **replacements):
    folder.mkdir(exist_ok=True)
    for key, (name, magic, _) in fashion_mnist.FILES.items():
        write_idx(folder / name, replacements.get(key, getattr(dataset, key)), magic)


def test_missing_dataset_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(fashion_mnist, "KERAS_DIR", tmp_path / "no-keras")
    with pytest.raises(fashion_mnist.DataError) as error:
        fashion_mnist.load(use_cache=False, allow_download=False)
    assert "apt-get install dataset-fashion-mnist" in str(error.value)
    assert "FMNIST_DATA_DIR" in str(error.value)


def test_nothing_is_downloaded_unless_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(fashion_mnist, "KERAS_DIR", tmp_path / "no-keras")
    monkeypatch.delenv("FMNIST_ALLOW_DOWNLOAD", raising=False)
    asked = []
    monkeypatch.setattr(
        fashion_mnist, "_load_from_keras", lambda: asked.append(True) or fashion_mnist.load_from_dir(fashion_mnist.DEBIAN_DIR)
    )
    with pytest.raises(fashion_mnist.DataError, match="FMNIST_ALLOW_DOWNLOAD=1"):
        fashion_mnist.load(use_cache=False)
    assert asked == []
    monkeypatch.setenv("FMNIST_ALLOW_DOWNLOAD", "1")
    with pytest.raises(fashion_mnist.DataError):  # The stand-in downloader reads a folder that does not exist.
        fashion_mnist.load(use_cache=False)
    assert asked == [True]


def test_wrong_magic_number_is_refused(tmp_path, dataset):
    copy_dataset(tmp_path, dataset)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", dataset.test_labels, 2051)
    with pytest.raises(fashion_mnist.DataError, match="magic number"):
        fashion_mnist.load_from_dir(tmp_path)


def test_changed_pixels_fail_the_checksum(tmp_path, dataset):
    images = dataset.test_images.copy()
    images[0, 0, 0] ^= 1
    copy_dataset(tmp_path, dataset, test_images=images)
    with pytest.raises(fashion_mnist.DataError, match="checksums"):
        fashion_mnist.load_from_dir(tmp_path)


def test_unbalanced_classes_are_refused(tmp_path, dataset):
    labels = dataset.test_labels.copy()
    labels[labels == 3] = 4
    copy_dataset(tmp_path, dataset, test_labels=labels)
    with pytest.raises(fashion_mnist.DataError, match="per class"):
        fashion_mnist.load_from_dir(tmp_path)


def test_truncated_gzip_is_refused(tmp_path, dataset):
    copy_dataset(tmp_path, dataset)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(fashion_mnist.DataError, match="not a readable gzip"):
        fashion_mnist.load_from_dir(tmp_path)


def test_data_dir_env_is_searched_first(tmp_path, monkeypatch, dataset):
    copy_dataset(tmp_path, dataset)
    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path))
    assert fashion_mnist.find_data_dir() == tmp_path
    assert fashion_mnist.load(use_cache=False).source == str(tmp_path)


def test_importing_data_and_info_needs_no_tensorflow():
    code = (
        "import sys, io, contextlib\n"
        "import fmnist.data.fashion_mnist\n"
        "from fmnist.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['info', '--json']) == 0\n"
        "heavy = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=os.getcwd(), check=True)
    assert result.stdout.strip() == "none"
