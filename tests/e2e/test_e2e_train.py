"""In a real browser: a training run shows live curves and stops on request while another session predicts;
a finished run is saved and offered on the Predict page; sessions never see each other's unsaved models."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.e2e_support import (
    FAST,
    SLOW,
    choose_radio,
    expect_no_exception,
    main,
    model_options,
    open_page,
    predict_latencies,
    prediction_box,
    select_model,
    sidebar,
    start_training,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.usefixtures("no_runs_left_behind")]


SESSION_MODEL = "This session's model (unsaved)"
PROGRESS = re.compile(r"Epoch (\d+)/(\d+) · batch (\d+)/(\d+)")


def stop_button(page: Page):
    return main(page).get_by_role("button", name="Stop", exact=True)


def batches_done(page: Page) -> int:
    """Batches trained so far, read from the progress text."""
    text = main(page).get_by_text(PROGRESS).inner_text()
    epoch, _, batch, steps = (int(group) for group in PROGRESS.search(text).groups())
    return (epoch - 1) * steps + batch


def charts(page: Page):
    return main(page).get_by_test_id("stVegaLiteChart")


def expect_curves_to_grow(page: Page, at_least: int = 20, timeout: float = 90) -> int:
    """Wait until the progress text counts more batches and the loss chart looks different; return the batches."""
    first_batches, first_chart = batches_done(page), charts(page).first.screenshot()
    batches, deadline = first_batches, time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        batches, chart = batches_done(page), charts(page).first.screenshot()
        if batches > max(first_batches, at_least) and chart != first_chart:
            return batches
    pytest.fail(f"the curves did not grow in {timeout:.0f} s (batches {first_batches} -> {batches})")


def test_live_training_in_one_session_while_another_predicts(server, new_page):
    """One session trains and sees live curves; a second still gets predictions meanwhile; Stop ends the run
    and keeps its model, which is offered to the first session only."""
    trainer, predictor = new_page(), new_page()
    open_page(predictor, server, "predict", "Predict")
    choose_radio(predictor, "Test sample")
    expect(prediction_box(predictor)).to_be_visible(timeout=SLOW)
    open_page(trainer, server, "train", "Train a model")
    start_training(trainer, "cnn", 60000, 20)  # Minutes even for the fast default CNN: the test stops it.
    expect(stop_button(trainer)).to_be_visible(timeout=SLOW)
    expect(main(trainer).get_by_text(PROGRESS)).to_be_visible(timeout=SLOW)
    expect(charts(trainer)).to_have_count(2, timeout=SLOW)
    expect(main(trainer).get_by_text("per batch").first).to_be_visible(timeout=FAST)
    # The other session still gets predictions while the run trains.
    predict_latencies(predictor, [10, 11, 12])
    expect_no_exception(predictor)
    batches = expect_curves_to_grow(trainer)
    assert batches > 20
    expect_no_exception(trainer)
    stop_button(trainer).click()
    expect(main(trainer).get_by_text("Training was stopped")).to_be_visible(timeout=SLOW)
    expect(stop_button(trainer)).to_have_count(0)
    expect(main(trainer).get_by_text("Evaluation on the test images")).to_be_visible(timeout=SLOW)
    expect(main(trainer).get_by_role("button", name="Start training")).to_be_enabled()
    expect_no_exception(trainer)
    sidebar(trainer).get_by_role("link", name="Predict").click()
    expect(main(trainer).get_by_role("heading", name="Predict", exact=True)).to_be_visible(timeout=FAST)
    assert SESSION_MODEL in model_options(trainer)
    open_page(predictor, server, "predict", "Predict")
    assert SESSION_MODEL not in model_options(predictor)
    expect_no_exception(predictor)


def test_a_finished_run_is_saved_and_offered_on_the_predict_page(server, new_page):
    page = new_page()
    open_page(page, server, "train", "Train a model")
    start_training(page, "mlp", 3000, 2)
    expect(main(page).get_by_text(re.compile(r"Training finished: 2 epoch\(s\)"))).to_be_visible(timeout=SLOW)
    expect(main(page).get_by_text("Evaluation on the test images")).to_be_visible(timeout=SLOW)
    expect(charts(page)).to_have_count(4)  # Loss, accuracy, the replayed epoch's and the test set's confusion matrices.
    name_box = main(page).get_by_role("textbox", name="Name")
    save = main(page).get_by_role("button", name="Save model")
    # A name that could escape the models folder is refused with the naming rule.
    name_box.fill("../evil")
    save.click()
    expect(main(page).get_by_text(re.compile("A model name is 1 to 64 letters"))).to_be_visible(timeout=FAST)
    name_box.fill("e2e-mlp")
    save.click()
    expect(main(page).get_by_text("Saved as “e2e-mlp”")).to_be_visible(timeout=FAST)
    assert (server.model_dir / "e2e-mlp.weights.npz").is_file() and (server.model_dir / "e2e-mlp.json").is_file()
    assert not list(server.model_dir.glob("*evil*")) and not list(server.model_dir.parent.glob("evil*"))
    name_box.fill("e2e-mlp")
    save.click()
    expect(main(page).get_by_text(re.compile("already exists"))).to_be_visible(timeout=FAST)
    expect_no_exception(page)
    # The Predict page of this session offers the saved model and the session's own.
    sidebar(page).get_by_role("link", name="Predict").click()
    expect(main(page).get_by_role("heading", name="Predict", exact=True)).to_be_visible(timeout=FAST)
    options = model_options(page)
    assert any(option.startswith("e2e-mlp (mlp, ") for option in options), options
    assert SESSION_MODEL in options, options
    select_model(page, "e2e-mlp (mlp")
    choose_radio(page, "Test sample")
    expect(prediction_box(page).get_by_role("heading").first).to_have_text(re.compile(" · "), timeout=SLOW)
    expect_no_exception(page)
    # Another session sees the saved model, not this session's unsaved one.
    other = new_page()
    open_page(other, server, "predict", "Predict")
    options = model_options(other)
    assert any(option.startswith("e2e-mlp (mlp, ") for option in options) and SESSION_MODEL not in options, options
