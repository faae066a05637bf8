"""Smoke runs of the measurement tools, so that none of them rots: each runs with its smallest options and must
exit cleanly and print the lines or keys its reader looks for. No figure is checked: they are for people.

`python -m fmnist bench NAME` runs in-process measurements (fmnist/bench/); `python -m scripts.X` drives a real
server in Chromium (scripts/), so those are browser tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fmnist.bench import shop_photos
from fmnist.cli import bench

ROOT = Path(__file__).resolve().parents[1]


def run_tool(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """`python ARGS` from the repository's root, as a person runs the tools."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=timeout)


def bench_tool(*args: str) -> subprocess.CompletedProcess:
    result = run_tool("-m", "fmnist", "bench", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def last_json(result: subprocess.CompletedProcess) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_bench_help_lists_every_named_measurement():
    result = run_tool("-m", "fmnist", "bench", "--help")
    assert result.returncode == 0
    for name in bench.NAMED:
        assert f"    {name} " in result.stdout
        assert run_tool("-m", "fmnist", "bench", name, "--help").returncode == 0


def test_a_named_measurement_refuses_the_speed_options():
    result = run_tool("-m", "fmnist", "bench", "--quick", "predict")
    assert result.returncode != 0 and "--quick" in result.stderr and "Traceback" not in result.stderr
    result = run_tool("-m", "fmnist", "bench", "epoch-cost", "--model", "mlp", "--limit", "5")
    assert result.returncode != 0 and "between 10 and 60000" in result.stderr and "Traceback" not in result.stderr


def test_bench_predict_times_each_way():
    lines = bench_tool("predict", "--repeats", "2").stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "predict_one (pass on its long-lived thread), from fresh threads",
        "the compiled pass in each fresh thread",
        "the compiled pass, always from the same thread",
    ]
    assert all("ms wall" in line and "ms CPU" in line for line in lines)


def test_bench_upload_memory_measures_a_case_beside_the_baseline():
    lines = bench_tool("upload-memory", "--only", "BMP").stdout.strip().splitlines()
    assert lines[0].split() == ["upload", "file", "MB", "peak", "MiB", "delta", "MiB", "outcome"]
    assert lines[1].startswith("baseline 28x28 PNG") and lines[1].endswith("ok, thumbnail 28x28")
    assert lines[2].startswith("BMP RGB") and "ok, thumbnail" in lines[2]
    assert lines[3].startswith("worst delta over the 28x28 baseline:") and len(lines) == 4


def test_the_upload_memory_child_needs_a_file():
    result = run_tool("-m", "fmnist.bench.upload_memory")
    assert result.returncode != 0 and "--child FILE" in result.stderr


@pytest.mark.slow  # Computes the features of all 60,000 training images.
def test_bench_inspect_times_every_view_and_map():
    out = bench_tool("inspect", "--repeats", "1", "--methods", "pca").stdout
    assert "default: first explain (tracing)" in out
    for part in ("activations", "saliency", "occlusion", "grad_cam", "all views"):
        assert f"  {part} " in out
    assert "map pixels pca" in out and "map hidden pca" in out and "tsne" not in out
    assert "training features (60,000 images)" in out


@pytest.mark.slow
def test_bench_epoch_cost_reports_each_epoch():
    report = last_json(bench_tool("epoch-cost", "--model", "mlp", "--epochs", "2", "--limit", "1000"))
    assert report["config"]["model"] == "mlp" and report["config"]["limit"] == 1000
    assert len(report["epochs"]) == 2 and set(report["epochs"][0]) == {"wall_s", "cpu_s"}
    assert report["parameters"] == 102154 and 0 <= report["test_accuracy"] <= 1


@pytest.mark.slow
def test_bench_augmentation_scores_both_ways():
    result = bench_tool("augmentation", "--epochs", "1", "--limit", "1000", "--photos", "10")
    report = last_json(result)
    assert [r["augment"] for r in report["results"]] == [False, True]
    for row in report["results"]:
        assert set(row["shop_photos"]) == set(shop_photos.SHOP_FORMATS) and 0 <= row["test_accuracy"] <= 1
    assert result.stdout.count("mlp augment=") == 2


def test_shop_photo_accuracy_is_a_pair_of_fractions(dataset):
    class Uniform:  # A stand-in model: the same probabilities for every image, so class 0 is always chosen.
        def __call__(self, images):
            return np.tile([1.0] + [0.0] * 9, (len(images), 1))

    on_photos, on_originals = shop_photos.accuracy(Uniform(), dataset, "PNG", count=50, seed=1)
    assert on_photos == on_originals  # Both are the share of class 0 among the same 50 images.
    assert 0 <= on_photos <= 1


# The browser tools: each starts its own server (temporary FMNIST_* folders) and drives it in Chromium.


