"""Runs against a baseline and as groups (fmnist.runs.groups): differences, mean ± sd, seeds, group.json."""

import json
import math

import pytest

from fmnist.model.config import TrainConfig
from fmnist.runs import groups, store, table


def row(run_id, seed=0, accuracy=None, seconds=None, status="finished", loss=None, **settings):
    base = {key: None for key in table.COLUMNS}
    base.update(model="mlp", network="128", epochs=1, batch_size=32, learning_rate=0.001, images=60000)
    return {
        **base,
        **settings,
        "run": run_id,
        "seed": seed,
        "status": status,
        "test_accuracy": accuracy,
        "test_loss": loss,
        "train_seconds": seconds,
    }


def test_versus_gives_points_and_a_time_ratio():
    baseline = row("base", accuracy=0.850, seconds=10.0)
    points, ratio = groups.versus(row("other", accuracy=0.858, seconds=14.0), baseline)
    assert points == pytest.approx(0.8) and ratio == pytest.approx(1.4)
    assert (groups.points_text(points), groups.ratio_text(ratio)) == ("+0.8 pt", "1.4×")
    assert groups.points_text(-1.24) == "-1.2 pt" and groups.points_text(0.01) == "±0.0 pt" and groups.points_text(None) == "–"
    assert groups.ratio_text(0.5) == "0.50×" and groups.ratio_text(None) == "–"
    assert groups.versus(row("queued"), baseline) == (None, None)


def test_with_versus_marks_the_baseline_and_leaves_unscored_rows_blank():
    rows = [row("a", accuracy=0.84, seconds=5.0), row("b", accuracy=0.85, seconds=10.0), row("c", status="failed")]
    baseline, problem = groups.find_baseline(rows, "b")
    assert problem is None
    marked = {r["run"]: (r["vs_accuracy"], r["vs_time"]) for r in groups.with_versus(rows, baseline)}
    assert marked == {"a": ("-1.0 pt", "0.50×"), "b": ("baseline", "baseline"), "c": ("–", "–")}
    assert groups.with_versus(rows, None) == rows


def test_a_baseline_that_cannot_serve_says_why():
    rows = [row("a", accuracy=0.84, seconds=5.0), row("b", status="failed"), {**row("c"), "status": "unreadable"}]
    assert groups.find_baseline(rows, None) == (None, None)
    assert groups.find_baseline(rows, "gone") == (None, "missing")
    assert groups.find_baseline(rows, "b") == (None, "unscored")
    assert groups.find_baseline(rows, "c") == (None, "unreadable")
    assert groups.find_baseline(rows, "a")[0]["run"] == "a"


def test_mean_sd_of_known_numbers():
    mean, sd = groups.mean_sd([0.80, 0.82, 0.84])
    assert mean == pytest.approx(0.82) and sd == pytest.approx(0.02)
    assert groups.mean_sd([1.0, None, float("nan")]) == (1.0, None)
    assert groups.mean_sd([]) == (None, None)


def test_group_rows_collapse_the_same_settings_but_for_the_seed():
    rows = [
        row("r3", seed=2, accuracy=0.84, seconds=12.0, loss=0.7, group="g-20261204-100000-aaaaaaaa"),
        row("other", seed=0, accuracy=0.90, seconds=30.0, model="cnn", network="16-32 / 128"),
        row("r2", seed=1, accuracy=0.82, seconds=10.0, loss=0.6, group="g-20261204-100000-aaaaaaaa"),
        {**row("broken"), "status": "unreadable"},
        row("r1", seed=0, accuracy=0.80, seconds=8.0, loss=0.5, group="g-20261204-100000-aaaaaaaa"),
    ]
    grouped = groups.group_rows(rows)
    assert [g["run"] for g in grouped] == ["r3", "other", "broken"]
    three = grouped[0]
    assert three["n"] == 3 and three["runs"] == ["r3", "r2", "r1"] and three["seeds"] == "0, 1, 2"
    assert three["groups"] == ["g-20261204-100000-aaaaaaaa"] and three["status"] == "finished"
    assert three["test_accuracy"] == pytest.approx(0.82) and three["test_accuracy_sd"] == pytest.approx(0.02)
    assert three["test_loss"] == pytest.approx(0.6) and three["test_loss_sd"] == pytest.approx(0.1)
    assert three["train_seconds"] == pytest.approx(10.0) and three["train_seconds_sd"] == pytest.approx(2.0)
    assert grouped[1]["n"] == 1 and grouped[1]["test_accuracy_sd"] is None and grouped[1]["test_loss"] is None
    assert grouped[2]["n"] == 1 and grouped[2]["status"] == "unreadable"


