"""The Train page's per-epoch view (pages/train_epochs.py) with AppTest: the live grid of a training run,
the replay slider of an ended one, and a short caption for a run without records."""

import subprocess
import sys
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from fmnist.charts import figures
from fmnist.data import fashion_mnist
from fmnist.model.config import TrainConfig
from fmnist.runs import epoch_records, store
from tests.page_support import ENTRY, TIMEOUT, open_page, texts

pytestmark = pytest.mark.usefixtures("fresh_job_manager")


def recorded_run(status: str, epochs: int | None, **changes) -> store.Run:
    """A run on disk as a worker leaves it, with `epochs` made-up records (None: no epochs.json)."""
    run = store.create(TrainConfig(model="mlp", epochs=3, limit=600).resolved(), "page")
    run.update_status(status=status, **changes)
    labels = fashion_mnist.load().test_labels
    records = []
    for epoch in range(1, (epochs or 0) + 1):
        # After epoch e, the first 8 * e probe images are right (guessed with 90 %), the others wrong.
        guesses = np.where(np.arange(25) < 8 * epoch, labels[:25], (labels[:25] + 1) % 10)
        probabilities = np.full((25, 10), 0.1 / 9)
        probabilities[np.arange(25), guesses] = 0.9
        confusion = np.diag(np.full(10, 10 * epoch)) + (3 - epoch)  # 300 images, 90 * epoch + 30 right.
        records.append({"epoch": epoch, "probe_probabilities": probabilities.round(4).tolist(), "confusion": confusion.tolist()})
    if epochs is not None:
        run.write(epoch_records.FILE, epoch_records.document(range(25), labels[:25], "validation", records))
    return run


def open_run(run: store.Run) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    app.query_params["run"] = run.id
    app.run()
    return open_page(app, "train")


def test_an_ended_run_replays_its_epochs_with_the_slider():
    run = recorded_run("finished", epochs=3, ended=time.time(), train_seconds=4.0)
    app = open_run(run)
    slider = app.slider(key=f"replay_epoch_{run.id}")
    assert (slider.min, slider.max, slider.value) == (1, 3, 3)
    assert "after epoch 3 of 3: 24 of 25 right" in texts(app.caption)
    assert "Confusion matrix on the 300 validation images" in texts(app.markdown)
    [accuracy] = [metric for metric in app.metric if metric.label == "Accuracy on these images"]
    assert accuracy.value == "100.00%" and accuracy.delta == "+30.00%"  # 300 of 300, after 210 of 300.

    slider.set_value(1).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "after epoch 1 of 3: 8 of 25 right" in texts(app.caption)
    assert "after epoch 3" not in texts(app.caption)
    [accuracy] = [metric for metric in app.metric if metric.label == "Accuracy on these images"]
    assert accuracy.value == "40.00%" and not accuracy.delta  # 120 of 300, the first epoch.


def test_the_replay_speaks_chinese():
    run = recorded_run("stopped", epochs=2, ended=time.time())
    app = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    app.session_state["language"] = "zh"  # What the sidebar's radio keeps for the session.
    app.query_params["run"] = run.id
    app.run()
    open_page(app, "train")
    assert "回放：模型是怎样学会的" in texts(app.subheader)
    assert "第 2/2 轮之后的前 25 张测试图片：25 张中 16 张正确" in texts(app.caption)


def test_a_training_run_shows_its_latest_epoch_live():
    # A live run of another process: a sleeping child of this test stands in for its training process. (Not a real
    # process of someone else's: clean-ups that stop runs left active would send it SIGTERM.)
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    run = recorded_run("running", epochs=2, pid=stand_in.pid, started=time.time())
    try:
        app = open_run(run)
        assert "What it predicts now" in texts(app.subheader)
        assert "After epoch 2: the model's guess" in texts(app.caption) and "(16 of 25 right)" in texts(app.caption)
        assert "Replay: how it learned" not in texts(app.subheader)
        assert all(slider.key.startswith("train_") and "epoch" not in slider.key for slider in app.slider)  # The form's.
    finally:
        stand_in.kill()
        stand_in.wait()
        run.update_status(status="stopped", ended=time.time())


def test_sessions_that_watch_one_run_share_its_grid(monkeypatch):
    """The live grid is drawn once per run, epoch and language, however many sessions watch (a class)."""
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    run = recorded_run("running", epochs=2, pid=stand_in.pid, started=time.time())
    drawn, draw = [], figures.probe_grid
    monkeypatch.setattr(figures, "probe_grid", lambda *args, **kwargs: drawn.append(args[1]) or draw(*args, **kwargs))
    try:
        for _ in range(3):
            assert "(16 of 25 right)" in texts(open_run(run).caption)
        assert len(drawn) == 1
        chinese = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
        chinese.session_state["language"] = "zh"
        chinese.query_params["run"] = run.id
        chinese.run()
        open_page(chinese, "train")
        assert len(drawn) == 2 and not chinese.exception  # Its labels are Chinese: a picture of its own.
    finally:
        stand_in.kill()
        stand_in.wait()
        run.update_status(status="stopped", ended=time.time())


@pytest.mark.parametrize("content", [None, "{damaged"])
def test_a_run_without_records_says_so_without_an_error(content):
    run = recorded_run("finished", epochs=None, ended=time.time())
    if content is not None:
        (run.path / epoch_records.FILE).write_text(content)
    app = open_run(run)
    assert "This run has no per-epoch records" in texts(app.caption)
    assert not app.error and not app.exception
