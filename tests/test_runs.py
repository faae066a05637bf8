"""Run records on disk (fmnist.runs.store) and runs started from the command line: recorded the same way,
`train --json` names its run, Ctrl-C stops and keeps the weights, and a failure keeps its traceback."""

import errno
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from fmnist import atomic
from fmnist.model.config import TrainConfig
from fmnist.model.history import Control
from fmnist.runs import store
from fmnist.runs.worker import execute

DEADLINE = 180


def cli(*args, env):
    return subprocess.Popen([sys.executable, "-m", "fmnist", "train", *args], env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_run_ids_are_strict_and_nothing_outside_the_folder_is_read(tmp_path):
    run_id = store.new_run_id()
    assert store.is_run_id(run_id)
    (tmp_path / "runs").mkdir()
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "status.json").write_text("{}")
    for forged in ("../secret", "..", ".", "/etc", run_id + "/../../secret", run_id.upper(), " " + run_id, None, 7):
        with pytest.raises(store.NoSuchRun):
            store.get(forged, tmp_path / "runs")
    with pytest.raises(store.NoSuchRun):
        store.get(run_id, tmp_path / "runs")  # Well formed, but unknown.


def test_a_full_disk_is_a_clear_message_and_no_run_is_listed(tmp_path, monkeypatch):
    def full(path, value):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "write_json", full)
    with pytest.raises(store.RunsError, match="The disk is full"):
        store.create(TrainConfig().resolved(), "page", tmp_path)
    assert store.list_runs(tmp_path) == []


def test_a_failing_run_records_one_line_and_logs_the_whole_traceback(tmp_path, dataset, caplog):
    run = store.create(TrainConfig(epochs=1, limit=300).resolved(), "cli", tmp_path)
    run.write("config.json", {**run.read("config.json"), "optimizer": "adma"})
    events = []
    status, model, _evaluation = execute(run, Control(), events.append, dataset)
    assert status["status"] == "failed" and status["error"].startswith('Unknown optimizer "adma"')
    assert run.status()["status"] == "failed" and model is None and not run.has_weights()
    assert events[-1] == {"type": "end", "status": "failed", "error": status["error"]}
    assert "Traceback (most recent call last)" in caplog.text and "Unknown optimizer" in caplog.text


@pytest.mark.slow
def test_train_json_names_its_run_which_is_recorded_in_full(tmp_path):
    root = tmp_path / "runs"
    process = cli("--epochs", "1", "--limit", "600", "--json", env={"FMNIST_RUNS_DIR": str(root)})
    out, err = process.communicate(timeout=DEADLINE)
    assert process.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    run = store.get(summary["run"], root)
    assert run.status()["status"] == "finished" and run.status()["source"] == "cli"
    assert run.has_weights() and run.evaluation()["accuracy"] == summary["test_accuracy"]
    assert run.history()["history"]["epoch"] == [1]


@pytest.mark.slow
def test_ctrl_c_stops_the_command_line_run_and_keeps_its_weights(tmp_path):
    root = tmp_path / "runs"
    process = cli("--epochs", "200", "--limit", "6000", "--batch-size", "32", "--json", env={"FMNIST_RUNS_DIR": str(root)})
    try:
        deadline = time.monotonic() + DEADLINE
        # The history file appears once the run has trained for a moment.
        while not list(root.glob("*/history.json")) and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read()
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=DEADLINE)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "stopping; the weights learned so far are kept" in err
    summary = json.loads(out.strip().splitlines()[-1])
    run = store.get(summary["run"], root)
    assert summary["status"] == "stopped" and run.status()["status"] == "stopped" and run.has_weights()
    assert 1 <= summary["epochs_run"] < 200 and summary["epochs_run"] == len(run.history()["history"]["epoch"])
