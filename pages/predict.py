"""Predict: the tutorial's "make predictions" step on a drawing, an uploaded picture or a test image."""

import streamlit as st

# pages.navigation first, in an import of its own: on a fresh server its import declares the navigation and
# reruns (see claim_navigation), and that rerun must not break off the import of another pages module that
# other sessions, loading their first page at the same time, are waiting for.
from pages.navigation import t

# isort: split
from pages.inputs import model_ui, source_ui
from pages.predict_views import input_and_prediction_ui

st.title(t("predict_title"))
st.markdown(t("predict_intro"))

top_left, top_right = st.columns(2)
choice, infos = model_ui(top_left, key="predict_model")
source = source_ui(top_right)
input_and_prediction_ui(choice, infos, source)
