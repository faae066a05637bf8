"""Runs compared, exported, shown as code and deleted: fmnist.runs.compare, the runs/export/code commands, /runs."""

import json
import re
import secrets
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fmnist.cli import main
from fmnist.model.config import TrainConfig
from fmnist.model.history import Control
from fmnist.runs import compare, owners, store, table
from fmnist.runs.owners import COMMAND_LINE
from fmnist.runs.worker import execute

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, dataset):
    """Two small finished runs (an MLP and a CNN) and a failed one, in a runs folder of their own."""
    root = tmp_path_factory.mktemp("runs")
    ids = []
    for config in (
        TrainConfig(model="mlp", epochs=2, limit=1500, seed=1),
        TrainConfig(model="cnn", epochs=1, limit=600, batch_size=64),
    ):
        run = store.create(config.resolved(), "cli", root)
        execute(run, Control(), dataset=dataset)
        ids.append(run.id)
    failed = store.create(TrainConfig(epochs=1, limit=300).resolved(), "page", root)
    failed.write("config.json", {**failed.read("config.json"), "optimizer": "adma"})
    execute(failed, Control(), dataset=dataset)
    return root, ids, failed.id


@pytest.mark.slow
def test_table_has_every_run_with_its_figures(two_runs):
    root, (mlp, cnn), failed = two_runs
    rows = {row["run"]: row for row in compare.table(root)}
    assert set(rows) == {mlp, cnn, failed}
    assert rows[mlp]["model"] == "mlp" and rows[mlp]["status"] == "finished" and rows[mlp]["epochs_run"] == 2
    assert 0.5 < rows[mlp]["test_accuracy"] <= 1 and rows[mlp]["train_seconds"] > 0
    assert rows[failed]["status"] == "failed" and rows[failed]["test_accuracy"] is None and rows[failed]["error"]
    # The final metrics, recorded in status.json as the run ends: the evaluation's, the last epoch's.
    run = store.get(mlp, root)
    history, evaluation = run.history()["history"], run.evaluation()
    assert rows[mlp]["test_loss"] == evaluation["loss"] and rows[mlp]["test_accuracy"] == evaluation["accuracy"]
    assert (rows[mlp]["train_loss"], rows[mlp]["train_accuracy"]) == (history["loss"][-1], history["accuracy"][-1])
    assert rows[mlp]["val_loss"] == (history["val_loss"][-1] if history["val_loss"] else None)
    assert all(rows[failed][key] is None for key in table.METRICS)
    # Every ended run records its epoch count, so the table reads no history.
    assert [store.get(run_id, root).status()["epochs_run"] for run_id in (mlp, cnn, failed)] == [2, 1, 0]
    assert compare.best(list(rows.values()))["run"] in (mlp, cnn)
    assert compare.frontier(list(rows.values()))  # At least the fastest evaluated run.


@pytest.mark.slow
def test_overlay_and_per_class_rows_come_from_the_histories(two_runs):
    root, (mlp, cnn), _ = two_runs
    by_epoch = compare.overlay([mlp, cnn], "accuracy", "epoch", root)
    history = store.get(mlp, root).history()["history"]
    mine = [r["value"] for r in by_epoch if r["run"] == mlp and r["series"] == "train"]
    assert mine == history["accuracy"] and {r["x"] for r in by_epoch if r["run"] == mlp} == {1, 2}
    by_step = compare.overlay([mlp], "loss", "step", root)
    assert [r["x"] for r in by_step] == sorted(r["x"] for r in by_step) and by_step[-1]["x"] == history["step"][-1]
    per_class = compare.per_class([mlp, cnn], root)
    assert len(per_class) == 20
    assert [r["accuracy"] for r in per_class if r["run"] == cnn] == pytest.approx(
        store.get(cnn, root).evaluation()["per_class_accuracy"]
    )
    with pytest.raises(ValueError):
        compare.overlay([mlp], "speed", "step", root)


@pytest.mark.slow
def test_a_runs_model_is_rebuilt_from_its_weights_and_a_failed_run_has_none(two_runs, dataset):
    root, (mlp, _), failed = two_runs
    model = compare.load_model(mlp, root)
    from fmnist.model.evaluation import evaluate

    assert evaluate(model, dataset.test_images, dataset.test_labels).accuracy == pytest.approx(
        store.get(mlp, root).evaluation()["accuracy"]
    )
    with pytest.raises(compare.ExperimentsError, match="no trained weights"):
        compare.load_model(failed, root)
    with pytest.raises(store.NoSuchRun):
        compare.load_model("../../etc/passwd", root)


