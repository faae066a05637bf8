"""The /runs page with many runs: search and filters, an unreadable folder, the downloads, only what differs."""

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from fmnist.model.config import TrainConfig
from fmnist.runs import owners, store, table, table_export, table_query
from pages import runs_table
from tests.page_support import ENTRY, TIMEOUT, open_page

# Newest first, as the table lists them: a damaged folder, a failed CNN, two finished MLPs that differ in batch size.
DAMAGED, CNN, MLP_128, MLP_64 = (
    "20261204-100000-dddddddd",
    "20261203-100000-cccccccc",
    "20261202-100000-bbbbbbbb",
    "20261201-100000-aaaaaaaa",
)


def record(root, run_id, config, status, source, day, accuracy=None):
    run = store.Run(run_id, root / run_id)
    run.path.mkdir(parents=True)
    run.write("config.json", config.resolved().to_dict())
    created = dt.datetime(2026, 12, day, 10, tzinfo=dt.UTC).timestamp()
    figures = {"train_seconds": 12.5, "test_accuracy": accuracy, "epochs_run": 1} if status == "finished" else {"error": "boom"}
    run.write("status.json", {"id": run_id, "status": status, "source": source, "created": created, **figures})


@pytest.fixture
def runs_root(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    record(root, MLP_64, TrainConfig(model="mlp", epochs=1, limit=600, batch_size=64, seed=1), "finished", "cli", 1, 0.81)
    record(root, MLP_128, TrainConfig(model="mlp", epochs=1, limit=600, batch_size=128, seed=1), "finished", "page", 2, 0.83)
    record(root, CNN, TrainConfig(model="cnn", epochs=1, limit=600, batch_size=64, seed=2), "failed", "page", 3)
    (root / DAMAGED).mkdir()
    (root / DAMAGED / "config.json").write_text("{not json", encoding="utf-8")
    (root / DAMAGED / "status.json").write_text(json.dumps({"status": "finished"}), encoding="utf-8")
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(root))
    return root


@pytest.fixture
def page(runs_root):
    return open_page(AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT).run(), "runs")


def shown_runs(app) -> list[str]:
    return list(app.dataframe[0].value["Run"])


def test_every_run_is_listed_and_a_damaged_folder_shows_as_unreadable(page):
    assert shown_runs(page) == [DAMAGED, CNN, MLP_128, MLP_64]
    frame = page.dataframe[0].value.set_index("Run")
    assert frame.loc[DAMAGED, "Status"] == "unreadable"
    assert "config.json" in frame.loc[DAMAGED, "Error"]
    assert frame.loc[MLP_64, "Status"] == "finished"
    assert frame.loc[MLP_64, "Started from"] == "command line"
    assert frame.loc[MLP_128, "Batch size"] == 128  # Numbers stay numbers, so sorting a column orders them.


def test_search_narrows_the_rows(page):
    page.text_input(key="runs_query").input("cnn").run()
    assert shown_runs(page) == [CNN]
    page.text_input(key="runs_query").input("dddd").run()
    assert shown_runs(page) == [DAMAGED]


@pytest.mark.parametrize(
    ("key", "values", "expected"),
    [
        ("runs_models", ["mlp"], [DAMAGED, MLP_128, MLP_64]),  # An unreadable run has no model to judge.
        ("runs_statuses", ["failed"], [CNN]),
        ("runs_statuses", ["unreadable"], [DAMAGED]),
        ("runs_sources", ["cli"], [DAMAGED, MLP_64]),
    ],
)
def test_each_filter_keeps_only_matching_rows(page, key, values, expected):
    page.multiselect(key=key).set_value(values).run()
    assert not page.exception, [e.value for e in page.exception]
    assert shown_runs(page) == expected


def test_the_date_range_keeps_the_runs_created_in_it(page):
    page.date_input(key="runs_dates").set_value((dt.date(2026, 12, 2), dt.date(2026, 12, 3))).run()
    assert shown_runs(page) == [DAMAGED, CNN, MLP_128]


def test_csv_and_json_downloads_are_offered_for_the_filtered_runs(page, runs_root):
    labels = [button.proto.label for button in page.get("download_button")]
    assert labels == ["Download CSV", "Download JSON"]
    page.text_input(key="runs_query").input("mlp").run()
    assert not page.exception
    rows = table_query.filter_rows(table.rows(runs_root), query="mlp")
    header, *lines = table_export.to_csv(rows).splitlines()
    assert header.split(",") == list(table.COLUMNS)
    assert [line.split(",")[0] for line in lines] == [MLP_128, MLP_64]


def test_only_what_differs_hides_the_settings_two_selected_runs_share(page, runs_root):
    rows = [row["run"] for row in table.rows(runs_root)]
    page.session_state["runs_table_0"] = {
        "selection": {"rows": [rows.index(MLP_64), rows.index(MLP_128)], "columns": [], "cells": []}
    }
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    columns = list(page.dataframe[0].value.columns)
    assert "Batch size" in columns and "Model" not in columns and "Optimizer" not in columns
    assert "Test accuracy" in columns  # Results always stay.
    page.toggle(key="runs_only_differs").set_value(False).run()
    assert "Model" in page.dataframe[0].value.columns


