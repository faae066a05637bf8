"""Predict: the tutorial's "make predictions" step on a drawing, an uploaded picture or a test image."""

from pathlib import Path

import numpy as np
import streamlit as st

from fmnist import data, plots, preprocess, registry
from pages.common import class_names, dataset, enlarge, language, registry_predictor, session_job, session_predictor, t

SOURCES = {"Draw": "source_draw", "Upload": "source_upload", "Test sample": "source_sample"}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp"]
EXAMPLES = sorted(
    p for p in (Path(__file__).resolve().parent.parent / "assets" / "examples").glob("*") if p.suffix in (".png", ".jpg")
)
SESSION_MODEL = "__session__"

st.title(t("predict_title"))
st.markdown(t("predict_intro"))

if "upload_key" not in st.session_state:
    st.session_state.upload_key = 0
    st.session_state.example = None


@st.cache_data(max_entries=64, show_spinner=False)
def bars_png(probabilities: np.ndarray, true_label: int | None, lang: str) -> bytes:
    """The tutorial's value array with class names, as PNG (the same picture is often asked for again)."""
    return plots.figure_png(plots.probability_bars(probabilities, class_names(lang), true_label))


# Lets the user choose the model: the shipped default, saved models, or this session's own unsaved model.
def model_ui(column) -> tuple[str, dict]:
    infos = {info.name: info for info in registry.list_models()}
    options = list(infos) + ([SESSION_MODEL] if session_job() is not None else [])
    if not options:
        st.error(t("no_models"))
        st.stop()
    labels = {name: info.label for name, info in infos.items()} | {SESSION_MODEL: t("session_model")}
    return column.selectbox(t("model"), options, format_func=labels.get, key="predict_model"), infos


def predictor_for(choice: str, infos: dict):
    """The cached Predictor of the chosen model; a model that cannot be loaded ends the run with a message."""
    if choice == SESSION_MODEL:
        return session_predictor()
    info = infos[choice]
    try:
        with st.spinner(t("loading_model")):
            return registry_predictor(info.name, info.metadata.get("sha256", ""))
    except registry.RegistryError as error:
        st.error(str(error))
        st.stop()


# Lets the user draw a piece of clothing; returns the 28×28 image the model gets, or None while empty.
def draw_ui():
    from streamlit_drawable_canvas import st_canvas  # Components v2: importable only inside a running app.

    if "stroke_width" not in st.session_state:
        st.session_state.stroke_width = 20
    st.space("medium")  # Room for the canvas toolbar, which sits above the canvas.
    result = st_canvas(
        stroke_width=st.session_state.stroke_width,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=280,
        width=280,
        drawing_mode="freedraw",
        update_streamlit=True,
        return_image_data=True,
        key="canvas",
    )
    st.slider(t("stroke_width"), 4, 40, key="stroke_width")
    st.caption(t("draw_hint"))
    if not (result.json_data or {}).get("objects") or result.image_data is None:
        st.info(t("draw_something"))
        return None
    try:
        return preprocess.from_canvas(result.image_data)
    except preprocess.ImageError as error:
        st.info(str(error))
        return None


def choose_example(path: Path) -> None:
    """Show an example picture instead of an upload."""
    st.session_state.example = str(path)
    st.session_state.upload_key += 1  # A new key empties the uploader, so the example is what is shown.


# Lets the user upload a picture or pick an example; returns the 28×28 image the model gets, or None.
def upload_ui():
    upload = st.file_uploader(t("upload_label"), type=UPLOAD_TYPES, key=f"upload_{st.session_state.upload_key}")
    if EXAMPLES:
        st.caption(t("examples"))
        for column, path in zip(st.columns(len(EXAMPLES)), EXAMPLES):
            column.image(str(path), width=64)
            column.button(t("try"), key=f"example_{path.stem}", on_click=choose_example, args=(path,))
    if upload is not None:
        name, content = upload.name, upload.getvalue()
    elif st.session_state.example and Path(st.session_state.example).is_file():
        name, content = Path(st.session_state.example).name, Path(st.session_state.example).read_bytes()
    else:
        st.info(t("upload_something"))
        return None
    try:
        image = preprocess.from_bytes(content)
    except preprocess.ImageError as error:
        st.error(str(error))
        return None
    st.image(content, caption=name, width=280)
    return image


def random_sample() -> None:
    """Pick a test image at random."""
    st.session_state.sample_index = int(np.random.default_rng().integers(10000))


# Lets the user pick a test image by index or at random; returns (image, true label).
def sample_ui(ds):
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    index = int(left.number_input(t("sample_index"), 0, len(ds.test_images) - 1, key="sample_index"))
    right.button(t("random"), on_click=random_sample, icon=":material/casino:")
    label = int(ds.test_labels[index])
    st.image(enlarge(255 - ds.test_images[index], 6), caption=t("true_label", name=class_names()[label]), width=168)
    return ds.test_images[index] / 255.0, label


# Shows the top prediction in both languages, whether it is right, and the top three.
def prediction_ui(probabilities: np.ndarray, true_label: int | None) -> None:
    order = np.argsort(probabilities)[::-1]
    top = int(order[0])
    with st.container(key="prediction", border=True):
        st.caption(t("prediction"))
        st.markdown(f"#### {data.CLASS_NAMES[top]} · {data.CLASS_NAMES_ZH[top]}")
        st.markdown(f"**{probabilities[top]:.1%}**")
        if true_label is not None:
            # The tutorial's colours: blue when the prediction is right, red when it is wrong.
            color = "blue" if top == true_label else "red"
            names = class_names()
            st.markdown(f":{color}[{names[top]} {100 * probabilities[top]:2.0f}% ({names[true_label]})]")
    st.markdown(f"**{t('top3')}**")
    for class_id in order[:3]:
        st.progress(float(probabilities[class_id]), text=f"{class_names()[class_id]} — {probabilities[class_id]:.1%}")


top_left, top_right = st.columns(2)
choice, infos = model_ui(top_left)
source = top_right.radio(
    t("input"), tuple(SOURCES), format_func={s: t(key) for s, key in SOURCES.items()}.get, horizontal=True, key="source"
)
input_column, seen_column, result_column = st.columns([3, 2, 3])
with input_column:
    if source == "Draw":
        image, true_label = draw_ui(), None
    elif source == "Upload":
        image, true_label = upload_ui(), None
    else:
        image, true_label = sample_ui(dataset())
if image is None:
    st.stop()
seen_column.image(enlarge(image, 6), caption=t("model_sees"), width=168)
with result_column:
    probabilities = predictor_for(choice, infos).predict_one(image)
    prediction_ui(probabilities, true_label)
st.image(bars_png(probabilities, true_label, language()), width=600)