def test_a_group_whose_runs_ended_differently_is_mixed_and_averages_what_it_has():
    grouped = groups.group_rows([row("a", seed=0, accuracy=0.8, seconds=4.0), row("b", seed=1, status="failed")])
    assert len(grouped) == 1 and grouped[0]["status"] == "mixed" and grouped[0]["n"] == 2
    assert grouped[0]["test_accuracy"] == 0.8 and grouped[0]["test_accuracy_sd"] is None


def test_band_is_the_mean_and_sd_at_each_point():
    curves = [
        [{"x": 1, "value": 0.5, "series": "train"}, {"x": 2, "value": 0.7, "series": "train"}],
        [{"x": 1, "value": 0.7, "series": "train"}, {"x": 2, "value": 0.9, "series": "train"}],
        [{"x": 1, "value": 0.6, "series": "train"}],
    ]
    points = groups.band(curves)
    assert [(p["x"], p["n"]) for p in points] == [(1, 3), (2, 2)]
    assert points[0]["value"] == pytest.approx(0.6) and points[0]["sd"] == pytest.approx(0.1)
    assert points[0]["low"] == pytest.approx(0.5) and points[0]["high"] == pytest.approx(0.7)
    assert points[1]["value"] == pytest.approx(0.8) and math.isclose(points[1]["sd"], math.sqrt(0.02))


@pytest.mark.parametrize(
    ("text", "seeds"), [("0,1,2", (0, 1, 2)), (" 7 , 3 ", (7, 3)), ("5", (5,))],
)  # fmt: skip
def test_parse_seeds(text, seeds):
    assert groups.parse_seeds(text) == seeds


@pytest.mark.parametrize(
    ("text", "says"),
    [("", "comma-separated"), ("0,x", "'x' is not a whole number"), ("-1", "'-1' is not a whole number"),
     ("1,1", "1 is given twice"), ("1.5", "not a whole number"), ("0,,1", "'' is not"),
     (",".join(map(str, range(11))), "at most 10"), (str(2**31), "too large")],
)  # fmt: skip
def test_bad_seeds_say_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=None) as caught:
        groups.parse_seeds(text)
    assert says in str(caught.value) and "--seeds" in str(caught.value)


def test_repeat_seeds_counts_up_from_the_base():
    assert groups.repeat_seeds(5) == (5, 6, 7)
    assert groups.repeat_seeds(groups.MAX_SEED, 2) == (groups.MAX_SEED, 0)


def test_a_group_is_recorded_beside_the_run_and_read_back_by_the_table(tmp_path):
    run = store.create(TrainConfig(epochs=1, limit=600), "cli", tmp_path)
    loner = store.create(TrainConfig(epochs=1, limit=600, seed=3), "cli", tmp_path)
    group_id = groups.new_group_id()
    groups.write_group(run, group_id)
    assert groups.read_group(run) == group_id and groups.read_group(loner) is None
    assert {r["run"]: r["group"] for r in table.rows(tmp_path)} == {run.id: group_id, loner.id: None}
    (loner.path / groups.GROUP_FILE).write_text(json.dumps({"group": "../../etc"}), encoding="utf-8")
    assert groups.read_group(loner) is None
    with pytest.raises(ValueError):
        groups.write_group(run, "not an id")


def test_mean_sd_text():
    assert groups.mean_sd_text(0.82, 0.02) == "0.8200 ± 0.0200"
    assert groups.mean_sd_text(12.345, None, 1) == "12.3" and groups.mean_sd_text(None, None) == "–"
