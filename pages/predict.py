"""Predict: the tutorial's "make predictions" step on a drawing, an uploaded picture or a test image."""

import numpy as np
import streamlit as st

from fmnist import data, plots
from pages.common import class_names, enlarge, language, t
from pages.inputs import input_ui, model_ui, predictor_for, source_ui

st.title(t("predict_title"))
st.markdown(t("predict_intro"))


@st.cache_data(max_entries=64, show_spinner=False)
def bars_png(probabilities: np.ndarray, true_label: int | None, lang: str) -> bytes:
    """The tutorial's value array with class names, as PNG (the same picture is often asked for again)."""
    return plots.figure_png(plots.probability_bars(probabilities, class_names(lang), true_label))


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
choice, infos = model_ui(top_left, key="predict_model")
source = source_ui(top_right)
input_column, seen_column, result_column = st.columns([3, 2, 3])
with input_column:
    chosen = input_ui(source)
if chosen.image is None:
    st.stop()
seen_column.image(enlarge(chosen.image, 6), caption=t("model_sees"), width=168)
with result_column:
    probabilities = predictor_for(choice, infos).predict_one(chosen.image)
    prediction_ui(probabilities, chosen.true_label)
st.image(bars_png(probabilities, chosen.true_label, language()), width=600)
