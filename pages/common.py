"""Streamlit helpers shared by the pages: the language, the dataset, cached predictors and figures.

This module is imported by pages (`from pages.common import ...`); it is not a
page itself, because `st.navigation` in app.py lists the pages explicitly.
Nothing here imports TensorFlow at import time.
"""

from __future__ import annotations

import sys

import numpy as np
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner

from fmnist import data, i18n, plots, registry


def _imported(name: str):
    """The module `name` once completely imported; None while absent or still being imported by another thread."""
    module = sys.modules.get(name)
    if module is None or getattr(getattr(module, "__spec__", None), "_initializing", False):
        return None
    return module


def _clean_up_after_run() -> None:
    """Streamlit's clean-up after each script run, less the reset of Keras's global state (see below).

    It touches only modules that are completely imported: a training thread may be importing TensorFlow
    right now, and importing it here as well could end in a deadlock between the two imports.
    """
    pyplot = _imported("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    ops, context = _imported("tensorflow.python.framework.ops"), _imported("tensorflow.python.eager.context")
    if _imported("tensorflow") is not None and ops is not None and context is not None:
        ops.reset_default_graph()
        context.context().clear_kernel_cache()  # Without it the server grew with every prediction (measured).


# After every script run of every session, Streamlit calls keras.backend.clear_session(), which replaces
# Keras's per-thread global state for all threads at once. Another visitor's click (or the live page's
# own redraw every second) could then reset the layer-name counters or the random seed of a model being
# built in a training thread, and the run failed with "All layers added to a Sequential model should have
# unique names". So the clean-up keeps what clear_session does for TensorFlow and leaves Keras's state be.
script_runner._clean_problem_modules = _clean_up_after_run

# Streamlit runs an app that has a folder called pages/ as a legacy multipage app (every file in
# pages/ a page, app.py not run) until st.navigation has been called once in the server process.
# A first visitor who opens /browse directly would get that legacy app, so the first run switches
# the legacy mode off and starts again, now through app.py and st.navigation.
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
DONE_STATUSES = ("stopped", "finished")


def language() -> str:
    """The language chosen in the sidebar: "en" or "zh"."""
    return st.session_state.get("language", "en")


def t(key: str, **values) -> str:
    """A UI string in the chosen language, with `values` filled in."""
    return i18n.text(key, language(), **values)


def class_names(lang: str | None = None) -> tuple[str, ...]:
    """The ten class names in the chosen language (or in `lang`)."""
    return data.CLASS_NAMES if (lang or language()) == "en" else data.CLASS_NAMES_ZH


# Lets the user switch class names and labels between English and Chinese.
def language_ui() -> str:
    return st.sidebar.radio(
        "Language / 语言", tuple(LANGUAGE_NAMES), format_func=LANGUAGE_NAMES.get, key="language", horizontal=True
    )


@st.cache_resource(show_spinner="Loading Fashion-MNIST…")
def load_dataset() -> data.Dataset:
    """The dataset, loaded once per server process and shared (read-only) by every session."""
    return data.load()


def dataset() -> data.Dataset:
    """The dataset, or a clear message and the end of this page run if it cannot be loaded."""
    try:
        return load_dataset()
    except data.DataError as error:
        st.error(str(error))
        st.stop()


@st.cache_resource(max_entries=8, show_spinner=False)
def registry_predictor(name: str, sha256: str):
    """A Predictor for a saved model, shared by all sessions; the checksum in the key reloads a replaced file."""
    from fmnist.predict import Predictor

    return Predictor(registry.load(name))


def session_job():
    """This session's training job once it stopped or finished with a model, else None."""
    job = st.session_state.get("job")
    if job is not None and job.status in DONE_STATUSES and job.model is not None:
        return job
    return None


def session_predictor():
    """A Predictor for this session's own trained model (kept in session_state, never shared), or None."""
    job = session_job()
    if job is None:
        return None
    cached = st.session_state.get("session_predictor")
    if cached is None or cached[0] is not job:
        from fmnist.predict import Predictor

        cached = (job, Predictor(job.model))
        st.session_state.session_predictor = cached
    return cached[1]


def session_png(key, build) -> bytes:
    """PNG bytes of the figure `build()` makes, kept in this session under `key` (for per-session results)."""
    store = st.session_state.setdefault("figure_pngs", {})
    if key not in store:
        if len(store) >= 16:
            store.clear()
        store[key] = plots.figure_png(build())
    return store[key]


def enlarge(image: np.ndarray, scale: int = 8) -> np.ndarray:
    """A 28×28 image in [0, 1] (or uint8) as uint8 pixels `scale` times larger, with hard pixel edges."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        image = (np.clip(image, 0, 1) * 255).round().astype(np.uint8)
    return np.kron(image, np.ones((scale, scale), dtype=np.uint8))


def format_seconds(seconds: float | None) -> str:
    """A duration for people: "42 s", "3:05" or "1:02:09"; "–" when unknown."""
    if seconds is None or not np.isfinite(seconds):
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
