"""Inside the model: the way in, every layer, the first layer's weights, why this answer, where it goes wrong, the map."""

import numpy as np
import pandas as pd
import streamlit as st

from fmnist.charts import figures
from fmnist.data import preprocess
from fmnist.inside import explain, pictures, pipeline_steps

# pages.navigation first, in an import of its own: on a fresh server its import declares the navigation and
# reruns (see claim_navigation), and that rerun must not break off the import of another pages module that
# other sessions, loading their first page at the same time, are waiting for.
from pages.navigation import class_names, error_text, language, t

# isort: split
from pages.code_view import show_prediction_code
from pages.display import enlarge
from pages.inputs import ChosenInput, input_ui, model_key, model_ui, predictor_for, source_ui
from pages.inspect_views import embedding_ui, errors_ui, neighbours_ui

st.title(t("inspect_title"))
st.markdown(t("inspect_intro"))


@st.cache_data(max_entries=32, show_spinner=False)
def explained(_model, key: str, image: np.ndarray, class_id: int) -> explain.Explanation:
    """Every per-input view of one model, image and class (the model is known by `key`)."""
    return explain.explain(_model, image, class_id)


@st.cache_data(max_entries=64, show_spinner=False)
def bars_png(probabilities: np.ndarray, lang: str) -> bytes:
    """The tutorial's value array with class names, as PNG."""
    return figures.figure_png(figures.probability_bars(probabilities, class_names(lang)))


def strip_for(chosen: ChosenInput) -> list[pipeline_steps.Step]:
    if chosen.source == "Draw":
        return pipeline_steps.from_canvas(chosen.raw)
    if chosen.source in ("Upload", "Camera"):
        return pipeline_steps.from_bytes(chosen.raw)
    return pipeline_steps.from_sample(chosen.raw)


