"""The Train page's form: network builder with its parameter count, the tutorial preset, augmentation preview,
early stopping, and settings shared through the page's URL (AppTest; trainings run in child processes)."""

import pytest
from streamlit.testing.v1 import AppTest

from fmnist.runs import store
from tests.page_support import ENTRY, TIMEOUT, labelled, open_page, texts, wait_for_run

pytestmark = pytest.mark.usefixtures("fresh_job_manager")


def train_page(query: dict | None = None) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    return open_page(app, "train")


def shown(app: AppTest) -> str:
    return texts(app.markdown)


def query(app: AppTest, key: str) -> str:
    value = app.query_params[key]
    return value[0] if isinstance(value, list) else value


def test_the_network_builder_counts_parameters_before_training_and_refuses_bad_layers(model_dir):
    app = train_page()
    assert "Parameters to learn: **102,154**" in shown(app)  # The tutorial's network, with batch normalisation.
    assert app.checkbox(key="train_batch_norm").value
    app.checkbox(key="train_batch_norm").uncheck().run()
    assert "Parameters to learn: **101,770**" in shown(app) and query(app, "batch_norm") == "0"  # The tutorial's.
    app.text_input(key="train_hidden_units").input("256, 128").run()
    assert "Parameters to learn: **235,146**" in shown(app) and query(app, "hidden_units") == "256,128"
    app.text_input(key="train_hidden_units").input("256, 0").run()
    assert "between 1 and 4096 units, not 0" in texts(app.error)
    assert labelled(app.button, "Start training").disabled
    app.text_input(key="train_hidden_units").input("4096, 4096").run()
    assert "this app trains at most 5,000,000" in texts(app.error)
    app.radio(key="train_model").set_value("cnn").run()  # The CNN's own layers and defaults.
    assert app.text_input(key="train_filters").value == "16, 32" and "Parameters to learn: **207,066**" in shown(app)
    assert app.checkbox(key="train_batch_norm").value and app.checkbox(key="train_norm_after_pool").value
    assert not labelled(app.button, "Start training").disabled


def test_the_tutorial_preset_fills_in_the_tutorials_recipe(model_dir):
    app = train_page()
    app.radio(key="train_model").set_value("cnn").run()
    labelled(app.button, "As in the tutorial").click().run()
    assert app.radio(key="train_model").value == "mlp"
    assert app.number_input(key="train_epochs").value == 10 and app.selectbox(key="train_batch_size").value == 32
    assert app.select_slider(key="train_learning_rate").value == 1e-3
    assert app.selectbox(key="train_schedule").value == "constant" and app.slider(key="train_validation_split").value == 0
    assert app.text_input(key="train_hidden_units").value == "128" and not app.checkbox(key="train_augment").value
    assert query(app, "epochs") == "10" and query(app, "schedule") == "constant"
    # The tutorial's network exactly: no batch normalisation, its 101,770 parameters.
    assert not app.checkbox(key="train_batch_norm").value and "Parameters to learn: **101,770**" in shown(app)


def test_switching_the_model_keeps_the_batch_size_and_learning_rate_options(model_dir):
    # A value the browser sends back that is not among the options becomes the first option: with options that
    # changed with the model, the MLP's 0.02 sent during the switch's rerun started a CNN run at 0.0001.
    app = train_page()
    rates, sizes = app.select_slider(key="train_learning_rate").options, app.selectbox(key="train_batch_size").options
    assert app.select_slider(key="train_learning_rate").value == 2e-2 and app.selectbox(key="train_batch_size").value == 256
    app.radio(key="train_model").set_value("cnn").run()
    assert app.select_slider(key="train_learning_rate").options == rates and "0.02" in rates and "0.005" in rates
    assert app.selectbox(key="train_batch_size").options == sizes
    assert app.select_slider(key="train_learning_rate").value == 5e-3 and app.selectbox(key="train_batch_size").value == 128


def test_the_schedule_box_shows_short_names_and_explains_them_in_its_help(model_dir):
    # The long names did not fit the box ("one-cycle (warm-up, the"); the run's description keeps them.
    app = train_page()
    schedule = app.selectbox(key="train_schedule")
    assert schedule.options == ["cosine decay", "one-cycle", "constant (the tutorial)"] and schedule.value == "onecycle"
    assert "over the first 30 % of the steps" in schedule.help and "**constant**" in schedule.help
    app.session_state["language"] = "zh"  # What the sidebar's radio keeps for the session.
    app.run()
    schedule = app.selectbox(key="train_schedule")
    assert schedule.options == ["余弦衰减", "单周期", "恒定（教程）"] and "在前 30% 的步数里" in schedule.help


