"""In a real browser: the drawing canvas's Undo and undoable Reset, its Chinese labels, and a drawing that outlives a
full page rerun (a change of language) and a detour through another input."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.e2e_support import (
    FAST,
    SLOW,
    canvas,
    choose_radio,
    draw_first_stroke,
    draw_strokes,
    expect_no_exception,
    main,
    open_page,
    prediction_box,
    sidebar,
    undo_button,
    wait_until_idle,
)

pytestmark = pytest.mark.e2e

LEG = [(140, 30), (140, 250)]
BAR = [(40, 60), (240, 60)]


def drawing_area(page: Page):
    return page.locator(".st-key-canvas")


def settled_prediction(page: Page) -> str:
    """The prediction box's text once the last stroke's rerun is over."""
    expect(prediction_box(page)).to_be_visible(timeout=SLOW)
    wait_until_idle(page, quiet=1.0)
    return prediction_box(page).text_content()  # As to_have_text reads it.


def test_undo_takes_back_the_last_stroke_and_reset_empties_the_canvas(server, new_page):
    page = new_page()
    open_page(page, server, "predict", "Predict")
    expect(canvas(page)).to_be_visible(timeout=FAST)
    expect(undo_button(page)).to_be_disabled()  # Nothing to take back yet.
    wait_until_idle(page)
    draw_first_stroke(page, LEG)
    one_stroke = settled_prediction(page)
    draw_strokes(page, [BAR])
    expect(prediction_box(page)).not_to_have_text(one_stroke, timeout=SLOW)
    wait_until_idle(page, quiet=1.0)
    # Undo sends the canvas without its last stroke: the prediction is the one-stroke drawing's again.
    undo_button(page).click()
    expect(prediction_box(page)).to_have_text(one_stroke, timeout=FAST)
    undo_button(page).click()
    expect(main(page).get_by_text("Draw something on the canvas")).to_be_visible(timeout=FAST)
    expect(prediction_box(page)).to_have_count(0)
    expect(undo_button(page)).to_be_disabled()
    # Reset empties a canvas of several strokes at once.
    draw_strokes(page, [LEG, BAR])
    expect(prediction_box(page)).to_be_visible(timeout=FAST)
    two_strokes = settled_prediction(page)
    drawing_area(page).get_by_role("button", name="Reset canvas", exact=True).click()
    expect(main(page).get_by_text("Draw something on the canvas")).to_be_visible(timeout=FAST)
    expect(prediction_box(page)).to_have_count(0)
    # The Reset is a step of its own: Undo brings the whole drawing back.
    undo_button(page).click()
    expect(prediction_box(page)).to_have_text(two_strokes, timeout=FAST)
    expect_no_exception(page)


def draw_a_leg(page: Page, server) -> str:
    """Open Predict, draw one stroke, and return the top class shown once it has settled ("Class · 类别")."""
    open_page(page, server, "predict", "Predict")
    expect(canvas(page)).to_be_visible(timeout=FAST)
    wait_until_idle(page)
    draw_first_stroke(page, LEG)
    settled_prediction(page)
    return prediction_box(page).get_by_role("heading").first.inner_text()


def test_the_canvas_speaks_chinese_and_keeps_its_drawing_when_the_language_changes(server, new_page):
    page = new_page()
    top_class = draw_a_leg(page, server)  # In both languages.
    probability = re.search(r"\d+\.\d%", prediction_box(page).inner_text()).group()
    sidebar(page).get_by_text("中文", exact=True).click()
    expect(main(page).get_by_role("heading", name="预测", exact=True)).to_be_visible(timeout=FAST)
    undo = drawing_area(page).get_by_role("button", name="撤销", exact=True)
    reset = drawing_area(page).get_by_role("button", name="清空画布", exact=True)
    expect(undo).to_be_enabled(timeout=FAST)
    expect(reset).to_be_visible()
    expect(drawing_area(page).get_by_role("button", name="Undo", exact=True)).to_have_count(0)
    # The full rerun kept the drawing: the same prediction is shown.
    expect(prediction_box(page).get_by_role("heading").first).to_have_text(top_class, timeout=FAST)
    expect(prediction_box(page)).to_contain_text(probability)
    expect(drawing_area(page).get_by_role("button", name="重做", exact=True)).to_be_disabled()
    reset.click()
    expect(main(page).get_by_text("在画布上画点什么")).to_be_visible(timeout=FAST)
    expect(undo).to_be_enabled()  # Undo takes the Reset back.
    expect_no_exception(page)


def test_a_drawing_comes_back_after_a_detour_through_upload(server, new_page):
    page = new_page()
    top_class = draw_a_leg(page, server)
    choose_radio(page, "Upload")
    expect(main(page).get_by_text("Upload a picture, or press")).to_be_visible(timeout=FAST)
    expect(canvas(page)).to_have_count(0)
    choose_radio(page, "Draw")
    # The canvas is built anew with the strokes, and the prediction is the drawing's again.
    expect(canvas(page)).to_be_visible(timeout=FAST)
    expect(undo_button(page)).to_be_enabled(timeout=FAST)
    expect(prediction_box(page).get_by_role("heading").first).to_have_text(top_class, timeout=SLOW)
    undo_button(page).click()
    expect(main(page).get_by_text("Draw something on the canvas")).to_be_visible(timeout=FAST)
    expect_no_exception(page)
