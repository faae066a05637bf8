"""The part of Predict that reruns on its own: the input, what the model sees, the prediction and its bars.

This module is imported by pages/predict.py; it is not a page itself.
"""

import numpy as np
import pandas as pd
import streamlit as st

from fmnist.charts import vega
from fmnist.data import fashion_mnist
from pages.code_view import show_prediction_code
from pages.display import enlarge
from pages.inputs import input_ui, predictor_for
from pages.navigation import class_names, t


# Shows the top prediction in both languages, whether it is right, and the top three: one Markdown element,
# rewritten per stroke. (Progress bars for the top three would make the browser animate three more elements
# per stroke; the chart below shows every class's bar anyway.)
def prediction_ui(probabilities: np.ndarray, true_label: int | None) -> None:
    order = np.argsort(probabilities)[::-1]
    top = int(order[0])
    names = class_names()
    lines = [f":small[:gray[{t('prediction')}]]", f"#### {fashion_mnist.CLASS_NAMES[top]} · {fashion_mnist.CLASS_NAMES_ZH[top]}"]
    lines.append(f"**{probabilities[top]:.1%}**")
    if true_label is not None:
        # The tutorial's colours: blue when the prediction is right, red when it is wrong.
        color = "blue" if top == true_label else "red"
        lines.append(f":{color}[{names[top]} {100 * probabilities[top]:2.0f}% ({names[true_label]})]")
    lines.append(f"**{t('top3')}**\n" + "\n".join(f"1. {names[c]} — {probabilities[c]:.1%}" for c in order[:3]))
    with st.container(key="prediction", border=True):
        st.markdown("\n\n".join(lines))


# Lets the user give an input and shows what the model sees and thinks. A fragment: a stroke on the canvas,
# an upload or another test image reruns only this part, with the model chosen in the last full run
# (so the models folder is not even listed per stroke).
@st.fragment
def input_and_prediction_ui(choice: str, infos: dict, source: str) -> None:
    input_column, seen_column, result_column = st.columns([3, 2, 3])
    with input_column:
        chosen = input_ui(source)
    if chosen.image is None:
        return
    seen_column.image(enlarge(chosen.image, 6), caption=t("model_sees"), width=168)
    with result_column:
        probabilities = predictor_for(choice, infos).predict_one(chosen.image)
        prediction_ui(probabilities, chosen.true_label)
    # The data apart from an unchanging spec: the browser swaps the bars' data instead of building a new chart.
    rows = pd.DataFrame(vega.probability_rows(probabilities, class_names(), chosen.true_label))
    st.vega_lite_chart(rows, vega.probability_bars_spec(class_names()), width=600, theme=None, key="probability_bars")
    show_prediction_code(chosen, choice, infos, key="code_predict")
