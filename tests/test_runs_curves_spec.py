"""The overlaid curves of /runs (fmnist.charts.vega.run_curves) and a group's mean curve (compare.group_overlay)."""

import pytest

from fmnist.charts import vega
from fmnist.model.config import TrainConfig
from fmnist.runs import compare, store


def line(label, x, value, baseline=False, series="train"):
    return {"label": label, "x": x, "value": value, "series": series, "baseline": baseline}


def test_the_baseline_is_dashed_and_the_others_solid():
    spec = vega.run_curves([line("a", 1, 0.5), line("base", 1, 0.4, baseline=True)], x_title="epoch", y_title="loss")
    (layer,) = spec["layer"]
    kinds = {row["label"]: row["kind"] for row in layer["data"]["values"]}
    assert kinds == {"a": "run", "base": "baseline"}
    dash = layer["encoding"]["strokeDash"]
    assert dash["field"] == "kind" and dash["scale"] == {
        "domain": ["run", "baseline"],
        "range": [vega.RUN_DASH, vega.BASELINE_DASH],
    }
    assert layer["encoding"]["y"]["title"] == "loss" and layer["encoding"]["x"]["title"] == "epoch"


def test_a_group_band_is_an_area_under_the_lines_in_the_same_colours():
    band = [{"label": "g", "x": 1, "low": 0.4, "high": 0.6, "series": "train"}]
    spec = vega.run_curves([line("g", 1, 0.5)], band, titles={"baseline_kind": "基线", "train": "训练"})
    area, lines = spec["layer"]
    assert area["mark"] == {"type": "area", "opacity": vega.BAND_OPACITY} and area["data"]["values"] == band
    assert area["encoding"]["y"]["field"] == "low" and area["encoding"]["y2"]["field"] == "high"
    assert area["encoding"]["color"] == lines["encoding"]["color"]
    assert lines["encoding"]["strokeDash"]["scale"]["domain"] == ["run", "基线"]
    assert lines["encoding"]["opacity"]["scale"]["domain"] == ["训练", "validation"]


def test_group_overlay_averages_the_runs_epoch_by_epoch(tmp_path):
    ids = []
    for losses in ([0.9, 0.5], [0.7, 0.3]):
        run = store.create(TrainConfig(epochs=2, limit=600), "cli", tmp_path)
        run.write("history.json", {"history": {"epoch": [1, 2], "loss": losses, "val_loss": [1.0, 0.8]}})
        ids.append(run.id)
    rows = compare.group_overlay(ids, "loss", "epoch", tmp_path)
    train = [r for r in rows if r["series"] == "train"]
    assert [r["x"] for r in train] == [1, 2] and [r["n"] for r in train] == [2, 2]
    assert train[0]["value"] == pytest.approx(0.8) and train[1]["value"] == pytest.approx(0.4)
    assert train[0]["low"] == pytest.approx(0.8 - 0.1414, abs=1e-4) and train[0]["high"] == pytest.approx(0.8 + 0.1414, abs=1e-4)
    validation = [r for r in rows if r["series"] == "validation"]
    assert [r["value"] for r in validation] == pytest.approx([1.0, 0.8]) and validation[0]["sd"] == 0.0
