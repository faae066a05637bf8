"""The tutorial's code beside a step: an expander with the code of what the learner just did, with a copy button.

This module is imported by pages; it is not a page itself. The code comes from fmnist.export.snippets*, the
same steps the /runs generated script is made of.
"""

import streamlit as st

from fmnist.export import snippets_predict
from pages.navigation import language, t


# Shows the tutorial's code for this step, folded until the learner opens it; st.code has a copy button.
def show_code(code: str, key: str) -> None:
    with st.expander(t("code_title"), icon=":material/code:", key=key):
        st.caption(t("code_view_caption"))
        st.code(code, language="python")


# Shows the code of Predict's and Inside the model's step: this input, the probability model, its plots.
def show_prediction_code(chosen, choice: str, infos: dict, key: str) -> None:
    model_name = choice if choice in infos else None  # A saved model's name; this session's model has none.
    show_code(snippets_predict.prediction(chosen.source, chosen.index or 0, language(), model_name), key=key)
