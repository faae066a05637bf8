import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from fmnist import models, registry


@pytest.fixture(scope="module")
def tiny_model():
    return models.compile_model(models.build("mlp"))


@pytest.mark.parametrize("name", ["", "../evil", "a/b", "a\\b", "..", ".hidden", "x" * 65, "sp ace", "a..b", "name."])
def test_bad_names_are_refused(name):
    with pytest.raises(registry.RegistryError, match="model name"):
        registry.validate_name(name)


def test_save_list_load_round_trip(model_dir, tiny_model):
    info = registry.save(tiny_model, "my-model_1", {"architecture": "mlp", "metrics": {"test_accuracy": 0.5}})
    assert info.path == model_dir / "my-model_1.keras"
    metadata = json.loads((model_dir / "my-model_1.json").read_text())
    assert metadata["sha256"] == registry.file_sha256(info.path) and metadata["created"]
    names = [m.name for m in registry.list_models()]
    assert names[0] == "default" and "my-model_1" in names
    loaded = registry.load("my-model_1")
    x = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
    assert np.allclose(loaded.predict(x, verbose=0), tiny_model.predict(x, verbose=0), atol=1e-6)
    assert not [p for p in model_dir.iterdir() if ".tmp" in p.name]
    # Only the weights are kept, not the optimizer's state (a third of the size).
    import zipfile

    with zipfile.ZipFile(info.path) as archive:
        assert not json.loads(archive.read("config.json")).get("compile_config")


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


def test_a_changed_file_is_not_loaded(model_dir, tiny_model):
    info = registry.save(tiny_model, "tampered", {})
    with open(info.path, "ab") as f:
        f.write(b"\0")
    with pytest.raises(registry.RegistryError, match="checksum"):
        registry.load("tampered")


def test_unknown_and_incomplete_models(model_dir, tiny_model):
    with pytest.raises(registry.RegistryError, match="no saved model"):
        registry.load("missing")
    registry.save(tiny_model, "half", {})
    (model_dir / "half.json").unlink()  # As if the process died between the two files.
    (model_dir / "junk.json").write_text("{not json")
    names = [m.name for m in registry.list_models()]
    assert "half" not in names and "junk" not in names


def test_shipped_default_is_listed_read_only_and_loads():
    info = registry.get("default")
    assert info.read_only and info.metadata["architecture"] == "cnn"
    assert "python -m fmnist train --model cnn" in info.metadata["command"]
    assert registry.load("default").output_shape == (None, 10)


def test_default_metadata_accuracy_is_what_the_file_scores(dataset):
    from fmnist.evaluation import evaluate

    info = registry.get("default")
    result = evaluate(registry.load("default"), dataset.test_images, dataset.test_labels)
    assert result.accuracy >= 0.91
    assert info.test_accuracy == pytest.approx(result.accuracy, abs=1e-9)
    assert info.path.stat().st_size < 5_000_000


def test_killed_while_saving_leaves_only_whole_models(model_dir):
    # A child process saves models in a loop; it is killed mid-way, more than once.
    script = textwrap.dedent(
        """
        import itertools, sys
        from fmnist import models, registry
        model = models.compile_model(models.build("cnn"))
        print("ready", flush=True)
        for i in itertools.count():
            registry.save(model, f"m{i % 3}", {"architecture": "cnn"}, overwrite=True)
        """
    )
    env = {**os.environ, "FMNIST_MODEL_DIR": str(model_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    for delay in (0.3, 0.7, 1.1):
        child = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
    listed = [m for m in registry.list_models() if not m.read_only]
    for info in listed:
        # Each listed model is whole: either it loads, or (killed between the two renames of an
        # overwrite) its checksum says so; never a half-written file that Keras trips over.
        try:
            assert registry.load(info.name).output_shape == (None, 10)
        except registry.RegistryError as error:
            assert "checksum" in str(error)
    for path in model_dir.glob("*.keras"):
        if not path.name.startswith("."):
            import zipfile

            assert zipfile.is_zipfile(path), f"{path.name} is a partial file"
