"""The warm-up (pages/resources.py): it runs outside any script run, so it calls no Streamlit cached function,
and the predictor it makes is the one the first session gets, not a second load of the same model."""

import threading

import numpy as np

from fmnist import registry
from pages import resources


def test_the_warm_up_is_off_when_the_setting_says_so(monkeypatch):
    monkeypatch.setenv("FMNIST_WARM_UP", "0")
    assert resources.start_warm_up() is None


def test_the_warm_up_loads_the_default_model_once_and_hands_it_to_the_first_session(monkeypatch):
    loads, load = [], registry.load
    monkeypatch.setattr(registry, "load", lambda name: loads.append(name) or load(name))
    cached = resources.registry_predictor
    cached.clear()

    def outside_a_script_run(*args):
        raise AssertionError("the warm-up called a Streamlit cached function")

    monkeypatch.setattr(resources, "registry_predictor", outside_a_script_run)
    resources.warm_default_predictor()  # As the warm-up thread runs it: with no script run around it.
    assert loads == [registry.DEFAULT_NAME]
    monkeypatch.setattr(resources, "registry_predictor", cached)
    info = registry.get(registry.DEFAULT_NAME)
    predictor = resources.registry_predictor(info.name, info.metadata.get("sha256", ""))
    assert loads == [registry.DEFAULT_NAME]  # The session's predictor is the warm one.
    assert predictor.predict_one(np.zeros((28, 28), np.float32)).shape == (10,)
    cached.clear()
    # The single-image pass compiles in a background thread; the process waits for it at exit (TensorFlow torn
    # down under a thread still compiling can crash the process), and so does this test.
    assert resources.finish_background_work() == []
    assert not [thread for thread in threading.enumerate() if thread.name == "fmnist-compile"]
