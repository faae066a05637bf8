"""The table of every run (fmnist.runs.table): rows from run records without their histories, damaged folders as
"unreadable" rows, the settings that differ, the filters, the CSV and JSON exports, `runs --csv` and the bench."""

import csv
import datetime
import io
import json
import logging
import shutil

import pytest

from fmnist.cli import main
from fmnist.model.config import TrainConfig
from fmnist.runs import compare, store, table, table_export, table_query

DAY = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC).timestamp()  # Noon UTC.


def make_run(root, run_id, config=None, status=None, evaluation=None, history=None):
    """A run folder written as the worker leaves it, without training."""
    (root / run_id).mkdir(parents=True)
    run = store.Run(run_id, root / run_id)
    run.write("config.json", (config or TrainConfig()).resolved().to_dict())
    run.write("status.json", {"id": run_id, "status": "finished", "source": "cli", "created": DAY, **(status or {})})
    if evaluation is not None:
        run.write("evaluation.json", evaluation)
    if history is not None:
        run.write("history.json", history)
    return run


@pytest.fixture
def runs(tmp_path, monkeypatch):
    """Three readable runs in a runs folder of their own (also $FMNIST_RUNS_DIR): two finished MLPs that differ
    in seed and learning rate, a failed CNN a day later."""
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(tmp_path))
    finished = {"status": "finished", "epochs_run": 2, "train_seconds": 4.5, "test_accuracy": 0.85}
    make_run(tmp_path, "20261120-120000-aaaaaaaa", TrainConfig(epochs=2, seed=1, learning_rate=1e-3), finished)
    make_run(tmp_path, "20261120-130000-bbbbbbbb", TrainConfig(epochs=2, seed=2, learning_rate=2e-2),
             {**finished, "test_accuracy": 0.87, "source": "page"})  # fmt: skip
    make_run(tmp_path, "20261121-120000-cccccccc", TrainConfig(model="cnn", epochs=3),
             {"status": "failed", "error": "Out of memory.", "epochs_run": 1, "created": DAY + 86400})  # fmt: skip
    return tmp_path


def test_rows_are_every_run_newest_first_with_every_column(runs):
    rows = table.rows(runs)
    assert [r["run"] for r in rows] == ["20261121-120000-cccccccc", "20261120-130000-bbbbbbbb", "20261120-120000-aaaaaaaa"]
    assert all(tuple(r) == table.COLUMNS for r in rows)
    assert ("run", *table.SETTINGS, *table.RESULTS) == table.COLUMNS
    cnn, _, first = rows
    assert first["model"] == "mlp" and first["seed"] == 1 and first["learning_rate"] == 1e-3 and first["epochs"] == 2
    assert first["status"] == "finished" and first["epochs_run"] == 2 and first["test_accuracy"] == 0.85
    assert first["train_seconds"] == 4.5 and first["created"] == DAY and first["source"] == "cli" and first["error"] is None
    assert first["parameters"] > 0 and first["network"] and first["images"] == 60000
    assert cnn["status"] == "failed" and cnn["error"] == "Out of memory." and cnn["test_accuracy"] is None
    assert " / " in cnn["network"]  # Filters per block / dense units.
    assert compare.table(runs) == rows


def test_rows_read_no_history(runs):
    """A history.json that cannot be read at all (a folder, or bytes that are not JSON) changes nothing."""
    before = table.rows(runs)
    (runs / "20261120-120000-aaaaaaaa" / "history.json").mkdir()
    (runs / "20261120-130000-bbbbbbbb" / "history.json").write_bytes(b"\xff\xfe not json")
    (runs / "20261121-120000-cccccccc" / "history.json").write_bytes(b"\xff\xfe not json")
    assert table.rows(runs) == before


def test_old_runs_take_test_metrics_from_the_evaluation_and_count_epochs_from_their_history(tmp_path):
    history = {"history": {"epoch": [1, 2, 3], "loss": [0.9, 0.6, 0.5], "accuracy": [0.7, 0.8, 0.82]}}
    evaluation = {"accuracy": 0.8, "loss": 0.55}
    make_run(tmp_path, "20261120-120000-aaaaaaaa", status={"train_seconds": 3.0}, evaluation=evaluation, history=history)
    make_run(tmp_path, "20261120-120001-aaaaaaaa", status={"status": "queued"})
    (row_queued, row_old) = table.rows(tmp_path)
    assert row_old["test_accuracy"] == 0.8 and row_old["test_loss"] == 0.55 and row_old["epochs_run"] == 3
    # The last epoch's training metrics of a run recorded before status.json kept them: not read from its history.
    assert row_old["train_loss"] is None and row_old["train_accuracy"] is None
    assert row_queued["status"] == "queued" and row_queued["epochs_run"] == 0 and row_queued["test_accuracy"] is None
    assert row_queued["test_loss"] is None


