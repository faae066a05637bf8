"""Streamlit helpers shared by the pages: the language, the dataset, cached predictors and figures.

This module is imported by app.py and by every page (`from pages.common import ...`);
it is not a page itself, because `st.navigation` in app.py lists the pages
explicitly (app_pages). Nothing here imports TensorFlow at import time, and
nothing here trains: runs are child processes of the job manager (fmnist.runs.jobs).
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from pathlib import Path

import numpy as np
import streamlit as st

from fmnist import registry
from fmnist.charts import figures
from fmnist.data import fashion_mnist
from fmnist.runs import jobs, store
from pages import i18n

PAGES_DIR = Path(__file__).resolve().parent
log = logging.getLogger("fmnist.pages")  # Under "fmnist", so it reaches the server log (fmnist.logs).


def app_pages() -> list:
    """The app's pages, for st.navigation; paths are absolute, so any entry script can route to them."""
    return [
        st.Page(PAGES_DIR / "home.py", title=t("nav_home"), icon=":material/home:", default=True),
        st.Page(PAGES_DIR / "browse.py", title=t("nav_browse"), url_path="browse", icon=":material/grid_view:"),
        st.Page(PAGES_DIR / "train.py", title=t("nav_train"), url_path="train", icon=":material/model_training:"),
        st.Page(PAGES_DIR / "predict.py", title=t("nav_predict"), url_path="predict", icon=":material/checkroom:"),
        st.Page(PAGES_DIR / "inspect.py", title=t("nav_inspect"), url_path="inspect", icon=":material/neurology:"),
        st.Page(PAGES_DIR / "runs.py", title=t("nav_runs"), url_path="runs", icon=":material/table_chart:"),
    ]


@st.cache_resource(show_spinner=False)
def navigation_claimed() -> list:
    """Whether this server process has declared its navigation yet (one flag per process)."""
    return []


def claim_navigation() -> None:
    """Declare the app's navigation once per server process, then run the page again through app.py.

    Until st.navigation has been called once, Streamlit treats an app with a folder called pages/ as a
    legacy multipage app and runs a deep link such as /browse on its own, without app.py (no sidebar).
    Calling st.navigation switches that mode off for good (documented behaviour), and the rerun then
    goes through app.py and keeps the URL's page.
    """
    claimed = navigation_claimed()
    if not claimed:
        claimed.append(True)
        st.navigation(app_pages(), position="hidden")
        st.rerun()


LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def language() -> str:
    """The language chosen in the sidebar: "en" or "zh"."""
    return st.session_state.get("language", "en")


def t(key: str, **values) -> str:
    """A UI string in the chosen language, with `values` filled in."""
    return i18n.text(key, language(), **values)


def error_text(error: Exception) -> str:
    """What a refused picture or drawing (an ImageError) says, in the chosen language."""
    return i18n.image_error(error, language())


def class_names(lang: str | None = None) -> tuple[str, ...]:
    """The ten class names in the chosen language (or in `lang`)."""
    return fashion_mnist.CLASS_NAMES if (lang or language()) == "en" else fashion_mnist.CLASS_NAMES_ZH


# Lets the user switch class names and labels between English and Chinese.
# The keyed choice widgets whose option labels are translated. The browser keeps a choice as its label, so after
# a switch of language it would send back a label that no option has any more; setting each value again in the
# switch's callback makes the page send the widgets their values anew, labelled in the new language.
TRANSLATED_CHOICES = ("browse_split", "browse_classes", "browse_order", "source", "train_model", "train_schedule",
                      "compare_by", "why_class", "predict_model", "inspect_model")  # fmt: skip


def keep_choices() -> None:
    for key in TRANSLATED_CHOICES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def language_ui() -> str:
    return st.sidebar.radio(
        "Language / 语言",
        tuple(LANGUAGE_NAMES),
        format_func=LANGUAGE_NAMES.get,
        key="language",
        horizontal=True,
        on_change=keep_choices,
    )


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


# Streamlit collects all garbage after every script run, twice once Keras is imported (its own gc.collect, and
# keras.backend.clear_session, which it calls to reset Keras's global state). With TensorFlow and a model in
# memory the heap holds some 400,000 objects, and each full collection holds the GIL for about 0.2 s, in which
# the server sends nothing: a stroke's prediction reached the browser 0.4 s late. So the objects alive once a
# model is loaded (TensorFlow's modules, the cached models), which live as long as the server, are moved out
# of the collector's sight (gc.freeze), and those collections only look at what the runs create.
_heap_lock = threading.Lock()


