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


def test_the_spec_without_data_is_the_same_for_every_drawing():
    # Predict sends the rows apart from this spec, so the browser only swaps the chart's data per stroke.
    spec = vega.probability_bars_spec(fashion_mnist.CLASS_NAMES)
    assert "data" not in spec
    for top in (1, 6):
        full = vega.probability_bars(probabilities(top), fashion_mnist.CLASS_NAMES)
        assert {key: value for key, value in full.items() if key != "data"} == spec
        assert full["data"]["values"] == vega.probability_rows(probabilities(top), fashion_mnist.CLASS_NAMES)


def test_wrong_shapes_are_refused():
    with pytest.raises(ValueError, match="10 probabilities"):
        vega.probability_bars(np.ones(9) / 9, fashion_mnist.CLASS_NAMES[:9])


def layers(spec: dict) -> tuple[dict, dict]:
    squares, numbers = spec["layer"]
    return squares, numbers


def white_text_above(spec: dict) -> float:
    """The value above which a cell's number is white (the text layer's condition `datum.<field> > value`)."""
    return float(layers(spec)[1]["encoding"]["color"]["condition"]["test"].split(">")[1])


def test_the_confusion_matrix_has_one_cell_per_pair_with_its_count_and_names():
    matrix = np.arange(100).reshape(10, 10)
    spec = vega.confusion_matrix(matrix, fashion_mnist.CLASS_NAMES)
    cells = spec["data"]["values"]
    assert [(cell["true"], cell["predicted"]) for cell in cells] == [(t, p) for t in range(10) for p in range(10)]
    assert [cell["label"] for cell in cells] == [str(value) for value in matrix.ravel()]
    assert cells[12]["true_name"] == "Trouser" and cells[12]["predicted_name"] == "Pullover"  # Row 1, column 2.
    assert spec["encoding"]["x"]["sort"] == spec["encoding"]["y"]["sort"] == list(fashion_mnist.CLASS_NAMES)
    assert spec["encoding"]["x"]["title"] == "Predicted" and spec["encoding"]["y"]["title"] == "True"
    assert 0 < white_text_above(spec) < 99  # Black on the palest cells, white on the darkest.
    assert "params" not in json.dumps(spec)  # Nothing to click without a selection.
    json.dumps(spec)


def test_a_normalized_matrix_shows_each_rows_shares():
    spec = vega.confusion_matrix(np.eye(10, dtype=int) * 7 + 1, fashion_mnist.CLASS_NAMES, normalize=True)
    cells = spec["data"]["values"]
    assert cells[0]["label"] == "0.47" and cells[1]["label"] == "0.06"
    assert cells[0]["count"] == 8 and cells[1]["count"] == 1  # The tooltip keeps the counts.
    squares, numbers = layers(spec)
    assert squares["encoding"]["color"]["field"] == "share" and squares["encoding"]["color"]["scale"]["domain"] == [0, 1]
    assert numbers["encoding"]["color"]["condition"]["test"].startswith("datum.share >")
    assert cells[0]["share"] < white_text_above(spec) < 1  # White only on the darkest cells.


def test_a_row_without_images_has_shares_of_zero():
    matrix = np.eye(10, dtype=int)
    matrix[3, 3] = 0
    cells = vega.confusion_matrix(matrix, fashion_mnist.CLASS_NAMES, normalize=True)["data"]["values"]
    assert [cell["share"] for cell in cells[30:40]] == [0.0] * 10


def test_a_selectable_matrix_reports_the_clicked_cells_class_ids():
    spec = vega.confusion_matrix(np.ones((10, 10), dtype=int), fashion_mnist.CLASS_NAMES, selection="cell")
    squares, _ = layers(spec)
    [param] = squares["params"]
    assert param["name"] == "cell" and param["select"] == {"type": "point", "fields": ["true", "predicted"], "on": "click"}
    assert squares["encoding"]["opacity"]["condition"]["param"] == "cell"  # The other cells fade.


def test_the_confusion_matrix_speaks_the_pages_language():
    titles = {"predicted": "预测类别", "true": "真实类别", "count": "图片数"}
    spec = vega.confusion_matrix(np.eye(10, dtype=int), fashion_mnist.CLASS_NAMES_ZH, titles=titles, width=560)
    assert spec["encoding"]["x"]["sort"] == list(fashion_mnist.CLASS_NAMES_ZH)
    assert spec["encoding"]["x"]["title"] == "预测类别" and spec["encoding"]["y"]["title"] == "真实类别"
    assert {tip["title"] for tip in layers(spec)[0]["encoding"]["tooltip"]} == {"预测类别", "真实类别", "图片数"}
    assert spec["data"]["values"][0]["true_name"] == fashion_mnist.CLASS_NAMES_ZH[0] and spec["width"] == 560


def test_a_confusion_matrix_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="square"):
        vega.confusion_matrix(np.zeros((3, 4)), fashion_mnist.CLASS_NAMES)
    with pytest.raises(ValueError, match="one row per class name"):
        vega.confusion_matrix(np.zeros((9, 9)), fashion_mnist.CLASS_NAMES)


def test_the_accuracy_time_chart_outlines_selected_runs_and_draws_each_reference():
    runs = [
        {"run": "a", "model": "mlp", "test_accuracy": 0.88, "train_seconds": 10.0, "selected": True, "status": "finished"},
        {"run": "b", "model": "cnn", "test_accuracy": 0.91, "train_seconds": 20.0, "selected": False},
    ]
    references = [{"label": "People", "accuracy": 0.835}, {"label": "Best run (b)", "accuracy": 0.91}]
    spec = vega.accuracy_time(runs, references, titles={"test_accuracy": "测试准确率"})
    points, rules = spec["layer"]
    assert [row["run"] for row in points["data"]["values"]] == ["a", "b"]
    assert "status" not in points["data"]["values"][0]  # Only the fields it shows.
    assert points["encoding"]["stroke"]["condition"] == {"test": "datum.selected", "value": "black"}
    assert points["encoding"]["y"]["title"] == "测试准确率"
    assert [row["label"] for row in rules["data"]["values"]] == ["People", "Best run (b)"]
    with_tutorial = vega.accuracy_time(runs, references, tutorial_seconds=15.0)
    assert with_tutorial["layer"][1]["data"]["values"] == [{"train_seconds": 15.0}]
    assert len(vega.accuracy_time(runs)["layer"]) == 1
    json.dumps(with_tutorial)
