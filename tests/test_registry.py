"""Tests of fmnist.registry: saving, listing, loading, damaged and refused files, names, the quota (races: test_registry_races.py)."""

import io
import json
import logging
import zipfile

import numpy as np
import pytest

from fmnist import atomic, registry
from fmnist.model import architectures


@pytest.fixture(scope="module")
def tiny_model():
    return architectures.compile_model(architectures.build("mlp"))


def rewrite_metadata(name, folder, **changes):
    """Change a saved model's metadata and record the sha256 of its weights file as it is now."""
    json_path = folder / f"{name}.json"
    record = {**json.loads(json_path.read_text()), **changes}
    record["sha256"] = atomic.file_sha256(folder / f"{name}.weights.npz")
    json_path.write_text(json.dumps(record))


@pytest.mark.parametrize("name", ["", "../evil", "a/b", "a\\b", "..", ".hidden", "x" * 65, "sp ace", "a..b", "name."])
def test_bad_names_are_refused(name):
    with pytest.raises(registry.RegistryError, match="model name"):
        registry.validate_name(name)


def test_save_list_load_round_trip(model_dir, tiny_model):
    info = registry.save(tiny_model, "my-model_1", {"architecture": "mlp", "metrics": {"test_accuracy": 0.5}})
    assert info.path == model_dir / "my-model_1.weights.npz"
    metadata = json.loads((model_dir / "my-model_1.json").read_text())
    assert metadata["sha256"] == registry.file_sha256(info.path) and metadata["created"]
    assert metadata["architecture"] == "mlp" and metadata["format"] == registry.FORMAT
    names = [m.name for m in registry.list_models()]
    assert names[0] == "default" and "my-model_1" in names
    loaded = registry.load("my-model_1")
    x = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
    assert np.allclose(loaded.predict(x, verbose=0), tiny_model.predict(x, verbose=0), atol=1e-6)
    assert not [p for p in model_dir.iterdir() if ".tmp" in p.name]
    # Only plain arrays are stored: no Keras config, no optimizer state.
    with zipfile.ZipFile(info.path) as archive:
        assert sorted(archive.namelist()) == [f"weight_{i:03d}.npy" for i in range(len(tiny_model.get_weights()))]


def test_the_architecture_comes_from_the_model_when_the_metadata_has_none(model_dir, tiny_model):
    assert registry.save(tiny_model, "plain", {}).metadata["architecture"] == "mlp"
    with pytest.raises(registry.RegistryError, match=r"not one fmnist\.model\.architectures builds"):
        registry.save(tiny_model, "odd", {"architecture": "transformer"})
    with pytest.raises(registry.RegistryError, match='not those of the "cnn" architecture'):
        registry.save(tiny_model, "odd", {"architecture": "cnn"})
    assert not (model_dir / "odd.json").exists()


def test_existing_names_and_the_default_are_protected(model_dir, tiny_model):
    registry.save(tiny_model, "twice", {})
    with pytest.raises(registry.RegistryError, match="already exists"):
        registry.save(tiny_model, "twice", {})
    registry.save(tiny_model, "twice", {}, overwrite=True)
    with pytest.raises(registry.RegistryError, match="shipped"):
        registry.save(tiny_model, "default", {})
    with pytest.raises(registry.RegistryError, match="shipped"):
        registry.delete("default")
    registry.delete("twice")
    assert "twice" not in [m.name for m in registry.list_models()]


