import gzip
import os
import subprocess
import sys

import numpy as np
import pytest

from fmnist import data


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
    assert data.CLASS_NAMES[dataset.train_labels[0]] == "Ankle boot"
    assert data.class_name(int(dataset.train_labels[1]), "zh") == "T恤/上衣"
    assert len(data.CLASS_NAMES_ZH) == 10


def test_cache_round_trip(tmp_path, monkeypatch, dataset):
    monkeypatch.setenv("FMNIST_CACHE_DIR", str(tmp_path / "cache"))
    first = data.load()
    assert (tmp_path / "cache" / "train_images.npy").is_file()
    second = data.load()
    assert second.verified and np.array_equal(second.test_images, dataset.test_images)
    assert second.source == first.source


def test_corrupt_cache_is_ignored(tmp_path, monkeypatch, dataset):
    monkeypatch.setenv("FMNIST_CACHE_DIR", str(tmp_path))
    data.load()
    labels = np.load(tmp_path / "test_labels.npy")
    labels[:10] = (labels[:10] + 1) % 10  # Keeps every class count plausible per file, but the checksum breaks.
    np.save(tmp_path / "test_labels.npy", labels)
    reloaded = data.load()
    assert np.array_equal(reloaded.test_labels, dataset.test_labels)


def write_idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(header + array.astype(np.uint8).tobytes())


def copy_dataset(folder, dataset, **replacements):
    folder.mkdir(exist_ok=True)
    for key, (name, magic, _) in data.FILES.items():
        write_idx(folder / name, replacements.get(key, getattr(dataset, key)), magic)


def test_missing_dataset_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(data, "KERAS_DIR", tmp_path / "no-keras")
    with pytest.raises(data.DataError) as error:
        data.load(use_cache=False, allow_download=False)
    assert "apt-get install dataset-fashion-mnist" in str(error.value)
    assert "FMNIST_DATA_DIR" in str(error.value)


def test_nothing_is_downloaded_unless_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(data, "KERAS_DIR", tmp_path / "no-keras")
    monkeypatch.delenv("FMNIST_ALLOW_DOWNLOAD", raising=False)
    asked = []
    monkeypatch.setattr(data, "_load_from_keras", lambda: asked.append(True) or data.load_from_dir(data.DEBIAN_DIR))
    with pytest.raises(data.DataError, match="FMNIST_ALLOW_DOWNLOAD=1"):
        data.load(use_cache=False)
    assert asked == []
    monkeypatch.setenv("FMNIST_ALLOW_DOWNLOAD", "1")
    with pytest.raises(data.DataError):  # The stand-in downloader reads a folder that does not exist.
        data.load(use_cache=False)
    assert asked == [True]


def test_wrong_magic_number_is_refused(tmp_path, dataset):
    copy_dataset(tmp_path, dataset)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", dataset.test_labels, 2051)
    with pytest.raises(data.DataError, match="magic number"):
        data.load_from_dir(tmp_path)


def test_changed_pixels_fail_the_checksum(tmp_path, dataset):
    images = dataset.test_images.copy()
    images[0, 0, 0] ^= 1
    copy_dataset(tmp_path, dataset, test_images=images)
    with pytest.raises(data.DataError, match="checksums"):
        data.load_from_dir(tmp_path)


def test_unbalanced_classes_are_refused(tmp_path, dataset):
    labels = dataset.test_labels.copy()
    labels[labels == 3] = 4
    copy_dataset(tmp_path, dataset, test_labels=labels)
    with pytest.raises(data.DataError, match="per class"):
        data.load_from_dir(tmp_path)


def test_truncated_gzip_is_refused(tmp_path, dataset):
    copy_dataset(tmp_path, dataset)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(data.DataError, match="not a readable gzip"):
        data.load_from_dir(tmp_path)


def test_data_dir_env_is_searched_first(tmp_path, monkeypatch, dataset):
    copy_dataset(tmp_path, dataset)
    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path))
    assert data.find_data_dir() == tmp_path
    assert data.load(use_cache=False).source == str(tmp_path)


def test_importing_data_and_info_needs_no_tensorflow():
    code = (
        "import sys, io, contextlib\n"
        "import fmnist.data\n"
        "from fmnist.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['info', '--json']) == 0\n"
        "heavy = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=os.getcwd(), check=True)
    assert result.stdout.strip() == "none"