def test_an_unreadable_run_ticked_with_another_breaks_nothing(page, runs_root):
    rows = [row["run"] for row in table.rows(runs_root)]
    page.session_state["runs_table_0"] = {
        "selection": {"rows": [rows.index(DAMAGED), rows.index(MLP_64)], "columns": [], "cells": []}
    }
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    assert any("Unreadable runs cannot be compared" in caption.value for caption in page.caption)
    assert f"Run {MLP_64}" in [header.value for header in page.subheader]  # Only the readable run is picked.


def test_build_frame_keeps_only_the_differing_settings_of_the_selection(runs_root):
    rows = table.rows(runs_root)
    frame, differing = runs_table.build_frame(rows, [MLP_64, MLP_128], only_differs=True)
    assert differing == ["batch_size"]
    assert [c for c in frame.columns if c in table.SETTINGS] == ["batch_size"]
    assert len(frame) == len(rows)
    whole, _ = runs_table.build_frame(rows, [MLP_64], only_differs=True)  # One run: nothing to compare, nothing hidden.
    assert set(table.SETTINGS) <= set(whole.columns)


# A baseline and a 3-seed group on /runs: runs of their own, with known accuracies and times.
BASE, SEED2, SEED1, SEED0 = (
    "20261204-090000-00000000",
    "20261204-080000-22222222",
    "20261204-070000-11111111",
    "20261204-060000-00000001",
)
GROUP = "g-20261204-060000-abcdef01"


def finished(root, run_id, config, accuracy, seconds, loss, group=None):
    run = store.Run(run_id, root / run_id)
    run.path.mkdir(parents=True)
    run.write("config.json", config.resolved().to_dict())
    created = dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC).timestamp()
    figures = {"train_seconds": seconds, "test_accuracy": accuracy, "epochs_run": 1}
    run.write("status.json", {"id": run_id, "status": "finished", "source": "cli", "created": created, **figures})
    run.write("evaluation.json", {"accuracy": accuracy, "loss": loss})
    run.write("history.json", {"history": {"epoch": [1], "loss": [loss + 0.1], "accuracy": [accuracy - 0.01]}})
    if group:
        run.write("group.json", {"group": group})


@pytest.fixture
def seeds_page(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    finished(root, BASE, TrainConfig(model="mlp", epochs=1, limit=600, batch_size=32), 0.80, 10.0, 0.60)
    for run_id, seed, accuracy, seconds, loss in (
        (SEED0, 0, 0.81, 13.0, 0.55),
        (SEED1, 1, 0.83, 14.0, 0.50),
        (SEED2, 2, 0.85, 15.0, 0.45),
    ):
        finished(
            root, run_id, TrainConfig(model="mlp", epochs=1, limit=600, batch_size=64, seed=seed), accuracy, seconds, loss, GROUP
        )
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(root))
    return AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)


def curve_specs(page) -> list[dict]:
    """The Vega-Lite specs of the overlaid curves (the charts with a strokeDash by kind of line)."""

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    specs = [json.loads(e.proto.spec) for e in walk(page.main) if getattr(e, "type", "") == "vega_lite_chart"]
    return [s for s in specs if "layer" in s and "strokeDash" in s["layer"][-1].get("encoding", {})]


def test_a_baseline_in_the_url_gives_every_row_its_difference(seeds_page):
    seeds_page.query_params["baseline"] = BASE
    page = open_page(seeds_page.run(), "runs")
    frame = page.dataframe[0].value.set_index("Run")
    assert frame.loc[BASE, "Accuracy vs baseline"] == "baseline"
    assert frame.loc[SEED1, "Accuracy vs baseline"] == "+3.0 pt" and frame.loc[SEED1, "Time vs baseline"] == "1.4×"
    assert frame.loc[SEED0, "Accuracy vs baseline"] == "+1.0 pt" and frame.loc[SEED0, "Time vs baseline"] == "1.3×"
    assert page.selectbox(key="runs_baseline").value == BASE
    assert curve_specs(page) == []  # Nothing ticked, no curves read.
    # One run ticked: its curves, and the baseline's beside them, dashed.
    page.session_state["runs_table_0"] = {"selection": {"rows": [list(frame.index).index(SEED1)], "columns": [], "cells": []}}
    page.run()
    page.radio(key="compare_by").set_value("epoch").run()
    (loss, accuracy) = curve_specs(page)
    for spec in (loss, accuracy):
        lines = spec["layer"][-1]["data"]["values"]
        assert {(row["label"], row["kind"]) for row in lines} == {(SEED1, "run"), (f"{BASE} (baseline)", "baseline")}