def test_a_changed_file_is_damaged_and_logged(model_dir, tiny_model, caplog):
    info = registry.save(tiny_model, "tampered", {})
    with open(info.path, "ab") as f:
        f.write(b"\0")
    damaged = pytest.raises(registry.DamagedModel, match=r"does not match its recorded checksum \(a damaged file\)")
    with caplog.at_level(logging.ERROR, logger="fmnist.registry"), damaged:
        registry.load("tampered")
    assert any("damaged" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


def cut_short(content: bytes) -> bytes:
    """A whole archive whose first array's data is cut short (its zip entries say so too)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            archive.writestr(name, data[: len(data) // 2] if name == "weight_000.npy" else data)
    return buffer.getvalue()


@pytest.mark.parametrize("damage", ["not an archive", "cut short"])
def test_unreadable_weights_are_damaged_and_logged_with_the_traceback(model_dir, tiny_model, caplog, damage):
    registry.save(tiny_model, "garbage", {})
    path = model_dir / "garbage.weights.npz"
    content = path.read_bytes()
    path.write_bytes(b"PK\x03\x04" + bytes(300) if damage == "not an archive" else cut_short(content))
    rewrite_metadata("garbage", model_dir)  # The checksum is right: only reading the weights can tell.
    damaged = pytest.raises(registry.DamagedModel, match=r"cannot be read \(a damaged file\)")
    with caplog.at_level(logging.ERROR, logger="fmnist.registry"), damaged:
        registry.load("garbage")
    assert any(r.exc_info is not None and "damaged" in r.getMessage() for r in caplog.records)


def npz_bytes(arrays, allow_pickle=False):
    buffer = io.BytesIO()
    np.savez(buffer, **{f"weight_{i:03d}": a for i, a in enumerate(arrays)}, allow_pickle=allow_pickle)
    return buffer.getvalue()


def npz_claiming(shape, others):
    """An archive whose first array's header claims `shape` (float32) but holds 16 bytes, then `others`."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": shape})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("weight_000.npy", header.getvalue() + bytes(16))
        for i, array in enumerate(others, start=1):
            member = io.BytesIO()
            np.save(member, array)
            archive.writestr(f"weight_{i:03d}.npy", member.getvalue())
    return buffer.getvalue()


def refusals(tiny_model):
    """(what, weights file bytes or None to keep, metadata changes, words the refusal must contain)."""
    shapes = [w.shape for w in tiny_model.get_weights()]
    return [
        ("unknown architecture", None, {"architecture": "lambda-net"}, 'architecture "lambda-net" is not one'),
        ("not a string", None, {"architecture": {"class_name": "Lambda"}}, "is not one this app builds"),
        ("other architecture's weights", None, {"architecture": "cnn"}, "arrays where the architecture has"),
        ("wrong shape", npz_bytes([np.zeros((5, 5), np.float32)] + [np.zeros(s, np.float32) for s in shapes[1:]]), {},
         "weight 0 has shape (5, 5)"),
        ("wrong dtype", npz_bytes([np.zeros(s, np.float64) for s in shapes]), {}, "float64"),
        ("pickled objects", npz_bytes([np.array([{"a": 1}], dtype=object)] + [np.zeros(s, np.float32) for s in shapes[1:]],
                                      allow_pickle=True), {}, "weight 0 has shape (1,)"),
        ("a huge array", npz_claiming((10**10,), [np.zeros(s, np.float32) for s in shapes[1:]]), {},
         "weight 0 has shape (10000000000,)"),
    ]  # fmt: skip


def test_files_that_do_not_fit_the_architecture_are_refused_and_logged(model_dir, tiny_model, caplog):
    for what, content, changes, words in refusals(tiny_model):
        registry.save(tiny_model, "refused", {}, overwrite=True)
        if content is not None:
            (model_dir / "refused.weights.npz").write_bytes(content)
        rewrite_metadata("refused", model_dir, **changes)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="fmnist.registry"), pytest.raises(registry.RefusedModel) as caught:
            registry.load("refused")
        assert "was refused" in str(caught.value), what
        assert words in str(caught.value), what
        assert [r.levelno for r in caplog.records] == [logging.WARNING] and "refused" in caplog.records[0].getMessage()


def test_unknown_and_incomplete_models(model_dir, tiny_model):
    with pytest.raises(registry.RegistryError, match="no saved model"):
        registry.load("missing")
    registry.save(tiny_model, "half", {})
    (model_dir / "half.json").unlink()  # As if the process died between the two files.
    (model_dir / "junk.json").write_text("{not json")
    names = [m.name for m in registry.list_models()]
    assert "half" not in names and "junk" not in names


