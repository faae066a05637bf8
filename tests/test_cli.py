import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from fmnist.cli import main
from fmnist.model import config


def run_cli(*args, env=None):
    """Run `python -m fmnist` in a subprocess, as a user would."""
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    return subprocess.run([sys.executable, "-m", "fmnist", *args], capture_output=True, text=True, env=full_env, timeout=300)


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def test_info_json(capsys):
    assert main(["info", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["verified"] is True
    assert report["train"]["shape"] == [60000, 28, 28] and report["test"]["class_counts"] == [1000] * 10


def test_info_text_shows_the_label_table(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "Ankle boot" in out and "短靴" in out and "verified" in out


@pytest.mark.parametrize("command", ["info", "train", "evaluate", "predict", "bench"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_train_help_names_each_models_defaults(capsys, monkeypatch):
    # The help is built from config.DEFAULTS, so it cannot go stale when a default changes.
    def help_text():
        with pytest.raises(SystemExit):
            main(["train", "--help"])
        return " ".join(capsys.readouterr().out.split())  # Unwrapped.

    text = help_text()
    assert "(default: the model's, onecycle for the MLP, onecycle for the CNN; the tutorial: constant)" in text
    assert "(default: 0 for the MLP, 0 for the CNN)" in text
    monkeypatch.setitem(config.DEFAULTS["mlp"], "schedule", "cosine")
    monkeypatch.setitem(config.DEFAULTS["mlp"], "validation_split", 0.1)
    monkeypatch.setitem(config.DEFAULTS["cnn"], "validation_split", 0.2)
    text = help_text()
    assert "cosine for the MLP, onecycle for the CNN" in text and "0.1 for the MLP, 0.2 for the CNN" in text


@pytest.mark.slow
def test_train_saves_into_the_registry(model_dir):
    result = run_cli(
        "train",
        "--model",
        "mlp",
        "--epochs",
        "1",
        "--limit",
        "2000",
        "--name",
        "cli-mlp",
        "--json",
        env={"FMNIST_MODEL_DIR": str(model_dir)},
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(summary) >= {"model", "epochs_run", "train_seconds", "test_accuracy", "test_loss", "path"}
    assert summary["model"] == "mlp" and summary["epochs_run"] == 1 and 0.5 < summary["test_accuracy"] <= 1
    metadata = json.loads((model_dir / "cli-mlp.json").read_text())
    assert metadata["metrics"]["test_accuracy"] == summary["test_accuracy"]
    assert metadata["command"].startswith("python -m fmnist train --model mlp")
    assert metadata["config"]["limit"] == 2000

    evaluated = run_cli("evaluate", "--model", "cli-mlp", "--json", env={"FMNIST_MODEL_DIR": str(model_dir)})
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert report["accuracy"] == pytest.approx(summary["test_accuracy"])
    assert np.array(report["confusion_matrix"]).sum() == 10000


# Runs the command line in a child process, then prints on a last line whether TensorFlow was imported.
TF_PROBE = (
    "import sys, json\n"
    "from fmnist.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(json.dumps({'code': code, 'tensorflow': 'tensorflow' in sys.modules, 'keras': 'keras' in sys.modules}))\n"
)


def run_and_check_imports(*args):
    """Run `main(args)` in a fresh interpreter; return (its result, whether TensorFlow/Keras got imported)."""
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", TF_PROBE, *args], capture_output=True, text=True, env=full_env, timeout=300)
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def test_train_refuses_bad_settings_without_a_traceback_or_tensorflow():
    for args in (["--epochs", "0"], ["--name", "../x"], ["--learning-rate", "-1"], ["--limit", "3"]):
        result, probe = run_and_check_imports("train", *args)
        assert probe["code"] == 2
        assert result.stderr.strip().splitlines()[-1].startswith("error: ") and "Traceback" not in result.stderr
        # Settings are checked before TensorFlow loads.
        assert probe["tensorflow"] is False and probe["keras"] is False


def test_info_never_imports_tensorflow():
    result, probe = run_and_check_imports("info", "--json")
    assert probe["code"] == 0, result.stderr
    assert probe["tensorflow"] is False and probe["keras"] is False


def test_evaluate_unknown_model():
    result = run_cli("evaluate", "--model", "no-such-model")
    assert result.returncode == 2 and "no saved model" in result.stderr and "Traceback" not in result.stderr


def test_predict_tries_every_file_and_reports_each(tmp_path, dataset):
    good = []
    for index in (0, 1, 2):
        path = tmp_path / f"test{index}.png"
        path.write_bytes(png_bytes(dataset.test_images[index]))
        good.append(path)
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "page.png").write_text("<html><body>not a picture</body></html>")
    (tmp_path / "folder").mkdir()
    bad = [tmp_path / "empty.png", tmp_path / "page.png", tmp_path / "missing.png", tmp_path / "folder"]
    files = [str(p) for p in [good[0], *bad, good[1], good[2]]]
    result = run_cli("predict", "--json", *files)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    records = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["file"] for r in records] == files
    for record, index in zip([records[0], records[5], records[6]], (0, 1, 2)):
        assert record["class_id"] == int(dataset.test_labels[index])
        assert record["class_name"] and len(record["probabilities"]) == 10
        assert sum(record["probabilities"]) == pytest.approx(1, abs=1e-4)
    for record in records[1:5]:
        assert set(record) == {"file", "error"} and record["error"]
        assert "Errno" not in record["error"] and "Error(" not in record["error"]


def test_predict_all_good_exits_zero(tmp_path, dataset):
    path = tmp_path / "boot.png"
    path.write_bytes(png_bytes(dataset.test_images[0]))
    result = run_cli("predict", str(path))
    assert result.returncode == 0, result.stderr
    assert "Ankle boot" in result.stdout


@pytest.mark.slow
def test_bench_quick_reports_every_figure_with_its_baseline():
    result = run_cli("bench", "--quick", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("p50", "p99"):
        assert report["predict_one_ms"][key] > 0 and report["baseline_predict_one_ms"][key] > 0
    assert set(report["train_samples_per_s"]) == {"mlp", "cnn"}
    assert report["baseline_train_samples_per_s"] > 0
    assert report["data_load_s"]["cold"] > 0 and report["data_load_s"]["warm"] > 0
    assert report["peak_memory_mb"] > 0 and "cores" in report["machine"]


def test_the_frontier_recipes_are_valid_and_counted_and_an_unknown_one_is_refused():
    from fmnist.bench import recipes

    assert recipes.parameters(recipes.options("mlp")) == 102154
    assert recipes.parameters(["--model", "mlp", "--no-batch-norm"]) == 101770
    for name in recipes.FRONTIER:
        assert recipes.parameters(recipes.options(name)) > 0
    result = run_cli("bench", "--frontier", "cnn-huge")
    assert result.returncode != 0 and "unknown recipe 'cnn-huge'" in result.stderr


def test_whole_process_returns_the_wall_time_and_the_last_json_line(tmp_path):
    from fmnist.bench import recipes

    script = tmp_path / "recipe.py"
    script.write_text('print("noise")\nprint(\'{"test_accuracy": 0.5}\')\n')
    figures = recipes.whole_process([str(script)])
    assert figures["test_accuracy"] == 0.5 and figures["wall_seconds"] > 0


def test_the_frontier_trains_each_recipe_with_the_seeds_asked_for(monkeypatch):
    from fmnist.bench import recipes

    commands = []

    def fake_process(command, env=None):  # Stands in for a whole training process: its figures depend on the seed.
        commands.append(command)
        seed = int(command[command.index("--seed") + 1]) if "--seed" in command else 0
        return {"wall_seconds": 10.0 + seed, "test_accuracy": 0.9 + seed / 100, "train_seconds": 5.0}

    monkeypatch.setattr(recipes, "whole_process", fake_process)
    results = recipes.measure(("cnn-fast", "mlp"), report=lambda line: None)
    assert [r["seed"] for r in results["cnn-fast"]["runs"]] == [0] and [r["seed"] for r in results["mlp"]["runs"]] == [0, 1, 2]
    results = recipes.measure(("cnn-fast",), seeds=(1, 3), report=lambda line: None)
    assert [r["seed"] for r in results["cnn-fast"]["runs"]] == [1, 3]
    assert results["cnn-fast"]["mean_test_accuracy"] == 0.92 and results["cnn-fast"]["ratio_to_tutorial"] == 1.2
    assert commands[-1][commands[-1].index("--preset") + 1] == "cnn-fast"


def test_bench_seeds_are_checked_and_go_with_the_frontier():
    result = run_cli("bench", "--frontier", "mlp", "--seeds", "1,x")
    assert result.returncode != 0 and "give 1 to 10 whole numbers from 0" in result.stderr
    result = run_cli("bench", "--seeds", "1")
    assert result.returncode != 0 and "give --frontier too" in result.stderr