@pytest.fixture
def chromium():
    from tests.e2e.server_support import CHROMIUM, MISSING_CHROMIUM

    if not os.path.exists(CHROMIUM):
        pytest.fail(MISSING_CHROMIUM, pytrace=False)


def browser_tool(name: str, *args: str) -> str:
    result = run_tool("-m", f"scripts.{name}", *args)
    assert result.returncode == 0, result.stdout[-2000:] + failure_of(result.stderr)
    return result.stdout


def failure_of(stderr: str) -> str:
    """The last traceback of a tool's stderr, without Playwright's page snapshot (long, and it hid the error)."""
    last = stderr[stderr.rfind("Traceback") :] if "Traceback" in stderr else stderr
    return last.split("Aria snapshot:")[0][-4000:]


@pytest.mark.e2e
def test_stroke_latency(chromium):
    out = browser_tool("stroke_latency", "--strokes", "2")
    assert "base -> " in out and "stroke -> prediction: n=2 mouse-up -> prediction p50=" in out and "server CPU" in out


@pytest.mark.e2e
def test_stroke_latency_live(chromium):
    out = browser_tool("stroke_latency", "--live", "--strokes", "2")
    assert "live: n=2 pointer move -> prediction of that drawing (button still down) p50=" in out and "server CPU" in out


@pytest.mark.e2e
def test_first_loads(chromium):
    out = browser_tool("first_loads", "--visitors", "3")
    assert "3 of 3 first visits to /predict came up without an exception" in out


@pytest.mark.e2e
@pytest.mark.slow
def test_class_load_live(chromium):
    out = browser_tool("class_load", "--live", "--seconds", "2", "--drawers", "1")
    assert "1 drawers drawing live, 2 s: n=" in out and "errors: 0" in out and "server CPU" in out


@pytest.mark.e2e
@pytest.mark.slow
def test_class_load(chromium):
    out = browser_tool("class_load", "--seconds", "2", "--drawers", "1")
    assert "1 drawers and 1 training, 2 s: n=" in out and "errors: 0" in out and "server CPU" in out


@pytest.mark.e2e
@pytest.mark.slow
def test_class_simulation(chromium):
    out = browser_tool("class_simulation", "--learners", "3", "--drawers", "1", "--backend", "local", "--spread", "1",
                       "--seconds", "5")  # fmt: skip
    report = json.loads(out.strip().splitlines()[-1])["local"]
    assert set(report) == {"learners", "drawers", "max_trainings", "max_runs_per_learner", "submitted", "submitted_in_s",
                           "submit_refused", "statuses", "queued_to_started_s", "submit_to_ended_s", "lost",
                           "folders_kept", "foreign", "strokes", "rss_mib", "load"}  # fmt: skip
    assert report["submitted"] == 3 and report["lost"] == 0 and report["statuses"] == {"finished": 3}
    assert report["folders_kept"] == 3 and not report["submit_refused"]
    # Stop, Cancel and Delete by another learner while each run is live, and Delete again once it has ended.
    assert report["foreign"] == {"attempts": 12, "refused": 12, "not_refused": []}
    assert set(report["rss_mib"]["before"]) == set(report["rss_mib"]["after"]) == {"job_manager_process", "streamlit_server"}
    assert set(report["strokes"]) == {"n", "p50_ms", "p95_ms", "errors", "error_examples"}
    assert "[local] another learner's Stop / Cancel / Delete: refused 12 of 12" in out


@pytest.mark.e2e
@pytest.mark.slow
def test_server_memory(chromium):
    out = browser_tool("server_memory", "--predictions", "2", "--trainings", "1")
    assert "server RSS over 2 predictions (every 50): " in out and "server RSS over 1 MLP trainings" in out


@pytest.mark.e2e
@pytest.mark.slow
def test_train_page_load(chromium):
    out = browser_tool("train_page_load", "--seconds", "2")
    assert "1 watching Train page(s), CNN training: server CPU" in out


@pytest.mark.e2e
@pytest.mark.slow
def test_measure_runs(chromium):
    figures = json.loads(browser_tool("measure_runs", "1").strip().splitlines()[-1])
    assert len(figures["rss_series_mib"]) == 2
    assert set(figures["predict_in_browser_s"]) == {"idle_p50", "training_p50", "ratio"}
    assert set(figures["reload_to_charts_s"]) == {"median", "max"}


@pytest.mark.e2e
@pytest.mark.slow
def test_runs_page_load(chromium):
    out = browser_tool("runs_page_load", "--runs", "4", "--loads", "2")
    report = json.loads(out.strip().splitlines()[-1])
    assert report["runs"] == 4 and report["sources"] == 3
    kinds = ("empty", "plain", "baseline", "again", "sidebar")
    assert set(report) == {"runs", "sources", *kinds}
    assert all(report[kind]["n"] == 1 and report[kind]["median_s"] > 0 for kind in kinds)
    assert "/runs with 4 runs, baseline: first " in out
    assert "/runs with 4 runs, sidebar: first " in out
