"""Page tests with AppTest: beside each step, an expander shows the tutorial's code with the values just chosen."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.page_support import ENTRY, TIMEOUT, labelled, open_page

pytestmark = pytest.mark.usefixtures("fresh_job_manager")


@pytest.fixture
def app(model_dir):
    return AppTest.from_file(ENTRY, default_timeout=TIMEOUT).run()


def code_in(app: AppTest, key: str) -> str:
    """The code shown in the expander called `key` (it is empty when the page shows none there)."""
    expander = app.get_by_key(key)
    assert expander.label in ("The tutorial's code", "教程代码")
    return "\n".join(str(block.value) for block in expander.code)


def test_browse_shows_the_code_of_each_step_with_the_chosen_values(app):
    open_page(app, "browse")
    assert "print(train_images.shape)" in code_in(app, "code_data") and "class_names = [" in code_in(app, "code_data")
    assert "indices = range(25)" in code_in(app, "code_grid")
    assert "plt.imshow(train_images[0])" in code_in(app, "code_image") and "plt.colorbar()" in code_in(app, "code_image")
    app.radio(key="browse_split").set_value("test").run()
    app.multiselect(key="browse_classes").set_value([8]).run()
    app.number_input(key="browse_page").set_value(2).run()
    app.number_input(key="detail_test").set_value(5).run()
    grid = code_in(app, "code_grid")
    assert "np.isin(test_labels, [8])" in grid and "indices[25:50]" in grid and "Only these classes: Bag." in grid
    assert "plt.imshow(test_images[5])" in code_in(app, "code_image")


def test_browse_code_speaks_chinese_with_the_page(model_dir):
    app = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    app.session_state["language"] = "zh"  # What the sidebar's radio keeps for the session.
    open_page(app, "browse")
    app.multiselect(key="browse_classes").set_value([1]).run()
    assert app.get_by_key("code_grid").label == "教程代码"
    assert "# 只看这些类别：裤子。" in code_in(app, "code_grid")
    assert "训练集" in code_in(app, "code_data") and "除以 255" in code_in(app, "code_image")


def test_train_code_follows_the_form(app):
    open_page(app, "train")
    code = code_in(app, "code_train")
    assert "layers.BatchNormalization(momentum=0.9)" in code and "epochs=4, batch_size=256" in code
    app.number_input(key="train_epochs").set_value(7).run()
    assert "epochs=7, batch_size=256" in code_in(app, "code_train")
    labelled(app.button, "As in the tutorial").click().run()
    code = code_in(app, "code_train")
    assert 'layers.Dense(128, activation="relu"),' in code and "epochs=10, batch_size=32" in code
    assert "learning_rate = 0.001" in code and "BatchNormalization" not in code
    app.radio(key="train_model").set_value("cnn").run()
    assert "layers.Conv2D(16, 3" in code_in(app, "code_train")


def test_predict_code_is_this_inputs_preprocessing_and_the_probability_model(app):
    open_page(app, "predict")
    app.radio(key="source").set_value("Test sample").run()
    app.number_input(key="sample_index").set_value(42).run()
    assert not app.exception, [e.value for e in app.exception]
    code = code_in(app, "code_predict")
    assert "image = test_images[42]" in code and "probability_model = keras.Sequential([model, layers.Softmax()])" in code
    assert "plot_image(predictions[0], true_label, image)" in code and "plot_value_array(" in code
    assert "“default”" in code  # The model the page used.
    app.radio(key="source").set_value("Upload").run()
    app.button(key="example_dress").click().run()
    assert "image = to_dataset_look('picture.png')" in code_in(app, "code_predict")


@pytest.mark.slow
def test_inspect_shows_the_code_of_its_input():
    """Slow: the page's first visit reads the training images through the model for its map."""
    app = AppTest.from_file(ENTRY, default_timeout=600).run()
    open_page(app, "inspect")
    app.radio(key="source").set_value("Test sample").run()
    app.number_input(key="sample_index").set_value(3).run()
    assert not app.exception, [e.value for e in app.exception]
    code = code_in(app, "code_inspect")
    assert "image = test_images[3]" in code and "plot_value_array(predictions[0], true_label)" in code