def test_picking_a_baseline_puts_it_in_the_url_and_none_removes_it(seeds_page):
    page = open_page(seeds_page.run(), "runs")
    assert "Accuracy vs baseline" not in page.dataframe[0].value.columns
    page.selectbox(key="runs_baseline").set_value(SEED2).run()
    assert page.query_params["baseline"] == SEED2
    frame = page.dataframe[0].value.set_index("Run")
    assert frame.loc[BASE, "Accuracy vs baseline"] == "-5.0 pt" and frame.loc[BASE, "Time vs baseline"] == "0.67×"
    page.selectbox(key="runs_baseline").set_value(None).run()
    assert "baseline" not in page.query_params and "Accuracy vs baseline" not in page.dataframe[0].value.columns
    assert page.selectbox(key="runs_baseline").placeholder == "none"  # No baseline reads "none", not Streamlit's words.


@pytest.mark.parametrize("baseline", ["20261111-111111-deadbeef", "not-a-run-id"])
def test_a_missing_baseline_gets_a_note_and_the_page_goes_on(seeds_page, baseline):
    seeds_page.query_params["baseline"] = baseline
    page = open_page(seeds_page.run(), "runs")
    assert any("no longer exists" in warning.value for warning in page.warning)
    assert len(page.dataframe[0].value) == 4 and page.selectbox(key="runs_baseline").value is None


def test_group_by_settings_collapses_the_seeds_into_mean_and_sd(seeds_page):
    seeds_page.query_params["baseline"] = BASE
    page = open_page(seeds_page.run(), "runs")
    page.toggle(key="runs_group_by").set_value(True).run()
    assert not page.exception, [e.value for e in page.exception]
    frame = page.dataframe[0].value.set_index("Run")
    assert list(frame.index) == [BASE, SEED2]
    group = frame.loc[SEED2]
    assert group["n"] == 3 and group["Seeds"] == "0, 1, 2"
    assert group["Accuracy (mean ± sd)"] == "0.8300 ± 0.0200" and group["Loss (mean ± sd)"] == "0.5000 ± 0.0500"
    assert group["Time, s (mean ± sd)"] == "14.0 ± 1.0"
    assert group["Accuracy vs baseline"] == "+3.0 pt" and group["Time vs baseline"] == "1.4×"
    assert frame.loc[BASE, "n"] == 1 and frame.loc[BASE, "Accuracy vs baseline"] == "baseline"
    page.session_state["runs_groups_0"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    page.run()
    page.radio(key="compare_by").set_value("epoch").run()
    assert not page.exception, [e.value for e in page.exception]
    assert any("shaded band" in caption.value for caption in page.caption)
    loss, _ = curve_specs(page)
    area, lines = loss["layer"]
    assert [row["low"] for row in area["data"]["values"]] == pytest.approx([0.6 - 0.05])  # Mean 0.6, sd 0.05 (epoch 1).
    kinds = {(row["label"], row["kind"]) for row in lines["data"]["values"]}
    assert kinds == {(f"{SEED2} ×3 (mean)", "run"), (f"{BASE} (baseline)", "baseline")}


def test_grouped_only_what_differs_keeps_the_settings_two_selected_groups_do_not_share(seeds_page):
    page = open_page(seeds_page.run(), "runs")
    page.toggle(key="runs_group_by").set_value(True).run()
    assert "Batch size" in page.dataframe[0].value.columns  # Nothing selected: every setting shown.
    page.session_state["runs_groups_0"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    columns = list(page.dataframe[0].value.columns)
    assert "Batch size" in columns  # 32 against 64: kept (and highlighted).
    assert "Epochs" not in columns and "Learning rate" not in columns  # Shared by both groups: hidden.
    assert "n" in columns and "Accuracy (mean ± sd)" in columns  # Results are never hidden.
    page.toggle(key="runs_only_differs").set_value(False).run()
    assert "Epochs" in page.dataframe[0].value.columns


def test_runs_can_be_filtered_by_who_started_them(page, runs_root):
    lin, other_lin = owners.LEARNER + "a" * 32, owners.LEARNER + "b" * 32  # Two browsers whose learners typed "Lin".
    for run_id, owner, name in ((MLP_64, "cli", ""), (MLP_128, lin, "Lin"), (CNN, other_lin, "Lin")):
        store.Run(run_id, runs_root / run_id).update_status(owner=owner, owner_name=name)
    page.run()
    frame = page.dataframe[0].value.set_index("Run")
    assert frame.loc[MLP_128, "Started by"] == frame.loc[CNN, "Started by"] == "Lin"
    assert frame.loc[MLP_64, "Started by"] == "the command line"
    assert "Owner" not in frame.columns and lin not in frame.to_csv()  # The owner id itself is never shown.
    chooser = page.multiselect(key="runs_owners")
    assert sorted(chooser.options) == sorted(["the command line", "Lin · aaaaaa", "Lin · bbbbbb"])
    chooser.set_value([lin]).run()
    assert not page.exception, [e.value for e in page.exception]
    assert shown_runs(page) == [DAMAGED, MLP_128]  # An unreadable run has no owner to judge, as with the model.
    page.multiselect(key="runs_owners").set_value([]).run()
    page.text_input(key="runs_query").input("lin").run()
    assert shown_runs(page) == [CNN, MLP_128]
    rows = {r["run"]: r for r in table.rows(runs_root)}
    assert rows[MLP_128]["owner"] == lin and rows[MLP_128]["started_by"] == "Lin" and rows[DAMAGED]["owner"] is None
