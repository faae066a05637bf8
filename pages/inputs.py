"""The input UI shared by Predict and Inside the model: the model choice, and Draw / Upload / Test sample / Camera.

This module is imported by pages (`from pages.inputs import ...`); it is not a page itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from fmnist import registry
from fmnist.data import drawing, preprocess
from fmnist.settings import PROJECT_DIR
from pages.attached_run import session_job, session_predictor
from pages.canvas import drawing_canvas
from pages.display import enlarge
from pages.navigation import class_names, error_text, t
from pages.resources import dataset, registry_predictor

SOURCES = {"Draw": "source_draw", "Upload": "source_upload", "Test sample": "source_sample", "Camera": "source_camera"}
EXAMPLES_PER_ROW = 3
EXAMPLES = sorted(p for p in (PROJECT_DIR / "assets" / "examples").glob("*") if p.suffix in (".png", ".jpg"))
SESSION_MODEL = "__session__"


@dataclass(frozen=True)
class ChosenInput:
    """What the user gave, and the 28×28 image the model gets from it."""

    source: str  # "Draw", "Upload", "Test sample" or "Camera".
    image: np.ndarray | None  # (28, 28) float32 in [0, 1], or None while there is nothing (usable) yet.
    raw: object = None  # The canvas's (280, 280, 4) RGBA array, the uploaded or photographed bytes, or the test image.
    true_label: int | None = None  # The test image's class; None for drawings and uploads.
    index: int | None = None  # The test image's index in the test split.
    live: bool = False  # A drawing whose stroke is still being drawn (more values follow at once).


# Lets the user choose the model: the shipped default, saved models, or this session's own unsaved model.
def model_ui(column, key: str) -> tuple[str, dict]:
    infos = {info.name: info for info in registry.list_models()}
    options = list(infos) + ([SESSION_MODEL] if session_job() is not None else [])
    if not options:
        st.error(t("no_models"))
        st.stop()
    labels = {name: info.label for name, info in infos.items()} | {SESSION_MODEL: t("session_model")}
    return column.selectbox(t("model"), options, format_func=labels.get, key=key), infos


def predictor_for(choice: str, infos: dict):
    """The cached Predictor of the chosen model (`.model` is the Keras model); a model that cannot be loaded
    ends the run with a message."""
    if choice == SESSION_MODEL:
        return session_predictor()
    info = infos[choice]
    try:
        with st.spinner(t("loading_model")):
            return registry_predictor(info.name, info.metadata.get("sha256", ""))
    except registry.RegistryError as error:
        st.error(str(error))
        st.stop()


def model_key(choice: str, infos: dict) -> str:
    """A text that changes whenever the chosen model does: name and file checksum, or a checksum of the weights."""
    if choice == SESSION_MODEL:
        from fmnist.inside.embedding import fingerprint

        return f"session-{fingerprint(session_predictor().model)}"
    return f"{choice}-{infos[choice].metadata.get('sha256', '')}"


# Lets the user pick where the input comes from.
def source_ui(column) -> str:
    return column.radio(
        t("input"), tuple(SOURCES), format_func={s: t(key) for s, key in SOURCES.items()}.get, horizontal=True, key="source"
    )


# Lets the user draw a piece of clothing; returns the input (image None while the canvas is empty).
def draw_ui() -> ChosenInput:
    if "stroke_width" not in st.session_state:
        st.session_state.stroke_width = 20
    labels = {"undo": t("canvas_undo"), "redo": t("canvas_redo"), "reset": t("canvas_reset"), "canvas": t("canvas_label")}
    try:
        drawn = drawing_canvas(st.session_state.stroke_width, labels, key="canvas")
    except drawing.DrawingError as error:  # A value the page cannot read: say so, and keep serving.
        st.error(error_text(error))
        drawn = drawing.EMPTY
    st.slider(t("stroke_width"), 4, 40, key="stroke_width")
    st.caption(t("draw_hint"))
    if drawn.empty:
        st.info(t("draw_something"))
        return ChosenInput("Draw", None)
    try:
        return ChosenInput("Draw", preprocess.from_canvas(drawn.rgba), raw=drawn.rgba, live=drawn.live)
    except preprocess.ImageError as error:
        st.info(error_text(error))
        return ChosenInput("Draw", None)


def choose_example(path: Path) -> None:
    """Show an example picture instead of an upload."""
    st.session_state.example = str(path)
    st.session_state.upload_key += 1  # A new key empties the uploader, so the example is what is shown.


# Lets the user upload a picture or pick an example; returns the input (image None without a usable picture).
def upload_ui() -> ChosenInput:
    # Initialised here, on every run, not at import: this module is imported once per server, not per session.
    if "upload_key" not in st.session_state:
        st.session_state.upload_key = 0
        st.session_state.example = None
    upload = st.file_uploader(t("upload_label"), type=preprocess.UPLOAD_EXTENSIONS, key=f"upload_{st.session_state.upload_key}")
    if EXAMPLES:
        st.caption(t("examples"))
        # Three to a row: in six narrow columns "试试" did not fit its button (its glyphs overlapped).
        for start in range(0, len(EXAMPLES), EXAMPLES_PER_ROW):
            row = EXAMPLES[start : start + EXAMPLES_PER_ROW]
            for column, path in zip(st.columns(EXAMPLES_PER_ROW), row):
                column.image(str(path), width=64)
                column.button(t("try"), key=f"example_{path.stem}", on_click=choose_example, args=(path,))
    if upload is not None:
        name, content = upload.name, upload.getvalue()
    elif st.session_state.example and Path(st.session_state.example).is_file():
        name, content = Path(st.session_state.example).name, Path(st.session_state.example).read_bytes()
    else:
        st.info(t("upload_something"))
        return ChosenInput("Upload", None)
    return picture_input("Upload", content, caption=name)


def picture_input(source: str, content: bytes, caption: str | None) -> ChosenInput:
    """An uploaded or photographed picture, checked and decoded as an untrusted upload; a refusal is a message."""
    try:
        upload = preprocess.read_upload(content)
    except preprocess.ImageError as error:
        st.error(error_text(error))
        return ChosenInput(source, None)
    if caption is not None:
        # The server's own thumbnail of the decoded picture, upright: the browser never decodes a stranger's file.
        height, width = upload.thumbnail.shape[:2]
        st.image(upload.thumbnail, caption=caption, width=round(width * min(4.0, 280 / max(height, width))))
    return ChosenInput(source, upload.image, raw=content)


# Lets the user photograph a garment with the browser's camera; returns the input (image None without a photo).
def camera_ui() -> ChosenInput:
    st.caption(t("camera_hint"))
    photo = st.camera_input(t("camera_label"), key="camera")
    if photo is None:
        st.info(t("camera_something"))
        return ChosenInput("Camera", None)
    # The widget shows the photo itself; the same checks as an upload, since the bytes come from a browser.
    return picture_input("Camera", photo.getvalue(), caption=None)


def random_sample() -> None:
    """Pick a test image at random."""
    st.session_state.sample_index = int(np.random.default_rng().integers(10000))


# Lets the user pick a test image by index or at random; returns the input with its true class.
def sample_ui() -> ChosenInput:
    ds = dataset()
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    index = int(left.number_input(t("sample_index"), 0, len(ds.test_images) - 1, key="sample_index"))
    right.button(t("random"), on_click=random_sample, icon=":material/casino:")
    label = int(ds.test_labels[index])
    st.image(enlarge(255 - ds.test_images[index], 6), caption=t("true_label", name=class_names()[label]), width=168)
    return ChosenInput("Test sample", ds.test_images[index] / 255.0, raw=ds.test_images[index], true_label=label, index=index)


def input_ui(source: str) -> ChosenInput:
    """The input UI of the chosen source."""
    if source == "Draw":
        return draw_ui()
    if source == "Upload":
        return upload_ui()
    if source == "Camera":
        return camera_ui()
    return sample_ui()
