"""Page tests of "Inside the model" (/inspect) with AppTest: every view appears, for every kind of model and input."""

import numpy as np
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from fmnist import registry
from fmnist.data import fashion_mnist
from fmnist.inside import mistakes
from fmnist.model import evaluation
from tests.page_support import ENTRY, texts

# The first visit reads the 60,000 training images through the model and classifies the test set.
TIMEOUT = 600
VIEWS = ("steps", "layers", "templates", "why", "errors", "embedding", "neighbours")


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch):
    init = PagesManager.__init__

    def init_without_pages_folder(self, *args, **kwargs):
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_without_pages_folder)


@pytest.fixture
def inspect(model_dir):
    app = AppTest.from_file(ENTRY, default_timeout=TIMEOUT).run()
    app.switch_page("pages/inspect.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def has_view(app: AppTest, key: str) -> bool:
    try:
        app.get_by_key(key)
    except KeyError:
        return False
    return True


def images_in(block) -> int:
    """How many st.image calls a container holds, at any depth."""
    count = 0
    for child in getattr(block, "children", {}).values():
        count += getattr(child, "type", None) == "image"
        count += images_in(child)
    return count


def use_sample(app: AppTest, index: int) -> AppTest:
    app.radio(key="source").set_value("Test sample").run()
    app.number_input(key="sample_index").set_value(index).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_without_an_input_the_model_views_show(inspect):
    assert inspect.radio(key="source").value == "Draw"
    for key in ("templates", "errors", "embedding"):
        assert has_view(inspect, key), key
    for key in ("steps", "layers", "why", "neighbours"):
        assert not has_view(inspect, key), key
    assert "Give an input above" in texts(inspect.get_by_key("embedding").caption)


def test_a_test_sample_shows_every_view(inspect, dataset):
    app = use_sample(inspect, 0)
    for key in VIEWS:
        assert has_view(app, key), key
    assert images_in(app.get_by_key("steps")) == 5
    assert images_in(app.get_by_key("why")) == 3  # Saliency, occlusion and Grad-CAM for the CNN.
    assert images_in(app.get_by_key("neighbours")) == 1  # One st.image call with the five neighbours.
    layer_text = texts(app.get_by_key("layers").markdown)
    for layer in registry.load("default").layers:
        assert f"**{layer.name}**" in layer_text
    assert "10,368 parameters" in layer_text and "**softmax**" in layer_text  # conv2d_1: 3 x 3 x 24 x 48, no biases.
    # The class to explain defaults to the top prediction; the true class is offered for a test sample.
    assert app.get_by_key("why").subheader[0].value == "4 · Why “Ankle boot”?"
    assert app.selectbox(key="why_class").options[:2] == ["Top prediction: Ankle boot", "True class: Ankle boot"]
    app.selectbox(key="why_class").set_value(7).run()
    assert app.get_by_key("why").subheader[0].value == "4 · Why “Sneaker”?"


def test_the_confusion_counts_are_those_of_fmnist_evaluation(inspect, dataset):
    app = use_sample(inspect, 1)
    result = evaluation.evaluate(registry.load("default"), dataset.test_images, dataset.test_labels)
    shown = texts(app.get_by_key("errors").markdown)
    assert f"Test accuracy **{result.accuracy:.2%}**, {len(result.mistakes):,} mistakes." in shown
    # Without a click the most common confusion is shown, with its count from the matrix.
    off_diagonal = result.confusion - np.diag(np.diag(result.confusion))
    true, predicted = np.unravel_index(int(np.argmax(off_diagonal)), off_diagonal.shape)
    count = len(mistakes.cell_indices(result, dataset.test_labels, int(true), int(predicted)))
    assert count == result.confusion[true, predicted]
    assert (
        f"**{fashion_mnist.CLASS_NAMES[true]}** predicted as **{fashion_mnist.CLASS_NAMES[predicted]}**: {count} images" in shown
    )
    worst = mistakes.confident_mistakes(result, 15)
    assert f"Test images: {', '.join(str(int(i)) for i in worst)}" in texts(app.get_by_key("errors").caption)


def test_an_uploaded_example_and_the_kernel_chooser(inspect):
    inspect.radio(key="source").set_value("Upload").run()
    inspect.button(key="example_bag").click().run()
    assert not inspect.exception, [e.value for e in inspect.exception]
    assert images_in(inspect.get_by_key("steps")) == 5
    assert inspect.get_by_key("why").subheader[0].value == "4 · Why “Bag”?"
    inspect.selectbox(key="kernel_layer").set_value("conv2d_1").run()
    inspect.number_input(key="kernel_channel").set_value(47).run()
    assert not inspect.exception, [e.value for e in inspect.exception]
    assert "3 × 3 weights for each of its 24 input maps" in texts(inspect.get_by_key("layers").caption)


@pytest.mark.slow
def test_a_saved_mlp_shows_templates_and_no_grad_cam(inspect, model_dir, dataset):
    import keras

    from fmnist.model import architectures

    keras.utils.set_random_seed(0)
    model = architectures.compile_model(architectures.build("mlp"))
    model.fit(dataset.train_images[:2000] / 255.0, dataset.train_labels[:2000], epochs=1, verbose=0)
    registry.save(model, "tiny-mlp", {"architecture": "mlp"})
    app = use_sample(AppTest.from_file(ENTRY, default_timeout=TIMEOUT).run().switch_page("pages/inspect.py").run(), 0)
    app.selectbox(key="inspect_model").set_value("tiny-mlp").run()
    assert not app.exception, [e.value for e in app.exception]
    assert "first Dense layer" in texts(app.get_by_key("templates").caption)
    assert "Grad-CAM needs a convolutional layer" in texts(app.get_by_key("why").info)
    assert images_in(app.get_by_key("why")) == 2
    assert has_view(app, "neighbours") and has_view(app, "embedding")


def test_the_page_in_chinese(inspect):
    inspect.radio(key="language").set_value("zh").run()
    app = use_sample(inspect, 0)
    assert app.title[0].value == "模型内部"
    assert app.get_by_key("why").subheader[0].value == "4 · 为什么是“短靴”？"
    assert "混淆矩阵" in texts(app.get_by_key("errors").caption)


def test_a_drawing_in_progress_is_predicted_and_the_explanations_wait_for_the_pen_to_lift(inspect):
    from tests.pictures import TROUSERS, canvas_value

    # What the canvas sends while the last stroke is still drawn, then at pointer-up.
    inspect.session_state["canvas"] = {"drawing": dict(canvas_value(TROUSERS), live=True)}
    inspect.run()
    assert not inspect.exception, [e.value for e in inspect.exception]
    assert has_view(inspect, "steps") and inspect.selectbox(key="why_class").value == "top"
    for key in ("layers", "why", "neighbours"):
        assert not has_view(inspect, key), key
    assert "follow when you lift the pen" in texts(inspect.caption)
    inspect.session_state["canvas"] = {"drawing": canvas_value(TROUSERS)}
    inspect.run()
    assert not inspect.exception, [e.value for e in inspect.exception]
    for key in VIEWS:
        assert has_view(inspect, key), key
    assert "follow when you lift the pen" not in texts(inspect.caption)
