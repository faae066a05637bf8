"""Runs compared, exported, shown as code and deleted: fmnist.experiments, the runs/export/code commands, /runs."""

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fmnist import experiments, runs
from fmnist.cli import main
from fmnist.config import TrainConfig
from fmnist.history import Control
from fmnist.worker import execute

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
        run = runs.create(config.resolved(), "cli", root)
        execute(run, Control(), dataset=dataset)
        ids.append(run.id)
    failed = runs.create(TrainConfig(epochs=1, limit=300).resolved(), "page", root)
    failed.write("config.json", {**failed.read("config.json"), "optimizer": "adma"})
    execute(failed, Control(), dataset=dataset)
    return root, ids, failed.id


def test_table_has_every_run_with_its_figures(two_runs):
    root, (mlp, cnn), failed = two_runs
    rows = {row["run"]: row for row in experiments.table(root)}
    assert set(rows) == {mlp, cnn, failed}
    assert rows[mlp]["model"] == "mlp" and rows[mlp]["status"] == "finished" and rows[mlp]["epochs_run"] == 2
    assert 0.5 < rows[mlp]["test_accuracy"] <= 1 and rows[mlp]["train_seconds"] > 0
    assert rows[failed]["status"] == "failed" and rows[failed]["test_accuracy"] is None and rows[failed]["error"]
    assert experiments.best(list(rows.values()))["run"] in (mlp, cnn)
    assert experiments.frontier(list(rows.values()))  # At least the fastest evaluated run.


def test_overlay_and_per_class_rows_come_from_the_histories(two_runs):
    root, (mlp, cnn), _ = two_runs
    by_epoch = experiments.overlay([mlp, cnn], "accuracy", "epoch", root)
    history = runs.get(mlp, root).history()["history"]
    mine = [r["value"] for r in by_epoch if r["run"] == mlp and r["series"] == "train"]
    assert mine == history["accuracy"] and {r["x"] for r in by_epoch if r["run"] == mlp} == {1, 2}
    by_step = experiments.overlay([mlp], "loss", "step", root)
    assert [r["x"] for r in by_step] == sorted(r["x"] for r in by_step) and by_step[-1]["x"] == history["step"][-1]
    per_class = experiments.per_class([mlp, cnn], root)
    assert len(per_class) == 20
    assert [r["accuracy"] for r in per_class if r["run"] == cnn] == pytest.approx(
        runs.get(cnn, root).evaluation()["per_class_accuracy"]
    )
    with pytest.raises(ValueError):
        experiments.overlay([mlp], "speed", "step", root)


def test_a_runs_model_is_rebuilt_from_its_weights_and_a_failed_run_has_none(two_runs, dataset):
    root, (mlp, _), failed = two_runs
    model = experiments.load_model(mlp, root)
    from fmnist.evaluation import evaluate

    assert evaluate(model, dataset.test_images, dataset.test_labels).accuracy == pytest.approx(
        runs.get(mlp, root).evaluation()["accuracy"]
    )
    with pytest.raises(experiments.ExperimentsError, match="no trained weights"):
        experiments.load_model(failed, root)
    with pytest.raises(runs.NoSuchRun):
        experiments.load_model("../../etc/passwd", root)


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


def test_deleting_a_run_removes_it_and_an_active_run_is_kept(tmp_path, dataset):
    run = runs.create(TrainConfig(epochs=1, limit=300).resolved(), "cli", tmp_path)
    with pytest.raises(experiments.ExperimentsError, match="still queued"):
        experiments.delete(run.id, tmp_path)
    execute(run, Control(), dataset=dataset)
    experiments.delete(run.id, tmp_path)
    assert experiments.table(tmp_path) == []
    with pytest.raises(runs.NoSuchRun):
        experiments.delete(run.id, tmp_path)


def test_the_runs_page_compares_selected_runs_and_shows_code(two_runs, monkeypatch):
    root, (mlp, _cnn), _ = two_runs
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(root))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    app.switch_page("pages/runs.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert [frame for frame in app.dataframe]  # The table of runs.
    assert any("test_accuracy" in chart.proto.spec for chart in app.get("vega_lite_chart"))  # The scatter.
    # Selecting rows is done in the browser; here the selection state is set as the browser would.
    rows = [row["run"] for row in experiments.table(root)]
    app.session_state["runs_table_0"] = {"selection": {"rows": [rows.index(mlp)], "columns": [], "cells": []}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("EPOCHS = 2" in code.value for code in app.code)


def test_the_runs_page_deletes_a_run_after_confirmation(tmp_path, dataset, monkeypatch):
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(tmp_path))
    kept, doomed = (runs.create(TrainConfig(epochs=1, limit=300, seed=s).resolved(), "cli", tmp_path) for s in (1, 2))
    for run in (kept, doomed):
        execute(run, Control(), dataset=dataset)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    app.switch_page("pages/runs.py").run()
    rows = [row["run"] for row in experiments.table(tmp_path)]
    app.session_state["runs_table_0"] = {"selection": {"rows": [rows.index(doomed.id)], "columns": [], "cells": []}}
    app.run()
    app.button(key=f"delete_{doomed.id}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert [row["run"] for row in experiments.table(tmp_path)] == [kept.id]
    assert not app.code  # The selection was reset with the table: no run is shown any more.


def test_the_tutorial_baseline_is_a_measured_figure():
    baseline = experiments.tutorial_baseline()
    assert baseline["command"] == "python -m fmnist.tutorial"
    assert 0.85 < baseline["test_accuracy"] < 0.9 and baseline["train_seconds"] > 0


def test_every_run_writes_tensorboard_scalars_per_step_and_per_epoch(two_runs):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    root, (mlp, _), _ = two_runs
    events = EventAccumulator(str(root / mlp / runs.TENSORBOARD / "train")).Reload()
    tags = set(events.Tags()["tensors"]) | set(events.Tags()["scalars"])
    assert {"epoch_loss", "epoch_accuracy", "batch_loss"} <= tags, tags
    history = runs.get(mlp, root).history()["history"]
    epochs = events.Tensors("epoch_loss")
    assert [e.step for e in epochs] == [0, 1]
    from tensorboard.util.tensor_util import make_ndarray

    assert [float(make_ndarray(e.tensor_proto)) for e in epochs] == pytest.approx(history["loss"], rel=1e-5)
