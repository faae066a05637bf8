"""Page tests with Streamlit's AppTest: every page runs, and the main flows work end to end."""

import json
import subprocess
import sys
import textwrap

import pytest
from streamlit.testing.v1 import AppTest

from fmnist.data import preprocess
from fmnist.model.config import TrainConfig
from fmnist.runs import jobs, store
from fmnist.runs.owners import COMMAND_LINE
from tests.page_support import ENTRY, ROOT, TIMEOUT, attached_view, labelled, open_page, texts, wait_for_run

pytestmark = pytest.mark.usefixtures("fresh_job_manager")


@pytest.fixture
def app(model_dir):
    """The app, run once, with saved models going to a temporary folder."""
    return AppTest.from_file(ENTRY, default_timeout=TIMEOUT).run()


def start_tiny_run(app: AppTest, epochs: int = 1, images: int = 300):
    open_page(app, "train")
    app.number_input(key="train_epochs").set_value(epochs)
    app.number_input(key="train_limit").set_value(images)
    labelled(app.button, "Start training").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return attached_view(app)


def test_home_shows_dataset_default_model_and_links(app):
    assert not app.exception
    assert app.title[0].value == "Fashion-MNIST Studio"
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Training images"] == "60,000" and metrics["Test images"] == "10,000"
    assert metrics["Architecture"] == "CNN" and metrics["Test accuracy"].endswith("%")
    assert "checksums verified" in texts(app.caption)
    # A link to every other page of the navigation, each with its sentence.
    titles = [link.value.split("**")[1] for link in app.get("page_link")]
    assert titles == ["Browse the data", "Train a model", "Predict", "Inside the model", "Runs"]


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
    script = textwrap.dedent(
        f"""
        import sys
        from streamlit.testing.v1 import AppTest
        app = AppTest.from_file({str(ENTRY)!r}, default_timeout=60).run()
        app.switch_page("pages/browse.py").run()
        assert not app.exception, [e.value for e in app.exception]
        print("tensorflow" in sys.modules, "keras" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-2:] == ["False", "False"]


def test_language_switch_changes_labels_and_class_names(app):
    assert app.sidebar.radio(key="language").options == ["English", "中文"]
    chinese = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    chinese.session_state["language"] = "zh"  # What the sidebar's radio keeps for the session.
    chinese.run()
    assert chinese.sidebar.radio(key="language").value == "zh"
    assert chinese.sidebar.caption[0].value.startswith("TensorFlow 教程")
    browse = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    browse.session_state["language"] = "zh"
    browse.switch_page("pages/browse.py").run()
    assert browse.title[0].value == "浏览数据"
    assert "短靴" in browse.multiselect(key="browse_classes").options


@pytest.mark.slow
def test_tiny_training_finishes_and_shows_the_evaluation(app, model_dir):
    view = start_tiny_run(app)
    assert app.query_params["run"] and store.is_run_id(view.id)
    view = wait_for_run(app)
    assert view.status == "finished", view.error
    assert "Training finished" in texts(app.success)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Epochs run"] == "1" and metrics["Test accuracy"].endswith("%")
    assert app.get_by_key("mistakes_only") is not None

    [name_box] = [box for box in app.text_input if box.label == "Name"]
    name_box.input("tiny-mlp")
    labelled(app.button, "Save model").click().run()
    assert "Saved as “tiny-mlp”" in texts(app.success)
    assert (model_dir / "tiny-mlp.weights.npz").is_file()
    assert json.loads((model_dir / "tiny-mlp.json").read_text())["run"] == view.id
    labelled(app.button, "Save model").click().run()  # The same name again.
    assert "already exists" in texts(app.error)

    # This session's model is offered on the Predict page, and only in this session.
    open_page(app, "predict")
    assert app.selectbox(key="predict_model").options[-1] == "This session's model (unsaved)"
    app.selectbox(key="predict_model").set_value("__session__").run()
    app.radio(key="source").set_value("Test sample").run()
    assert not app.exception and " · " in texts(app.get_by_key("prediction").markdown)
    other = AppTest.from_file(ENTRY, default_timeout=TIMEOUT).run()
    open_page(other, "predict")
    assert "This session's model (unsaved)" not in other.selectbox(key="predict_model").options
    assert any(option.startswith("tiny-mlp") for option in other.selectbox(key="predict_model").options)


@pytest.mark.slow
def test_a_second_session_with_the_link_sees_the_run_and_its_model(app):
    view = start_tiny_run(app)
    wait_for_run(app)
    other = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    other.query_params["run"] = view.id
    other.run()
    open_page(other, "train")
    assert "Training finished" in texts(other.success)
    assert any(metric.label == "Test accuracy" for metric in other.metric)


@pytest.mark.slow
def test_stop_keeps_the_partly_trained_model(app):
    view = start_tiny_run(app, epochs=100, images=6000)
    wait_for_run(app, lambda view: view.history["step"])
    [stop] = [button for button in app.button if button.label == "Stop"]
    stop.click().run()
    view = wait_for_run(app)
    assert view.status == "stopped"
    assert "Training was stopped" in texts(app.warning)
    assert store.get(view.id).has_weights() and any(metric.label == "Test accuracy" for metric in app.metric)
    [start] = [button for button in app.button if button.label == "Start training"]
    assert not start.disabled  # The form can start another run.


@pytest.mark.slow
def test_a_queued_run_shows_its_position_and_can_be_cancelled(app, monkeypatch):
    first = jobs.get_manager().submit(TrainConfig(epochs=100, limit=6000))
    try:
        view = start_tiny_run(app)
        assert view.status == "queued" and view.position == 1
        assert "Queued: position 1, starts in about" in texts(app.info)
        [cancel] = [button for button in app.button if button.label == "Cancel"]
        cancel.click().run()
        app.run()
        assert attached_view(app).status == "cancelled"
        assert "cancelled before it started" in texts(app.info)
    finally:
        jobs.get_manager().stop(first, COMMAND_LINE)


def test_a_full_queue_a_bad_link_and_a_failed_run_are_messages(app, monkeypatch):
    monkeypatch.setattr(jobs.get_manager(), "max_queue", 0)
    monkeypatch.setattr(jobs.get_manager(), "max_trainings", 0)
    open_page(app, "train")
    labelled(app.button, "Start training").click().run()
    assert "The training queue is full" in texts(app.warning) and "run" not in app.query_params
    monkeypatch.undo()

    for forged in ("../../etc/passwd", "20991231-000000-00000000", "%2e%2e"):
        link = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
        link.query_params["run"] = forged
        link.run()
        open_page(link, "train")
        assert "No such run" in texts(link.error) and not link.exception

    failed = store.create(TrainConfig().resolved(), "page")
    failed.update_status(status="failed", error="Training ran out of memory. Try a smaller batch size.")
    link = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    link.query_params["run"] = failed.id
    link.run()
    open_page(link, "train")
    assert "Training ran out of memory" in texts(link.error)
    assert not labelled(link.button, "Start training").disabled  # The form can start another run.


def test_predict_test_sample_shows_the_right_class(app):
    open_page(app, "predict")
    app.radio(key="source").set_value("Test sample").run()
    app.number_input(key="sample_index").set_value(2).run()  # test_images[2] is a trouser.
    assert not app.exception
    prediction = texts(app.get_by_key("prediction").markdown)
    assert "Trouser · 裤子" in prediction and ":blue[" in prediction
    # The top three are ranked lines of that one Markdown element, not progress bars (which cost the browser
    # more per stroke); the first is the prediction itself.
    top3 = [line for line in prediction.splitlines() if line.startswith("1. ")]
    assert len(top3) == 3 and top3[0].startswith("1. Trouser — ") and not app.get("progress")
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


def test_predict_bars_are_a_chart_drawn_by_the_browser(app):
    """The value array is a Vega-Lite chart (its colours are tested in test_charts), not a rendered picture."""
    open_page(app, "predict")
    app.radio(key="source").set_value("Upload").run()
    app.button(key="example_bag").click().run()
    assert len(app.get("vega_lite_chart")) == 1
    app.radio(key="source").set_value("Test sample").run()
    assert len(app.get("vega_lite_chart")) == 1 and not app.exception
    assert len(app.image) == 2  # The test image and what the model sees; no picture of bars.


def predict_fragment_alone():
    """The Predict page's fragment on its own, with the model chosen beforehand and the folder listing broken."""
    from fmnist import registry
    from pages.predict_views import input_and_prediction_ui

    infos = {info.name: info for info in registry.list_models()}
    listing = registry.list_models

    def no_listing():
        raise AssertionError("the models folder was listed inside the fragment")

    registry.list_models = no_listing
    try:
        input_and_prediction_ui("default", infos, "Test sample")
    finally:
        registry.list_models = listing


def test_predict_fragment_predicts_without_listing_the_models(model_dir):
    """A stroke reruns only the fragment (Streamlit's documented behaviour for a widget inside one), so what the
    fragment itself does per input is all a stroke costs: it must not list the models folder."""
    app = AppTest.from_function(predict_fragment_alone, default_timeout=TIMEOUT).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "Ankle boot · 短靴" in texts(app.get_by_key("prediction").markdown)  # Test image 0.
    app.number_input(key="sample_index").set_value(2).run()
    assert not app.exception and "Trouser · 裤子" in texts(app.get_by_key("prediction").markdown)
