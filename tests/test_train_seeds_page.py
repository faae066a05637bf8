"""The Train page's "Repeat with 3 seeds": three runs queued as one group, and what a refusal leaves."""

import pytest
from streamlit.testing.v1 import AppTest

from fmnist.runs import groups, jobs, store
from tests.page_support import ENTRY, TIMEOUT, labelled, open_page, texts

pytestmark = pytest.mark.usefixtures("fresh_job_manager")


@pytest.fixture
def train_page(tmp_path, monkeypatch, model_dir):
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(tmp_path / "runs"))
    app = open_page(AppTest.from_file(ENTRY, default_timeout=TIMEOUT).run(), "train")
    app.number_input(key="train_epochs").set_value(1)
    app.number_input(key="train_limit").set_value(300)
    app.number_input(key="train_seed").set_value(5)
    app.checkbox(key="train_repeat_seeds").check().run()
    return app


def test_the_seeds_are_named_in_the_help(train_page):
    assert "with seeds 5, 6, 7" in train_page.checkbox(key="train_repeat_seeds").help


def test_a_refused_first_run_queues_nothing_and_says_why(train_page, monkeypatch):
    monkeypatch.setattr(jobs.get_manager(), "max_queue", 0)
    monkeypatch.setattr(jobs.get_manager(), "max_trainings", 0)
    labelled(train_page.button, "Start training").click().run()
    assert not train_page.exception, [e.value for e in train_page.exception]
    assert "The training queue is full" in texts(train_page.warning) and "run" not in train_page.query_params
    assert store.list_runs() == []


@pytest.mark.slow
def test_three_seeds_queue_as_one_group_and_a_later_refusal_keeps_the_first(train_page, monkeypatch):
    # One run trains and one waits: the third seed is refused, the two queued stay, and the page says so.
    monkeypatch.setattr(jobs.get_manager(), "max_trainings", 1)
    monkeypatch.setattr(jobs.get_manager(), "max_queue", 1)
    monkeypatch.setattr(jobs.get_manager(), "max_per_learner", 3)  # The queue refuses first, not the learner's limit.
    labelled(train_page.button, "Start training").click().run()
    assert not train_page.exception, [e.value for e in train_page.exception]
    runs = sorted(store.list_runs(), key=lambda run: run.config().seed)
    assert [run.config().seed for run in runs] == [5, 6]
    assert len({groups.read_group(run) for run in runs}) == 1 and groups.read_group(runs[0]) is not None
    assert "Queued 2 of 3 runs (seeds 5, 6); the rest were refused: The training queue is full" in texts(train_page.warning)
    assert train_page.query_params["run"] == runs[0].id