@pytest.mark.slow
def test_the_commands_list_export_and_write_code(two_runs, tmp_path, monkeypatch, capsys):
    root, (mlp, _), _ = two_runs
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(root))
    assert main(["runs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert mlp in {row["run"] for row in listed}
    assert main(["export", "--run", mlp, "--format", "tflite", "--out", str(tmp_path / "m.tflite"), "--json"]) == 0
    assert (tmp_path / "m.tflite").read_bytes()[4:8] == b"TFL3"
    assert main(["export", "--run", mlp, "--model", "default", "--out", str(tmp_path / "x.keras")]) == 2
    assert "either --model" in capsys.readouterr().err
    assert main(["code", "--run", mlp, "--out", str(tmp_path / "train.py")]) == 0
    script = (tmp_path / "train.py").read_text()
    assert re.search(r"^EPOCHS = 2 ", script, re.M) and re.search(r"^LIMIT = 1500 ", script, re.M) and f"run {mlp}" in script
    assert main(["code", "--run", "20990101-000000-deadbeef"]) == 2
    assert "No such run" in capsys.readouterr().err


@pytest.mark.slow
def test_deleting_a_run_removes_it_and_an_active_run_is_kept(tmp_path, dataset):
    run = store.create(TrainConfig(epochs=1, limit=300).resolved(), "cli", tmp_path)
    with pytest.raises(compare.ExperimentsError, match="still queued"):
        compare.delete(run.id, tmp_path, actor=COMMAND_LINE)
    execute(run, Control(), dataset=dataset)
    compare.delete(run.id, tmp_path, actor=COMMAND_LINE)
    assert compare.table(tmp_path) == []
    with pytest.raises(store.NoSuchRun):
        compare.delete(run.id, tmp_path, actor=COMMAND_LINE)


@pytest.mark.slow
def test_the_runs_page_compares_selected_runs_and_shows_code(two_runs, monkeypatch):
    root, (mlp, _cnn), _ = two_runs
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(root))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    app.switch_page("pages/runs.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert [frame for frame in app.dataframe]  # The table of runs.
    assert any("test_accuracy" in chart.proto.spec for chart in app.get("vega_lite_chart"))  # The scatter.
    # Selecting rows is done in the browser; here the selection state is set as the browser would.
    rows = [row["run"] for row in compare.table(root)]
    app.session_state["runs_table_0"] = {"selection": {"rows": [rows.index(mlp)], "columns": [], "cells": []}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("EPOCHS = 2" in code.value for code in app.code)


@pytest.mark.slow
def test_the_runs_page_deletes_a_run_after_confirmation(tmp_path, dataset, monkeypatch):
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(tmp_path))
    secret = secrets.token_hex(32)  # This browser's: it started the doomed run, so it may delete it.
    kept, doomed = (
        store.create(
            TrainConfig(epochs=1, limit=300, seed=s).resolved(), "page", tmp_path, owner=owners.owner_of(secret, tmp_path)
        )
        for s in (1, 2)
    )
    for run in (kept, doomed):
        execute(run, Control(), dataset=dataset)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.session_state["identity"] = {"identity": {"secret": secret, "name": ""}}
    app.run()
    app.switch_page("pages/runs.py").run()
    rows = [row["run"] for row in compare.table(tmp_path)]
    app.session_state["runs_table_0"] = {"selection": {"rows": [rows.index(doomed.id)], "columns": [], "cells": []}}
    app.run()
    app.button(key=f"delete_{doomed.id}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert [row["run"] for row in compare.table(tmp_path)] == [kept.id]
    assert not app.code  # The selection was reset with the table: no run is shown any more.


def test_the_tutorial_baseline_is_a_measured_figure():
    baseline = compare.tutorial_baseline()
    assert baseline["command"] == "python -m fmnist.tutorial"
    assert 0.85 < baseline["test_accuracy"] < 0.9 and baseline["train_seconds"] > 0


@pytest.mark.slow
def test_every_run_writes_tensorboard_scalars_per_step_and_per_epoch(two_runs):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    root, (mlp, _), _ = two_runs
    events = EventAccumulator(str(root / mlp / store.TENSORBOARD / "train")).Reload()
    tags = set(events.Tags()["tensors"]) | set(events.Tags()["scalars"])
    assert {"epoch_loss", "epoch_accuracy", "batch_loss"} <= tags, tags
    history = store.get(mlp, root).history()["history"]
    epochs = events.Tensors("epoch_loss")
    assert [e.step for e in epochs] == [0, 1]
    from tensorboard.util.tensor_util import make_ndarray

    assert [float(make_ndarray(e.tensor_proto)) for e in epochs] == pytest.approx(history["loss"], rel=1e-5)
