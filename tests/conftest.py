"""Shared fixtures: the real dataset (loaded once) and isolated folders for caches and models."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest

from fmnist import data


@pytest.fixture(scope="session")
def dataset():
    return data.load()


@pytest.fixture
def model_dir(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    monkeypatch.setenv("FMNIST_MODEL_DIR", str(folder))
    return folder