def test_the_final_metrics_come_from_the_status_and_a_bad_one_makes_the_folder_unreadable(tmp_path):
    finals = {"test_accuracy": 0.88, "test_loss": 0.34, "train_accuracy": 0.9, "train_loss": 0.3, "val_accuracy": None,
              "val_loss": None}  # fmt: skip
    make_run(tmp_path, "20261120-120000-aaaaaaaa", status={"epochs_run": 2, **finals}, evaluation={"accuracy": 0.1, "loss": 9.0})
    make_run(tmp_path, "20261120-120001-aaaaaaaa", status={"epochs_run": 2, **finals, "train_loss": "low"})
    bad, good = table.rows(tmp_path)
    assert {key: good[key] for key in table.METRICS} == finals
    assert bad["status"] == table.UNREADABLE and "train_loss" in bad["error"]


def damage(folder, kind):
    """Damage a run folder's records the way a crash, a disk or a hand edit might."""
    config, status = folder / "config.json", folder / "status.json"
    if kind == "no config":
        config.unlink()
    elif kind == "no status":
        status.unlink()
    elif kind == "config not json":
        config.write_text("{model: mlp", encoding="utf-8")
    elif kind == "status not utf-8":
        status.write_bytes(b'{"status": "fini\xe9shed"}')
    elif kind == "config is a folder":
        config.unlink()
        config.mkdir()
    elif kind == "config unknown field":
        config.write_text(json.dumps({**json.loads(config.read_text()), "colour": "blue"}), encoding="utf-8")
    elif kind == "config wrong type":
        config.write_text(json.dumps({**json.loads(config.read_text()), "epochs": "ten"}), encoding="utf-8")
    elif kind == "config unknown model":
        config.write_text(json.dumps({**json.loads(config.read_text()), "model": "transformer"}), encoding="utf-8")
    elif kind == "config a list":
        config.write_text("[1, 2]", encoding="utf-8")
    elif kind == "status unknown":
        status.write_text(json.dumps({"status": "exploded"}), encoding="utf-8")
    elif kind == "status wrong type":
        status.write_text(json.dumps({"status": "finished", "created": "yesterday"}), encoding="utf-8")