def ready_predictor(load):
    """A Predictor for the model `load()` returns, traced once, with the heap frozen after it.

    Before the load, the heap is thawed and collected: garbage frozen by the last load (and models that have
    left the caches since) is freed then, while the visitor waits for a model anyway. After it, freezing takes
    no time, so the first prediction does not wait on a collection. Its single-image path is then compiled in
    the background (fmnist.predict.Predictor.compile_one: it outlives every run's clear_session).
    """
    from fmnist.model.predict import Predictor

    with _heap_lock:
        gc.unfreeze()
        gc.collect()
        predictor = Predictor(load())
        predictor.predict_one(np.zeros((28, 28), np.float32))
        gc.freeze()
    threading.Thread(target=predictor.compile_one, name="fmnist-compile", daemon=True).start()
    return predictor


@st.cache_resource(max_entries=8, show_spinner=False)
def registry_predictor(name: str, sha256: str):
    """A Predictor for a saved model, shared by all sessions; the checksum in the key reloads a replaced file."""
    return ready_predictor(lambda: registry.load(name))


def warm_default_predictor() -> None:
    """Load the shipped model and run one prediction, so TensorFlow is imported and the forward pass traced."""
    try:
        info = registry.get(registry.DEFAULT_NAME)
        registry_predictor(info.name, info.metadata.get("sha256", ""))  # Traces the forward pass.
        log.info("The default model is loaded and warm.")
    except Exception:  # A missing or damaged default model is reported to the user when it is chosen.
        log.exception("Warming the default model failed")


@st.cache_resource(show_spinner=False)
def start_warm_up() -> threading.Thread | None:
    """Warm the default predictor in a background thread, once per server process (FMNIST_WARM_UP=0: never).

    server.py's lifespan hook starts it as the server starts (`make run`); under `streamlit run app.py` the
    first page a visitor opens does. Either way, by the time a picture is drawn, TensorFlow is imported and
    the predictor that every session shares is ready. app.py calls it on every run too: a cached resource,
    only its first call starts the thread.
    """
    if os.environ.get("FMNIST_WARM_UP", "1") == "0":
        return None
    thread = threading.Thread(target=warm_default_predictor, name="fmnist-warm-up", daemon=True)
    thread.start()
    return thread


def job_manager() -> jobs.JobManager:
    """The server's job runner, which trains every run in a child process (one per process, made on first use)."""
    return jobs.get_manager()


def attached_run_id() -> str | None:
    """The run this session shows: the one named in the URL (?run=), else the last one it started."""
    return st.query_params.get("run") or st.session_state.get("train_run")


def run_view(run_id):
    """The run's state, or None for a forged, unknown or deleted id."""
    try:
        return job_manager().view(run_id)
    except store.NoSuchRun:
        return None


def session_job():
    """The run attached to this session (URL or last started) once it ended with a model, else None."""
    run_id = attached_run_id()
    view = run_view(run_id) if run_id else None
    return view if view is not None and view.has_model else None


@st.cache_resource(max_entries=8, show_spinner=False)
def run_model(run_id: str):
    """The trained model of an ended run, rebuilt and loaded from its weights (they never change once written)."""
    from fmnist.runs import compare

    return compare.load_model(run_id, job_manager().root)


@st.cache_resource(max_entries=8, show_spinner=False)
def run_predictor(run_id: str):
    """A Predictor for an ended run's model."""
    return ready_predictor(lambda: run_model(run_id))


def session_predictor():
    """A Predictor for the model of the run attached to this session or URL (unsaved), or None."""
    job = session_job()
    return None if job is None else run_predictor(job.id)


def session_png(key, build) -> bytes:
    """PNG bytes of the figure `build()` makes, kept in this session under `key` (for per-session results)."""
    store = st.session_state.setdefault("figure_pngs", {})
    if key not in store:
        if len(store) >= 16:
            store.clear()
        store[key] = figures.figure_png(build())
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
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


# The first script run of a server process declares the navigation (see claim_navigation).
claim_navigation()
