"""Shared fixtures: the real dataset (loaded once), isolated folders for caches, models and runs, a fresh job
manager, and the shipped default model."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# No background warm-up of the default model in AppTest runs (it would import TensorFlow into the test process
# behind every page test's back); the browser tests' servers warm up as a real server does.
os.environ.setdefault("FMNIST_WARM_UP", "0")

import pytest

from fmnist.data import fashion_mnist
from fmnist.runs import jobs

# Folders the code writes into, each pointed at a temporary folder for the whole test session, so that the
# tests never read or write the user's own cache, models or runs (and servers the tests start inherit them).
ISOLATED = {"FMNIST_CACHE_DIR": "cache", "FMNIST_MODEL_DIR": "models", "FMNIST_RUNS_DIR": "runs"}


@pytest.fixture(scope="session", autouse=True)
def isolated_folders(tmp_path_factory):
    before = {name: os.environ.get(name) for name in ISOLATED}
    root = tmp_path_factory.mktemp("fmnist-home")
    for name, folder in ISOLATED.items():
        os.environ[name] = str(root / folder)
    yield root
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def dataset(isolated_folders):
    return fashion_mnist.load()


@pytest.fixture
def model_dir(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    monkeypatch.setenv("FMNIST_MODEL_DIR", str(folder))
    return folder


@pytest.fixture
def fresh_job_manager():
    """A new job manager for the test; its children are stopped and killed when the test ends."""
    jobs.close_manager()
    yield
    jobs.close_manager()


@pytest.fixture(scope="module")
def cnn():
    """The shipped default model (a CNN), loaded once per test module."""
    from fmnist import registry  # Here, not at the top: only the tests that use a model should import Keras.

    return registry.load("default")
