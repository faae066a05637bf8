"""Tests of fmnist.charts.vega: the Vega-Lite value array has the tutorial's colours, and a neutral top bar
when there is no true label."""

import json

import numpy as np
import pytest

from fmnist.charts import vega
from fmnist.data import fashion_mnist


def probabilities(top: int) -> np.ndarray:
    values = np.full(10, 0.02)
    values[top] = 0.82
    return values


def colours(spec: dict) -> list[str]:
    return [row["colour"] for row in spec["data"]["values"]]


def test_a_drawing_has_a_neutral_top_bar_and_grey_others():
    spec = vega.probability_bars(probabilities(3), fashion_mnist.CLASS_NAMES)
    assert colours(spec) == [vega.NEUTRAL if i == 3 else vega.GREY for i in range(10)]
    assert vega.NEUTRAL not in (vega.RED, vega.BLUE)


def test_a_test_sample_is_blue_when_right_and_red_on_the_predicted_bar_when_wrong():
    assert colours(vega.probability_bars(probabilities(1), fashion_mnist.CLASS_NAMES, true_label=1))[1] == vega.BLUE
    wrong = colours(vega.probability_bars(probabilities(6), fashion_mnist.CLASS_NAMES, true_label=0))
    assert wrong[6] == vega.RED and wrong[0] == vega.BLUE
    assert [c for i, c in enumerate(wrong) if i not in (0, 6)] == [vega.GREY] * 8


def test_the_spec_keeps_class_order_labels_and_is_plain_json():
    spec = vega.probability_bars(probabilities(8), fashion_mnist.CLASS_NAMES_ZH)
    rows = spec["data"]["values"]
    assert [row["name"] for row in rows] == list(fashion_mnist.CLASS_NAMES_ZH)
    assert spec["encoding"]["x"]["sort"] == list(fashion_mnist.CLASS_NAMES_ZH)
    assert rows[8]["label"] == "82%" and rows[0]["label"] == "2%"
    json.dumps(spec)  # No numpy values: Streamlit sends it as it is.


def test_wrong_shapes_are_refused():
    with pytest.raises(ValueError, match="10 probabilities"):
        vega.probability_bars(np.ones(9) / 9, fashion_mnist.CLASS_NAMES[:9])
