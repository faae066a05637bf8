"""The generated script stands alone, builds the same network and trains it."""

import ast
import os
import re
import subprocess
import sys

import pytest

from fmnist.export import codegen
from fmnist.model.training import TrainConfig


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_script_is_valid_python_with_settings_on_top_and_no_fmnist(model):
    config = TrainConfig(model=model, epochs=3, batch_size=64, learning_rate=0.002, seed=5).resolved()
    text = codegen.script(config)
    tree = ast.parse(text)
    constants = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
                 if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper()
                 and not isinstance(node.value, ast.Dict)}  # fmt: skip
    assert constants["EPOCHS"] == 3 and constants["BATCH_SIZE"] == 64 and constants["LEARNING_RATE"] == 0.002
    assert constants["SEED"] == 5 and "LIMIT" not in constants and "LABEL_SMOOTHING" not in constants
    # The run's choices are written into the code: its network (with batch normalisation) and its one-cycle rate.
    assert config.schedule == "onecycle" and "warmup_target=LEARNING_RATE" in text
    assert "layers.BatchNormalization(" in text and ("layers.Conv2D(" in text) == (model == "cnn")
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])}  # fmt: skip
    assert imported <= {"gzip", "math", "os", "pathlib", "keras", "numpy"}


NETWORKS = [
    ("mlp", {}),
    ("cnn", {}),
    ("mlp", {"hidden_units": (256, 64), "dropout": 0.25}),
    ("mlp", {"hidden_units": (256, 64), "dropout": 0.25, "batch_norm": False}),
    ("cnn", {"filters": (16, 32, 64), "dense_units": 48, "dropout": 0.0}),
    ("cnn", {"filters": (16, 32), "dense_units": 64, "batch_norm": True}),
    ("cnn", {"filters": (16, 32), "dense_units": 64, "batch_norm": True, "norm_after_pool": True}),
]


@pytest.mark.parametrize(("model", "settings"), NETWORKS)
def test_script_builds_the_same_network_as_fmnist(model, settings):
    from fmnist.model import architectures

    config = TrainConfig(model=model, **settings).resolved()
    text = codegen.script(config)
    namespace = {}
    # Run only the imports and the settings and the builder, not the loading and the training.
    exec(text.split("# The tutorial calls keras.datasets")[0], namespace)
    built, reference = namespace["build_model"](), architectures.build(model, config.architecture())
    assert [layer.__class__.__name__ for layer in built.layers] == [layer.__class__.__name__ for layer in reference.layers]
    assert built.count_params() == reference.count_params()
    momentum = [(layer.__class__.__name__, getattr(layer, "momentum", None)) for layer in built.layers]
    assert momentum == [(layer.__class__.__name__, getattr(layer, "momentum", None)) for layer in reference.layers]


@pytest.mark.slow
def test_script_trains_one_epoch_on_the_real_data_and_prints_its_accuracy(tmp_path):
    text = codegen.script(TrainConfig(model="mlp").resolved(), filename="train_mlp.py")
    text, replaced = re.subn(r"^EPOCHS = \d+", "EPOCHS = 1", text, flags=re.M)
    assert replaced == 1
    path = tmp_path / "train_mlp.py"
    path.write_text(text)
    # Run from an empty folder with a clean path, so that `fmnist` cannot be imported by accident.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env={**env, "TF_CPP_MIN_LOG_LEVEL": "3"},
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    accuracy = float(re.search(r"^Test accuracy: ([0-9.]+)$", result.stdout, flags=re.M).group(1))
    assert 0.75 < accuracy <= 1.0
    # The tutorial's 784·128+128 + 128·10+10, with batch normalisation: no bias, 4 numbers per hidden unit.
    assert re.search(r"^Parameters: 102154$", result.stdout, flags=re.M)


@pytest.mark.slow
def test_script_reproduces_augmentation_and_early_stopping(tmp_path):
    """The settings' switches are constants, and a run with all three trains on real data: augmented batches of the
    right shape, early stopping watching the validation loss, the smoothed loss."""
    config = TrainConfig(
        model="mlp", hidden_units=(64,), augment=True, early_stopping=2, limit=3000, label_smoothing=0.1, validation_split=0.1
    )
    text = codegen.script(config.resolved(), filename="train_more.py")
    assert "    AugmentedBatches(train_images, train_labels, BATCH_SIZE, SEED)," in text and re.search(
        r"^EARLY_STOPPING = 2 ", text, flags=re.M
    )
    assert re.search(r"^LABEL_SMOOTHING = 0.1 ", text, flags=re.M)
    assert "layers.Dense(64, use_bias=False)," in text and "HIDDEN_UNITS" not in text
    text = re.sub(r"^EPOCHS = \d+", "EPOCHS = 2", text, flags=re.M)
    path = tmp_path / "train_more.py"
    path.write_text(text)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env={**env, "TF_CPP_MIN_LOG_LEVEL": "3"},
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"^Parameters: 51082$", result.stdout, flags=re.M)  # 784·64 + 4·64 (normalisation) + 64·10+10.
    assert re.search(r"^Epoch 2/2$", result.stdout, flags=re.M) and "val_loss" in result.stdout
    assert 0.5 < float(re.search(r"^Test accuracy: ([0-9.]+)$", result.stdout, flags=re.M).group(1)) <= 1.0