def test_augmentation_shows_the_images_before_and_after(model_dir):
    app = train_page()
    assert not app.get("image")
    app.checkbox(key="train_augment").check().run()
    assert "What augmentation does" in texts(app.caption)
    [before, after] = app.get("image")[-2:]
    assert len(before.proto.imgs) == len(after.proto.imgs) == 8
    labelled(app.button, "Another draw").click().run()
    assert not app.exception


def test_a_shared_link_fills_the_form_and_names_the_values_it_ignored(model_dir):
    app = train_page({"model": "cnn", "epochs": "3", "filters": "16,32", "dropout": "0.1", "augment": "1",
                      "batch_size": "lots", "learning_rate": "-2", "validation_split": "0.1", "early_stopping": "2",
                      "label_smoothing": "0.2"})  # fmt: skip
    assert app.radio(key="train_model").value == "cnn" and app.number_input(key="train_epochs").value == 3
    assert app.text_input(key="train_filters").value == "16, 32" and app.slider(key="train_dropout").value == 0.1
    assert app.checkbox(key="train_augment").value and app.number_input(key="train_early_stopping").value == 2
    assert app.number_input(key="train_label_smoothing").value == 0.2
    warnings = texts(app.warning)
    assert "batch_size=lots was ignored" in warnings and "learning_rate=-2 was ignored" in warnings
    assert app.selectbox(key="train_batch_size").value == 128  # The CNN's default.
    assert query(app, "batch_size") == "128"  # The URL now holds what the form shows.


@pytest.mark.slow
def test_a_run_records_the_network_early_stopping_and_label_smoothing(model_dir):
    app = train_page()
    app.text_input(key="train_hidden_units").input("32, 16").run()
    app.number_input(key="train_epochs").set_value(2)
    app.number_input(key="train_limit").set_value(500)
    app.number_input(key="train_early_stopping").set_value(3)
    app.slider(key="train_validation_split").set_value(0.1)  # Early stopping watches the validation loss.
    app.checkbox(key="train_augment").check()
    app.number_input(key="train_label_smoothing").set_value(0.1)
    labelled(app.button, "Start training").click().run()
    view = wait_for_run(app)
    assert view.status == "finished", view.error
    config = store.get(view.id).config()
    assert config.hidden_units == (32, 16) and config.augment and config.early_stopping == 3
    assert config.label_smoothing == 0.1
    assert "hidden layers of 32, 16 units" in texts(app.caption) and "augmented images" in texts(app.caption)
    assert "label smoothing 0.1" in texts(app.caption)


def test_the_fast_cnn_preset_fills_in_its_recipe(model_dir):
    app = train_page()
    labelled(app.button, "A fast CNN").click().run()
    assert app.radio(key="train_model").value == "cnn" and app.text_input(key="train_filters").value == "16, 32"
    assert app.checkbox(key="train_batch_norm").value and app.selectbox(key="train_schedule").value == "onecycle"
    assert app.number_input(key="train_epochs").value == 4 and app.number_input(key="train_dense_units").value == 128
    assert app.checkbox(key="train_norm_after_pool").value and not app.checkbox(key="train_norm_after_pool").disabled
    assert "Parameters to learn: **207,066**" in shown(app)
    assert query(app, "batch_norm") == "1" and query(app, "norm_after_pool") == "1" and query(app, "schedule") == "onecycle"
    app.checkbox(key="train_batch_norm").uncheck().run()
    assert app.checkbox(key="train_norm_after_pool").disabled  # It means nothing without batch normalisation.


def test_the_accurate_cnn_preset_fills_in_its_recipe_and_the_fast_one_takes_it_back(model_dir):
    app = train_page()
    labelled(app.button, "An accurate CNN").click().run()
    assert app.radio(key="train_model").value == "cnn" and app.number_input(key="train_epochs").value == 10
    assert app.number_input(key="train_dense_units").value == 256 and app.slider(key="train_dropout").value == 0.3
    assert app.number_input(key="train_label_smoothing").value == 0.1
    assert "Parameters to learn: **409,178**" in shown(app) and query(app, "label_smoothing") == "0.1"
    labelled(app.button, "A fast CNN").click().run()  # Every setting of the other recipe goes back.
    assert app.number_input(key="train_label_smoothing").value == 0.0 and app.slider(key="train_dropout").value == 0.0
    assert app.number_input(key="train_dense_units").value == 128 and "Parameters to learn: **207,066**" in shown(app)
