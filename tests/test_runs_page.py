"""The /runs page with many runs: search and filters, an unreadable folder, the downloads, only what differs."""

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from fmnist.model.config import TrainConfig
from fmnist.runs import store, table
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
    rows = table.filter_rows(table.rows(runs_root), query="mlp")
    header, *lines = table.to_csv(rows).splitlines()
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