KINDS = ("no config", "no status", "config not json", "status not utf-8", "config is a folder", "config unknown field",
         "config wrong type", "config unknown model", "config a list", "status unknown", "status wrong type")  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_folder_is_an_unreadable_row_logged_once(runs, kind, caplog):
    damaged = "20261120-130000-bbbbbbbb"
    damage(runs / damaged, kind)
    with caplog.at_level(logging.WARNING, logger="fmnist.runs.table"):
        rows = table.rows(runs)
        again = table.rows(runs)
    assert rows == again and [r["run"] for r in rows] == ["20261121-120000-cccccccc", damaged, "20261120-120000-aaaaaaaa"]
    bad = rows[1]
    assert bad["status"] == table.UNREADABLE and bad["error"] and "\n" not in bad["error"]
    assert all(bad[key] is None for key in table.COLUMNS if key not in ("run", "status", "error"))
    assert [r["status"] for r in rows if r is not bad] == ["failed", "finished"]
    warnings = [record for record in caplog.records if damaged in record.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING


def test_differing_names_the_settings_that_are_not_all_equal(runs):
    rows = table.rows(runs)
    mlps = rows[1:]
    assert table_query.differing(mlps) == ["learning_rate", "seed"]
    assert table_query.differing(mlps, keys=("seed", "model")) == ["seed"]
    assert table_query.differing(mlps[:1]) == [] and table_query.differing([]) == []
    everything = table_query.differing(rows)
    assert everything[0] == "model" and "seed" in everything and "optimizer" not in everything
    assert everything == [key for key in table.SETTINGS if key in everything]  # Display order kept.
    assert table_query.differing([*mlps, table.unreadable_row("20261101-000000-dddddddd", "broken")]) == ["learning_rate", "seed"]


def test_each_filter_keeps_only_the_matching_rows_and_unreadable_ones_pass_the_others(runs):
    (runs / "20261101-000000-dddddddd").mkdir()  # An empty run folder: unreadable.
    rows = table.rows(runs)
    ids = lambda kept: [r["run"][-8:] for r in kept]
    assert ids(table_query.filter_rows(rows)) == ["cccccccc", "bbbbbbbb", "aaaaaaaa", "dddddddd"]
    assert ids(table_query.filter_rows(rows, query="BBBB")) == ["bbbbbbbb"]  # The run id, any case.
    assert ids(table_query.filter_rows(rows, query="CNN")) == ["cccccccc"]  # A setting's text.
    assert ids(table_query.filter_rows(rows, query="0.02")) == ["bbbbbbbb"]  # A learning rate as shown.
    assert ids(table_query.filter_rows(rows, query="nothing like it")) == []
    assert ids(table_query.filter_rows(rows, models=("cnn",))) == ["cccccccc", "dddddddd"]
    assert ids(table_query.filter_rows(rows, statuses=("finished",))) == ["bbbbbbbb", "aaaaaaaa"]
    assert ids(table_query.filter_rows(rows, statuses=(table.UNREADABLE,))) == ["dddddddd"]
    assert ids(table_query.filter_rows(rows, sources=("page",))) == ["bbbbbbbb", "dddddddd"]
    day = datetime.date(2026, 11, 20)
    assert ids(table_query.filter_rows(rows, since=day, until=day)) == ["bbbbbbbb", "aaaaaaaa", "dddddddd"]
    assert ids(table_query.filter_rows(rows, since=day + datetime.timedelta(days=1))) == ["cccccccc", "dddddddd"]
    assert ids(table_query.filter_rows(rows, until=day - datetime.timedelta(days=1))) == ["dddddddd"]
    assert ids(table_query.filter_rows(rows, query="mlp", sources=("cli",), statuses=("finished",))) == ["aaaaaaaa"]


def test_csv_and_json_hold_every_column_in_order_and_none_as_empty(runs):
    (runs / "20261101-000000-dddddddd").mkdir()
    rows = table.rows(runs)
    lines = list(csv.reader(io.StringIO(table_export.to_csv(rows))))
    assert tuple(lines[0]) == table.COLUMNS and len(lines) == 1 + len(rows)
    by_id = {line[0]: dict(zip(table.COLUMNS, line, strict=True)) for line in lines[1:]}
    assert by_id["20261120-120000-aaaaaaaa"]["error"] == "" and by_id["20261120-120000-aaaaaaaa"]["test_accuracy"] == "0.85"
    assert {"test_loss", "train_loss", "train_accuracy", "val_loss", "val_accuracy"} <= set(lines[0])
    assert by_id["20261101-000000-dddddddd"]["status"] == "unreadable" and by_id["20261101-000000-dddddddd"]["model"] == ""
    objects = json.loads(table_export.to_json(rows))
    assert [tuple(o) for o in objects] == [table.COLUMNS] * len(rows)
    assert objects[-1]["model"] is None and objects[-1]["status"] == "unreadable" and objects[0] == rows[0]
    assert table_export.to_csv([]) == ",".join(table.COLUMNS) + "\n" and json.loads(table_export.to_json([])) == []


def test_the_runs_command_prints_csv_json_and_a_table_past_an_unreadable_run(runs, capsys):
    (runs / "20261101-000000-dddddddd").mkdir()
    (runs / "20261120-120000-aaaaaaaa" / "status.json").write_text("{", encoding="utf-8")
    assert main(["runs", "--csv"]) == 0
    lines = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert tuple(lines[0]) == table.COLUMNS
    assert [(line[0][-8:], line[table.COLUMNS.index("status")]) for line in lines[1:]] == [
        ("cccccccc", "failed"), ("bbbbbbbb", "finished"), ("aaaaaaaa", "unreadable"), ("dddddddd", "unreadable")]  # fmt: skip
    assert main(["runs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [r["status"] for r in listed] == ["failed", "finished", "unreadable", "unreadable"]
    assert main(["runs"]) == 0
    text = capsys.readouterr().out
    assert "20261120-120000-aaaaaaaa" in text and "unreadable" in text and "status.json" in text


def test_the_runs_page_bench_measures_a_small_folder(capsys):
    assert main(["bench", "runs-page", "--runs", "20", "--repeats", "1"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["runs"] == figures["rows_read"] == 20 and figures["unreadable"] == 0
    assert all(figures[f"{step}_s"] >= 0 for step in ("first_rows", "rows_again", "differing", "filter", "to_csv", "to_json"))
    assert main(["bench", "runs-page", "--runs", "0"]) == 2


def test_rows_reread_only_the_folders_that_changed(runs, monkeypatch):
    built = []
    real_row = table.row
    monkeypatch.setattr(table, "row", lambda run: built.append(run.id) or real_row(run))
    first = table.rows(runs)
    assert len(built) == 3
    built.clear()
    assert table.rows(runs) == first and built == []  # Nothing changed: nothing reread.
    store.Run("20261120-120000-aaaaaaaa", runs / "20261120-120000-aaaaaaaa").update_status(test_accuracy=0.9)
    # A hand edit in place (same file, new size) is seen as well as a rewrite through a temporary file.
    status = runs / "20261121-120000-cccccccc" / "status.json"
    status.write_text(status.read_text(encoding="utf-8").replace("Out of memory.", "Killed."), encoding="utf-8")
    shutil.rmtree(runs / "20261120-130000-bbbbbbbb")
    rows = {r["run"]: r for r in table.rows(runs)}
    assert sorted(built) == ["20261120-120000-aaaaaaaa", "20261121-120000-cccccccc"]
    assert rows["20261120-120000-aaaaaaaa"]["test_accuracy"] == 0.9 and rows["20261121-120000-cccccccc"]["error"] == "Killed."
    assert "20261120-130000-bbbbbbbb" not in rows


def test_rows_are_copies_a_caller_may_change(runs):
    table.rows(runs)[0]["vs_accuracy"] = "+1.0 pt"
    assert all("vs_accuracy" not in r for r in table.rows(runs))
