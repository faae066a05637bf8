"""In a real browser: a training run shows live curves and stops on request while other sessions predict
and are told the trainer is busy; a finished run is saved and offered on the Predict page; sessions never
see each other's unsaved models."""

import re
import statistics
import time

import pytest
from .e2e_support import (
    FAST,
    SLOW,
    choose_radio,
    expect_no_exception,
    main,
    model_options,
    open_page,
    predict_latencies,
    prediction_box,
    report,
    select_model,
    sidebar,
    start_training,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

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


def stop_and_time(page: Page) -> float:
    """Press Stop; return the seconds until the page says the run was stopped."""
    stop_button(page).click()
    pressed = time.monotonic()
    expect(main(page).get_by_text("Training was stopped")).to_be_visible(timeout=FAST)
    return time.monotonic() - pressed


def expect_curves_to_grow(page: Page, at_least: int = 20, timeout: float = 60) -> int:
    """Wait until the progress text counts more batches and the loss chart looks different; return the batches."""
    first_batches, first_chart = batches_done(page), charts(page).first.screenshot()
    batches, deadline = first_batches, time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        batches, chart = batches_done(page), charts(page).first.screenshot()
        # Past the first batches too, which are slow while TensorFlow traces the model (Stop acts between batches).
        if batches > max(first_batches, at_least) and chart != first_chart:
            return batches
    pytest.fail(f"the curves did not grow in {timeout:.0f} s (batches {first_batches} -> {batches})")


def test_live_training_in_one_session_while_others_predict_and_wait(server, new_page):
    """One session trains and sees live curves; a second still gets predictions meanwhile; a third is told the
    trainer is busy; Stop ends the run within 2 s; the unsaved model is offered to the first session only."""
    trainer, predictor, latecomer = new_page(), new_page(), new_page()
    open_page(predictor, server, "predict", "Predict")
    choose_radio(predictor, "Test sample")
    expect(prediction_box(predictor)).to_be_visible(timeout=SLOW)
    idle = predict_latencies(predictor, [1, 2, 3])
    # Session 1 starts a run: the progress, the Stop button and the two charts appear.
    open_page(trainer, server, "train", "Train a model")
    start_training(trainer, "cnn", 20000, 3)
    expect(stop_button(trainer)).to_be_visible(timeout=SLOW)
    expect(main(trainer).get_by_text(PROGRESS)).to_be_visible(timeout=SLOW)
    expect(charts(trainer)).to_have_count(2, timeout=SLOW)
    expect(main(trainer).get_by_text("per batch").first).to_be_visible(timeout=FAST)
    # Session 2 still gets predictions while it trains.
    busy = predict_latencies(predictor, [10, 11, 12, 13, 14, 15])
    assert stop_button(trainer).is_visible(), "the training ended before the predictions were measured"
    report(
        "sessions: prediction latency (type index -> prediction shown) idle "
        + ", ".join(f"{s:.2f}" for s in idle)
        + " s; while another session trains a CNN "
        + ", ".join(f"{s:.2f}" for s in busy)
        + f" s (median {statistics.median(busy):.2f} s)"
    )
    assert statistics.median(busy) < 5.0 and max(busy) < 15.0, busy
    # Session 3 is told that the trainer is busy.
    open_page(latecomer, server, "train", "Train a model")
    start_training(latecomer, "mlp", 1000, 1, started=False)
    expect(main(latecomer).get_by_test_id("stAlert").filter(has_text="busy")).to_be_visible(timeout=FAST)
    expect(stop_button(latecomer)).to_have_count(0)
    expect_no_exception(latecomer)
    # Session 1's curves have grown; Stop ends the run at once and keeps the model.
    batches = expect_curves_to_grow(trainer)
    expect_no_exception(trainer)
    latency = stop_and_time(trainer)
    report(f"train: Stop pressed -> 'stopped' shown in {latency:.2f} s (after {batches} batches of CNN)")
    assert latency <= 2.0, f"Stop took {latency:.2f} s to show 'stopped'"
    expect(stop_button(trainer)).to_have_count(0)
    expect(main(trainer).get_by_text("Evaluation on the test images")).to_be_visible(timeout=SLOW)
    expect(main(trainer).get_by_role("button", name="Start training")).to_be_enabled()
    expect_no_exception(trainer)
    sidebar(trainer).get_by_role("link", name="Predict").click()
    expect(main(trainer).get_by_role("heading", name="Predict", exact=True)).to_be_visible(timeout=FAST)
    assert SESSION_MODEL in model_options(trainer)
    for page in (predictor, latecomer):
        open_page(page, server, "predict", "Predict")
        assert SESSION_MODEL not in model_options(page)
        expect_no_exception(page)


def test_a_finished_run_is_saved_and_offered_on_the_predict_page(server, new_page):
    page = new_page()
    open_page(page, server, "train", "Train a model")
    start_training(page, "mlp", 3000, 2)
    expect(main(page).get_by_text(re.compile(r"Training finished: 2 epoch\(s\)"))).to_be_visible(timeout=SLOW)
    expect(main(page).get_by_text("Evaluation on the test images")).to_be_visible(timeout=SLOW)
    expect(charts(page)).to_have_count(2)
    name_box = main(page).get_by_role("textbox", name="Name")
    save = main(page).get_by_role("button", name="Save model")
    # A name that could escape the models folder is refused with the naming rule.
    name_box.fill("../evil")
    save.click()
    expect(main(page).get_by_text(re.compile("A model name is 1 to 64 letters"))).to_be_visible(timeout=FAST)
    name_box.fill("e2e-mlp")
    save.click()
    expect(main(page).get_by_text("Saved as “e2e-mlp”")).to_be_visible(timeout=FAST)
    assert (server.model_dir / "e2e-mlp.keras").is_file() and (server.model_dir / "e2e-mlp.json").is_file()
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