def shown(pixels: np.ndarray) -> np.ndarray:
    """Small grey pictures enlarged with hard pixel edges; others as they are."""
    return enlarge(pixels, max(1, 112 // max(pixels.shape[:2]))) if pixels.ndim == 2 and max(pixels.shape) < 112 else pixels


# Shows how the input becomes the 28×28 image the model gets, one picture per step.
def steps_ui(chosen: ChosenInput) -> None:
    with st.container(key="steps", border=True):
        st.subheader(t("steps_title"))
        st.caption(t("steps_help"))
        try:
            strip = strip_for(chosen)
        except (preprocess.ImageError, ValueError) as error:
            st.info(error_text(error))
            return
        for column, step in zip(st.columns(len(strip)), strip):
            column.image(shown(step.image), caption=t(f"step_{step.key}"), width=112)


def map_scale(height: int) -> int:
    """How much to enlarge feature maps of this height so each is about 56 pixels tall."""
    return max(1, 56 // height)


# Shows the model summary and what every layer produces for this input; picking a feature map shows its kernel.
def layers_ui(model, result: explain.Explanation) -> None:
    with st.container(key="layers", border=True):
        st.subheader(t("layers_title"))
        st.caption(t("layers_help"))
        summary = pd.DataFrame(
            [
                {t("layer_name"): row.name, t("layer_shape"): str(row.shape), t("layer_params"): row.params}
                for row in result.layers
            ]
        )
        st.dataframe(summary, hide_index=True, width="content")
        st.caption(t("layers_total", params=f"{sum(row.params for row in result.layers):,}"))
        for info, (name, values) in zip(result.layers, result.activations):
            left, right = st.columns([1, 4], vertical_alignment="center")
            left.markdown(f"**{name}**  \n`{info.shape}` · {t('params_count', params=f'{info.params:,}')}")
            if info.kind == "conv":
                maps = pictures.channels_first(values)
                picture = pictures.tile(maps, columns=16, scale=map_scale(maps.shape[1]))
                right.image(picture, width=min(picture.shape[1], 900))
            elif info.kind == "softmax":
                right.image(bars_png(values, language()), width=360)
            elif info.kind == "dense":
                right.image(pictures.heat_strip(values))
        kernel_ui(model, result)


# Lets the user pick one feature map of a convolution and shows it beside the kernel that made it.
def kernel_ui(model, result: explain.Explanation) -> None:
    convolutions = [info for info in result.layers if info.kind == "conv" and info.params > 0]
    if not convolutions:
        st.caption(t("no_convolutions"))
        return
    outputs = dict(result.activations)
    left, right = st.columns(2)
    layer = left.selectbox(t("kernel_layer"), [info.name for info in convolutions], key="kernel_layer")
    count = outputs[layer].shape[-1]
    channel = min(int(right.number_input(t("kernel_channel", count=count - 1), 0, count - 1, key="kernel_channel")), count - 1)
    weights = explain.kernel(model, layer, channel)
    feature, kernel_picture = st.columns([1, 3])
    feature.image(
        pictures.enlarge(pictures.colorize(outputs[layer][..., channel]), map_scale(outputs[layer].shape[0]) * 3),
        caption=t("feature_map", channel=channel),
        width=168,
    )
    picture = pictures.tile(pictures.channels_first(weights), columns=16, scale=16, cmap=pictures.DIVERGING_MAP, signed=True)
    kernel_picture.image(picture, width=picture.shape[1])
    kernel_picture.caption(t("kernel_caption", height=weights.shape[0], width=weights.shape[1], inputs=weights.shape[2]))


# Shows what the first layer learned: the MLP's 28×28 templates or the CNN's first kernels.
def templates_ui(model) -> None:
    with st.container(key="templates", border=True):
        st.subheader(t("templates_title"))
        try:
            kind, weights = explain.first_layer_weights(model)
        except ValueError as error:
            st.info(str(error))
            return
        st.caption(t("templates_help_dense" if kind == "dense" else "templates_help_conv"))
        scale = 2 if kind == "dense" else 8
        picture = pictures.tile(weights, columns=16, scale=scale, cmap=pictures.DIVERGING_MAP, signed=True)
        st.image(picture, width=picture.shape[1])


# Lets the user pick the class to explain: the top prediction, the true class of a test image, or any class.
def class_ui(probabilities: np.ndarray, true_label: int | None) -> int:
    top = int(np.argmax(probabilities))
    names = class_names()
    options = ["top"] + (["true"] if true_label is not None else []) + list(range(10))
    labels = {
        "top": t("why_top", name=names[top]),
        "true": t("why_true", name=names[true_label] if true_label is not None else ""),
    }
    labels |= {i: f"{names[i]} ({probabilities[i]:.1%})" for i in range(10)}
    choice = st.selectbox(t("why_class"), options, format_func=labels.get, key="why_class")
    return {"top": top, "true": true_label}.get(choice, choice)


# Shows why the model gave its answer: saliency, occlusion and Grad-CAM over the input.
def why_ui(image: np.ndarray, result: explain.Explanation) -> None:
    with st.container(key="why", border=True):
        st.subheader(t("why_title", name=class_names()[result.class_id]))
        st.caption(t("why_help"))
        columns = st.columns(3)
        columns[0].image(pictures.overlay(image, result.saliency, signed=True), caption=t("saliency_caption"), width=196)
        columns[1].image(pictures.overlay(image, result.occlusion, signed=True), caption=t("occlusion_caption"), width=196)
        if result.grad_cam is None:
            columns[2].info(t("grad_cam_needs_conv"))
        else:
            columns[2].image(pictures.overlay(image, result.grad_cam), caption=t("grad_cam_caption"), width=196)
        st.caption(t("why_colours"))


top_left, top_right = st.columns(2)
choice, infos = model_ui(top_left, key="inspect_model")
source = source_ui(top_right)
key = model_key(choice, infos)
predictor = predictor_for(choice, infos)
input_column, class_column = st.columns([3, 2])
with input_column:
    chosen = input_ui(source)
# While a stroke is drawn the canvas sends a drawing about every 100 ms: the prediction and the steps follow it,
# and the views that cost an explanation (layers, why, neighbours) wait for the pen to lift.
explain_it = chosen.image is not None and not chosen.live
if chosen.image is not None:
    with class_column:
        class_id = class_ui(predictor.predict_one(chosen.image), chosen.true_label)
    steps_ui(chosen)
    show_prediction_code(chosen, choice, infos, key="code_inspect")
    if chosen.live:
        st.caption(t("inspect_live"))
if explain_it:
    result = explained(predictor.model, key, chosen.image, class_id)
    layers_ui(predictor.model, result)
templates_ui(predictor.model)
if explain_it:
    why_ui(chosen.image, result)
errors_ui(predictor, key)
embedding_ui(predictor.model, key, None if chosen.live else chosen.image)
if explain_it:
    neighbours_ui(predictor.model, key, chosen.image)
