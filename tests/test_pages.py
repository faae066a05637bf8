"""Page tests with Streamlit's AppTest: every page runs, and the main flows work end to end."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from fmnist import preprocess, training

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
# AppTest forgets before every run that app.py calls st.navigation, sees the folder pages/ and runs the
# current page alone as a legacy multipage app (no app.py, so no sidebar). A server remembers it for
# good after the first run (see pages/common.py); this makes AppTest do the same.
NAVIGATION_ONLY = """
from streamlit.runtime.pages_manager import PagesManager
_init = PagesManager.__init__
def _init_without_pages_folder(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False
PagesManager.__init__ = _init_without_pages_folder
"""


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch):
    init = PagesManager.__init__

    def init_without_pages_folder(self, *args, **kwargs):
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_without_pages_folder)


@pytest.fixture
def app(model_dir):
    """The app, run once, with saved models going to a temporary folder."""
    return AppTest.from_file(ROOT / "app.py", default_timeout=TIMEOUT).run()


def open_page(app: AppTest, name: str) -> AppTest:
    app.switch_page(f"pages/{name}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def wait_for_job(app: AppTest, timeout: float = TIMEOUT):
    """Rerun the page until this session's training job is done, as the live fragment would."""
    job = app.session_state["job"]
    deadline = time.monotonic() + timeout
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.3)
        app.run()
    assert job.done, f"training still {job.status} after {timeout} s"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return job


def test_home_shows_dataset_default_model_and_links(app):
    assert not app.exception
    assert app.title[0].value == "Fashion-MNIST Studio"
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Training images"] == "60,000" and metrics["Test images"] == "10,000"
    assert metrics["Architecture"] == "CNN" and metrics["Test accuracy"].endswith("%")
    assert "checksums verified" in texts(app.caption)


def test_browse_shows_facts_grid_detail_and_means(app):
    open_page(app, "browse")
    assert len(app.dataframe) == 2  # The facts and the label table.
    assert "Images 0 to 24" in texts(app.caption)
    assert len(app.image) == 4  # The grid, before and after scaling, and the mean images.
    assert "Ankle boot · 短靴" in texts(app.markdown)  # train_images[0], as in the tutorial.
    app.multiselect(key="browse_classes").set_value([8]).run()
    app.radio(key="browse_split").set_value("test").run()
    assert app.number_input(key="browse_page").label == "Page (of 40)"
    app.toggle(key="show_pixels").set_value(True).run()
    assert len(app.dataframe) == 3 and not app.exception


def test_browse_never_imports_tensorflow():
    script = NAVIGATION_ONLY + textwrap.dedent(
        f"""
        import sys
        from streamlit.testing.v1 import AppTest
        app = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=60).run()
        app.switch_page("pages/browse.py").run()
        assert not app.exception, [e.value for e in app.exception]
        print("tensorflow" in sys.modules, "keras" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-2:] == ["False", "False"]


def test_language_switch_changes_labels_and_class_names(app):
    app.sidebar.radio(key="language").set_value("zh").run()
    assert app.sidebar.radio(key="language").value == "zh"
    open_page(app, "browse")
    assert app.title[0].value == "浏览数据"
    assert "短靴" in app.multiselect(key="browse_classes").options


def test_tiny_training_finishes_and_shows_the_evaluation(app, model_dir):
    open_page(app, "train")
    app.number_input(key="train_epochs").set_value(1)
    app.number_input(key="train_limit").set_value(300)
    app.button[0].click().run()
    job = wait_for_job(app)
    assert job.status == "finished", job.error
    assert "Training finished" in texts(app.success)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Epochs run"] == "1" and metrics["Test accuracy"].endswith("%")
    assert app.get_by_key("mistakes_only") is not None

    app.text_input[0].input("tiny-mlp")
    app.button[-1].click().run()
    assert "Saved as “tiny-mlp”" in texts(app.success)
    assert (model_dir / "tiny-mlp.keras").is_file()
    app.button[-1].click().run()  # The same name again.
    assert "already exists" in texts(app.error)

    # This session's model is offered on the Predict page, and only in this session.
    open_page(app, "predict")
    assert app.selectbox(key="predict_model").options[-1] == "This session's model (unsaved)"
    other = AppTest.from_file(ROOT / "app.py", default_timeout=TIMEOUT).run()
    open_page(other, "predict")
    assert "This session's model (unsaved)" not in other.selectbox(key="predict_model").options
    assert any(option.startswith("tiny-mlp") for option in other.selectbox(key="predict_model").options)


def test_stop_keeps_the_partly_trained_model(app):
    open_page(app, "train")
    app.number_input(key="train_epochs").set_value(5)
    app.button[0].click().run()
    job = app.session_state["job"]
    deadline = time.monotonic() + TIMEOUT
    while not job.snapshot().history["step"] and time.monotonic() < deadline:
        time.sleep(0.1)
    app.run()
    [stop] = [button for button in app.button if button.label == "Stop"]
    stop.click().run()
    stopped_by = time.monotonic() + 2
    while not job.done and time.monotonic() < stopped_by:
        time.sleep(0.1)
    assert job.status == "stopped"
    app.run()
    assert "Training was stopped" in texts(app.warning)
    assert job.model is not None and any(metric.label == "Test accuracy" for metric in app.metric)


def test_busy_trainer_and_failed_training_are_messages(app, monkeypatch):
    open_page(app, "train")

    def busy(self):
        raise training.TrainerBusy("The trainer is busy: another training is running on this server.")

    monkeypatch.setattr(training.TrainingJob, "start", busy)
    app.button[0].click().run()
    assert "busy" in texts(app.warning)
    monkeypatch.undo()

    def fail(self):
        raise ValueError("Something went wrong in the test.")

    monkeypatch.setattr(training.TrainingJob, "_train", fail)
    app.button[0].click().run()
    job = wait_for_job(app, timeout=10)
    assert job.status == "failed"
    assert "Something went wrong in the test." in texts(app.error)
    assert not app.button[0].disabled  # The form can start another run.


def test_predict_test_sample_shows_the_right_class(app):
    open_page(app, "predict")
    app.radio(key="source").set_value("Test sample").run()
    app.number_input(key="sample_index").set_value(2).run()  # test_images[2] is a trouser.
    assert not app.exception
    prediction = texts(app.get_by_key("prediction").markdown)
    assert "Trouser · 裤子" in prediction and ":blue[" in prediction
    assert "True class: Trouser" in [caption for image in app.image for caption in image.captions]


def test_predict_draw_starts_empty_and_upload_handles_good_and_bad_files(app):
    open_page(app, "predict")
    assert "Draw something" in texts(app.info)
    app.radio(key="source").set_value("Upload").run()
    app.button(key="example_bag").click().run()
    assert "Bag · 包" in texts(app.get_by_key("prediction").markdown)
    app.file_uploader[0].set_value(("notes.png", b"this is not a picture", "image/png")).run()
    assert not app.exception
    assert preprocess.NOT_A_PICTURE in texts(app.error)
