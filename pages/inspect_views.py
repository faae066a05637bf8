"""The model-wide views of the "Inside the model" page: where it goes wrong, the map, the nearest training images.

This module is imported by pages/inspect.py; it is not a page itself. The expensive results (the test
set's evaluation, the projections, the training features) are computed once per model: in memory
here, and on disk by `fmnist.inside.embedding`.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from fmnist.charts import figures
from fmnist.inside import embedding, mistakes, pictures
from fmnist.model import evaluation
from pages.display import confusion_chart, enlarge
from pages.navigation import class_names, language, t
from pages.resources import dataset

# Images shown for a chosen cell and in the list of confident mistakes.
SHOWN = 15
# Training images shown as the input's nearest neighbours.
NEIGHBOURS = 5


@st.cache_resource(max_entries=8, show_spinner=False)
def test_evaluation(_predictor, key: str) -> evaluation.Evaluation:
    """The model's evaluation on the 10,000 test images, once per model (known by `key`) and server."""
    ds = dataset()
    return evaluation.evaluate(_predictor, ds.test_images, ds.test_labels)


@st.cache_data(max_entries=32, show_spinner=False)
def grid_png(_result: evaluation.Evaluation, key: str, indices: tuple, lang: str) -> bytes:
    """The tutorial's plot_image / plot_value_array pairs for these test images, as PNG."""
    ds = dataset()
    chosen = np.asarray(indices, dtype=int)
    rows = -(-len(chosen) // 3)
    figure = figures.prediction_grid(
        ds.test_images[chosen], _result.probabilities[chosen], ds.test_labels[chosen], class_names(lang), rows=rows, cols=3
    )
    return figures.figure_png(figure)


def chosen_cell(event, result: evaluation.Evaluation) -> tuple[int, int]:
    """The clicked cell, or else the largest off-diagonal cell (the model's most common confusion)."""
    picked = (event.selection.get("cell") or []) if event is not None else []
    if picked:
        return int(picked[0]["true"]), int(picked[0]["predicted"])
    off_diagonal = result.confusion - np.diag(np.diag(result.confusion))
    true, predicted = np.unravel_index(int(np.argmax(off_diagonal)), off_diagonal.shape)
    return int(true), int(predicted)


# Lets the user click a cell of the test-set confusion matrix to see its images; lists the most confident mistakes.
@st.fragment
def errors_ui(predictor, key: str) -> None:
    with st.container(key="errors", border=True):
        st.subheader(t("errors_title"))
        st.caption(t("errors_help"))
        with st.spinner(t("evaluating")):
            result = test_evaluation(predictor, key)
        st.markdown(t("errors_accuracy", accuracy=f"{result.accuracy:.2%}", mistakes=f"{len(result.mistakes):,}"))
        chart, _ = st.columns([3, 1])
        with chart:
            spec = confusion_chart(result.confusion, selection="cell")
            event = st.vega_lite_chart(spec, on_select="rerun", selection_mode="cell", key="confusion")
        true, predicted = chosen_cell(event, result)
        indices = mistakes.cell_indices(result, dataset().test_labels, true, predicted)
        names = class_names()
        st.markdown(t("cell_title", true=names[true], predicted=names[predicted], count=len(indices)))
        if len(indices):
            st.image(grid_png(result, key, tuple(int(i) for i in indices[:SHOWN]), language()), width=720)
            st.caption(t("test_indices", indices=", ".join(str(int(i)) for i in indices[:SHOWN])))
        st.markdown(f"**{t('confident_mistakes')}**")
        st.caption(t("confident_mistakes_help"))
        worst = mistakes.confident_mistakes(result, SHOWN)
        st.image(grid_png(result, key, tuple(int(i) for i in worst), language()), width=720)
        st.caption(t("test_indices", indices=", ".join(str(int(i)) for i in worst)))


@st.cache_resource(max_entries=2, show_spinner=False)
def thumbnails(indices: tuple) -> list[str]:
    """Dark-on-light thumbnails of these test images as data URLs (the map's hover pictures)."""
    return pictures.thumbnail_urls(dataset().test_images[np.asarray(indices, dtype=int)])


def projection(model, kind: str, method: str) -> embedding.ProjectionMap:
    """The map from the disk cache, or computed now under a progress bar."""
    if embedding.is_cached(model, kind, method):
        return embedding.projection_map(model, dataset(), kind, method)
    bar = st.progress(0.0, text=t("map_computing"))
    try:
        return embedding.projection_map(
            model, dataset(), kind, method, progress=lambda fraction: bar.progress(fraction, text=t("map_computing"))
        )
    finally:
        bar.empty()


def map_chart(points: pd.DataFrame, star: np.ndarray | None, selection_name: str) -> alt.Chart:
    """Points coloured by class with a picture on hover; the current input as a star."""
    point = alt.selection_point(name=selection_name, fields=["index"], on="click")
    dots = (
        alt.Chart(points)
        .mark_circle(size=22, opacity=0.75)
        .encode(
            x=alt.X("x:Q", axis=None),
            y=alt.Y("y:Q", axis=None),
            color=alt.Color("class:N", sort=list(class_names()), title=None, scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                alt.Tooltip("image:N"),
                alt.Tooltip("class:N", title=t("true_class")),
                alt.Tooltip("index:Q", title=t("test_index")),
            ],
        )
        .add_params(point)
    )
    if star is None:
        return dots.properties(height=420)
    marker = (
        alt.Chart(pd.DataFrame({"x": [float(star[0])], "y": [float(star[1])]}))
        .mark_point(
            shape="M0,-1L0.29,-0.4L0.95,-0.31L0.47,0.15L0.59,0.81L0,0.5L-0.59,0.81L-0.47,0.15L-0.95,-0.31L-0.29,-0.4Z",
            size=600,
            filled=True,
            color="black",
            stroke="white",
            strokeWidth=1.5,
        )
        .encode(x="x:Q", y="y:Q")
    )
    return (dots + marker).properties(height=420)


# Lets the user see the test set on a plane, from raw pixels and from the model's last hidden layer, with the input as a star.
@st.fragment
def embedding_ui(model, key: str, image: np.ndarray | None) -> None:
    with st.container(key="embedding", border=True):
        st.subheader(t("map_title"))
        st.caption(t("map_help"))
        method = st.radio(
            t("map_method"), embedding.METHODS, format_func={"pca": "PCA", "tsne": "t-SNE"}.get, horizontal=True, key="map_method"
        )
        ds = dataset()
        names = class_names()
        for column, kind in zip(st.columns(2), embedding.KINDS):
            with column:
                st.markdown(f"**{t('map_' + kind)}**")
                found = projection(model, kind, method)
                points = pd.DataFrame({"x": found.coordinates[:, 0], "y": found.coordinates[:, 1], "index": found.indices})
                points["class"] = [names[int(c)] for c in ds.test_labels[found.indices]]
                points["image"] = thumbnails(tuple(int(i) for i in found.indices))
                star = None if image is None else found.place(embedding.features(model, image[None], kind)[0])
                event = st.altair_chart(
                    map_chart(points, star, f"point_{kind}"), on_select="rerun", selection_mode=f"point_{kind}", key=f"map_{kind}"
                )
                picked = event.selection.get(f"point_{kind}") or []
                if picked:
                    index = int(picked[0]["index"])
                    st.image(
                        enlarge(255 - ds.test_images[index], 3),
                        caption=t("map_picked", index=index, name=names[int(ds.test_labels[index])]),
                        width=84,
                    )
        st.caption(t("map_star") if image is not None else t("map_no_star"))


@st.cache_resource(max_entries=4, show_spinner=False)
def training_features(_model, key: str) -> np.ndarray:
    """The model's last-hidden-layer features of the 60,000 training images (the disk cache fills it)."""
    return embedding.training_features(_model, dataset())


# Shows the training images nearest to the input in what the model sees (its last hidden layer).
def neighbours_ui(model, key: str, image: np.ndarray) -> None:
    with st.container(key="neighbours", border=True):
        st.subheader(t("neighbours_title"))
        st.caption(t("neighbours_help"))
        if not embedding.training_features_cached(model):
            bar = st.progress(0.0, text=t("neighbours_computing"))
            embedding.training_features(
                model, dataset(), progress=lambda fraction: bar.progress(fraction, text=t("neighbours_computing"))
            )
            bar.empty()
        found = embedding.nearest(training_features(model, key), embedding.features(model, image[None], "hidden"), NEIGHBOURS)[0]
        ds = dataset()
        names = class_names()
        st.image(
            [enlarge(255 - ds.train_images[i], 3) for i in found],
            caption=[t("neighbour_caption", index=int(i), name=names[int(ds.train_labels[i])]) for i in found],
            width=120,
        )
