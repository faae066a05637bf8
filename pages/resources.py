"""What every session shares, made once per server process: the dataset, the predictors, the job manager.

The warm-up (start_warm_up) loads the default model before the first visitor needs it. It runs outside any
script run (server.py starts it as the server starts), so it calls no Streamlit function: it makes a plain
Predictor and leaves it here, and the first call of the cached registry_predictor for that model takes it.
Nothing here imports TensorFlow at import time, and nothing here trains: runs are child processes of the
job manager (fmnist.runs.jobs).
"""

from __future__ import annotations

import atexit
import gc
import logging
import threading
import time
from concurrent.futures import Future

import numpy as np
import streamlit as st

from fmnist import registry, settings
from fmnist.data import fashion_mnist
from fmnist.runs import jobs

log = logging.getLogger("fmnist.pages")  # Under "fmnist", so it reaches the server log (fmnist.logs).


@st.cache_resource(show_spinner="Loading Fashion-MNIST…")
def load_dataset() -> fashion_mnist.Dataset:
    """The dataset, loaded once per server process and shared (read-only) by every session."""
    return fashion_mnist.load()


def dataset() -> fashion_mnist.Dataset:
    """The dataset, or a clear message and the end of this page run if it cannot be loaded."""
    try:
        return load_dataset()
    except fashion_mnist.DataError as error:
        st.error(str(error))
        st.stop()


def job_manager() -> jobs.JobManager:
    """The server's job runner, which trains every run in a child process (one per process, made on first use)."""
    return jobs.get_manager()


# Streamlit collects all garbage after every script run, and Keras's clear_session collects again. With
# TensorFlow and a model in memory the heap is large, and a full collection holds the GIL long enough to
# delay a stroke's prediction on its way to the browser. So the objects alive once a model is loaded
# (TensorFlow's modules, the cached models), which live as long as the server, are moved out of the
# collector's sight (gc.freeze), and those collections only look at what the runs create.
_heap_lock = threading.Lock()


def ready_predictor(load):
    """A Predictor for the model `load()` returns, traced once, with the heap frozen after it.

    Before the load, the heap is thawed and collected: garbage frozen by the last load (and models that have
    left the caches since) is freed then, while the visitor waits for a model anyway. After it, freezing takes
    no time, so the first prediction does not wait on a collection. Its single-image path is then compiled in
    the background (fmnist.model.predict.Predictor.compile_one: it outlives every run's clear_session).
    """
    from fmnist.model.predict import Predictor

    with _heap_lock:
        gc.unfreeze()
        gc.collect()
        predictor = Predictor(load())
        predictor.predict_one(np.zeros((28, 28), np.float32))
        gc.freeze()
    start_background(predictor.compile_one, "fmnist-compile")
    return predictor


# Background work inside TensorFlow (the warm-up, compiling a single-image pass). Daemon threads, so they never
# keep a stopping server alive for long; but one still running inside TensorFlow's C++ code while the process
# exits can crash it, as TensorFlow's own state is torn down under it. So the process waits for them at exit.
_background: list[threading.Thread] = []
_background_lock = threading.Lock()


def start_background(target, name: str) -> threading.Thread:
    """Run `target` in a daemon thread that the process lets finish before it exits (see finish_background_work)."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    with _background_lock:
        _background[:] = [other for other in _background if other.is_alive()]
        _background.append(thread)
    thread.start()
    return thread


@atexit.register
def finish_background_work(timeout: float = 60.0) -> list[str]:
    """Wait up to `timeout` seconds in all for the background threads still running; the names of any left running."""
    deadline = time.monotonic() + timeout
    with _background_lock:
        threads = list(_background)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread.name for thread in threads if thread.is_alive()]


# The warm-up's predictor for one saved model, keyed as registry_predictor is: (name, sha256). A Future, so that
# a session asking for that model while the warm-up still loads it waits for it instead of loading it again.
_warm_lock = threading.Lock()
_warmed: dict[tuple[str, str], Future] = {}
_warm_up_thread: threading.Thread | None = None


def _take_warmed(name: str, sha256: str):
    """The warm-up's predictor for this model (once: the Streamlit cache keeps it from then on), or None."""
    with _warm_lock:
        future = _warmed.pop((name, sha256), None)
    if future is None:
        return None
    try:
        return future.result()
    except Exception:  # Reported by the warm-up; the model is loaded again, and its error shown to the user.
        return None


@st.cache_resource(max_entries=8, show_spinner=False)
def registry_predictor(name: str, sha256: str):
    """A Predictor for a saved model, shared by all sessions; the checksum in the key reloads a replaced file."""
    warmed = _take_warmed(name, sha256)
    return warmed if warmed is not None else ready_predictor(lambda: registry.load(name))


def warm_default_predictor() -> None:
    """Load the shipped model and run one prediction, so TensorFlow is imported and the forward pass traced."""
    future = Future()
    try:
        info = registry.get(registry.DEFAULT_NAME)
        with _warm_lock:
            _warmed.clear()
            _warmed[(info.name, info.metadata.get("sha256", ""))] = future
        future.set_result(ready_predictor(lambda: registry.load(info.name)))  # Traces the forward pass.
        log.info("The default model is loaded and warm.")
    except Exception as error:  # A missing or damaged default model is reported to the user when it is chosen.
        future.set_exception(error)
        log.exception("Warming the default model failed")


def start_warm_up() -> threading.Thread | None:
    """Warm the default predictor in a background thread, once per server process (FMNIST_WARM_UP=0: never).

    server.py's lifespan hook starts it as the server starts (`make run`); under `streamlit run app.py` the
    first page a visitor opens does. Either way, by the time a picture is drawn, TensorFlow is imported and
    the predictor that every session shares is ready. app.py calls it on every run too: only the first call
    starts the thread. A plain function, not a Streamlit cache: it runs outside any script run.
    """
    global _warm_up_thread
    if not settings.warm_up():
        return None
    with _warm_lock:
        if _warm_up_thread is None:
            _warm_up_thread = start_background(warm_default_predictor, "fmnist-warm-up")
        return _warm_up_thread


@st.cache_resource(max_entries=8, show_spinner=False)
def run_model(run_id: str):
    """The trained model of an ended run, rebuilt and loaded from its weights (they never change once written)."""
    from fmnist.runs import compare

    return compare.load_model(run_id, job_manager().root)


@st.cache_resource(max_entries=8, show_spinner=False)
def run_predictor(run_id: str):
    """A Predictor for an ended run's model."""
    return ready_predictor(lambda: run_model(run_id))