def test_the_listing_and_validate_name_agree(model_dir, tiny_model):
    registry.save(tiny_model, "good.name", {})
    weights = (model_dir / "good.name.weights.npz").read_bytes()
    metadata = (model_dir / "good.name.json").read_text()
    for bad in ("foo.", "a..b", "-dash", "sp ace", "x" * 65, "default"):
        (model_dir / f"{bad}.weights.npz").write_bytes(weights)
        (model_dir / f"{bad}.json").write_text(metadata)
    listed = [info.name for info in registry.list_models() if not info.read_only]
    assert listed == ["good.name"]
    for name in listed:
        assert registry.validate_name(name) == name and registry.load(name) is not None


def test_the_listing_reads_metadata_only_when_it_changed(model_dir, tiny_model, monkeypatch):
    for name in ("one", "two", "three"):
        registry.save(tiny_model, name, {"metrics": {"test_accuracy": 0.5}})
    registry.list_models()
    reads = []
    original = registry._read_metadata
    monkeypatch.setattr(registry, "_read_metadata", lambda path: reads.append(path.name) or original(path))
    assert [m.name for m in registry.list_models()][1:] == ["one", "three", "two"]
    assert reads == []
    registry.save(tiny_model, "two", {"metrics": {"test_accuracy": 0.75}}, overwrite=True)
    listed = {m.name: m for m in registry.list_models()}
    assert reads == ["two.json"] and listed["two"].test_accuracy == 0.75
    registry.delete("one")
    reads.clear()
    assert [m.name for m in registry.list_models()][1:] == ["three", "two"] and reads == []


def test_the_folder_has_a_quota(model_dir, tiny_model, monkeypatch):
    monkeypatch.setenv("FMNIST_MAX_MODELS", "2")
    registry.save(tiny_model, "first", {})
    registry.save(tiny_model, "second", {})
    with pytest.raises(registry.RegistryError, match=r"The models folder is full: it holds 2 models.*FMNIST_MAX_MODELS"):
        registry.save(tiny_model, "third", {})
    registry.save(tiny_model, "second", {}, overwrite=True)  # Replacing a model needs no more room.
    size = (model_dir / "first.weights.npz").stat().st_size
    monkeypatch.setenv("FMNIST_MAX_MODELS", "10")
    monkeypatch.setenv("FMNIST_MAX_MODEL_BYTES", str(int(2.5 * size)))
    with pytest.raises(registry.RegistryError, match=r"full: its models take .* MB.*FMNIST_MAX_MODEL_BYTES"):
        registry.save(tiny_model, "third", {})
    registry.delete("first")
    registry.save(tiny_model, "third", {})
    monkeypatch.setenv("FMNIST_MAX_MODELS", "many")
    with pytest.raises(registry.RegistryError, match="FMNIST_MAX_MODELS must be a positive whole number"):
        registry.save(tiny_model, "fourth", {})
    assert sorted(m.name for m in registry.list_models() if not m.read_only) == ["second", "third"]


def test_shipped_default_is_listed_read_only_and_loads():
    info = registry.get("default")
    assert info.read_only and info.metadata["architecture"] == "cnn"
    assert "python -m fmnist train --preset cnn-fast --filters 24,48" in info.metadata["command"]
    assert registry.load("default").output_shape == (None, 10)


def test_default_metadata_accuracy_is_what_the_file_scores(dataset):
    from fmnist.model.evaluation import evaluate

    info = registry.get("default")
    result = evaluate(registry.load("default"), dataset.test_images, dataset.test_labels)
    assert result.accuracy >= 0.91
    assert info.test_accuracy == pytest.approx(result.accuracy, abs=1e-9)
    assert info.path.stat().st_size < 5_000_000


def test_write_pair_and_info_for_path(tmp_path, tiny_model):
    info = registry.write_pair(tiny_model, tmp_path / "out.weights.npz", {"note": "cli"})
    assert info.name == "out" and (tmp_path / "out.json").is_file()
    for given in (tmp_path / "out.weights.npz", tmp_path / "out.json"):
        assert registry.info_for_path(given).metadata["note"] == "cli"
    assert registry.load_info(registry.info_for_path(tmp_path / "out.json")).output_shape == (None, 10)
    with pytest.raises(registry.RegistryError, match=r"ending in \.weights\.npz, not model\.keras"):
        registry.write_pair(tiny_model, tmp_path / "model.keras", {})
    with pytest.raises(registry.RegistryError, match="not a model"):
        registry.info_for_path(tmp_path / "model.keras")
