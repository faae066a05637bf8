"""Predict: the tutorial's "make predictions" step on a drawing, an uploaded picture or a test image."""

import streamlit as st

from pages.inputs import model_ui, source_ui
from pages.navigation import t
from pages.predict_views import input_and_prediction_ui

st.title(t("predict_title"))
st.markdown(t("predict_intro"))

top_left, top_right = st.columns(2)
choice, infos = model_ui(top_left, key="predict_model")
source = source_ui(top_right)
input_and_prediction_ui(choice, infos, source)
