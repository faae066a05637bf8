"""In a real browser: the prediction follows a stroke while it is drawn (touch and mouse), a stroke stops at the
canvas's edge, a cancelled touch leaves nothing, Redo and an undoable Reset; and a photo from the Camera input
(Chromium's fake camera filming an example garment) is classified."""

import itertools

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
    undo_button,
    wait_until_idle,
)

pytestmark = pytest.mark.e2e

LEG = [(140, 30), (140, 250)]
BAR = [(40, 60), (240, 60)]
BLOCK = [[(60, y), (220, y)] for y in range(110, 240, 14)]


class Finger:
    """One finger on a touch screen, moved with Chrome's DevTools protocol (touch events the page turns into
    pointer events of type "touch"), in canvas pixels."""

    def __init__(self, page: Page):
        self.page = page
        self.session = page.context.new_cdp_session(page)
        box = canvas(page).bounding_box()
        self.left, self.top, self.scale = box["x"], box["y"], box["width"] / 280

    def _send(self, kind: str, x: float | None = None, y: float | None = None) -> None:
        points = [] if x is None else [{"x": self.left + x * self.scale, "y": self.top + y * self.scale}]
        self.session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def down(self, x: float, y: float) -> None:
        self._send("touchStart", x, y)

    def drag(self, points: list[tuple[float, float]], steps: int = 8) -> None:
        """From the last point to each of `points` in `steps` moves, waiting a frame between moves as a hand would."""
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            for step in range(1, steps + 1):
                self._send("touchMove", x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps)
                self.page.wait_for_timeout(16)

    def up(self) -> None:
        self._send("touchEnd")

    def cancel(self) -> None:
        self._send("touchCancel")


def settled_prediction(page: Page) -> str:
    expect(prediction_box(page)).to_be_visible(timeout=SLOW)
    wait_until_idle(page, quiet=1.0)
    return prediction_box(page).text_content()


def button(page: Page, name: str):
    return page.locator(".st-key-canvas").get_by_role("button", name=name, exact=True)


def pixel(page: Page, x: float, y: float) -> int:
    """The red channel of the canvas at canvas pixel (x, y), read from its backing store (0 black, 255 white)."""
    return canvas(page).evaluate(
        """(element, [x, y]) => {
          const scale = element.width / 280;
          return element.getContext('2d').getImageData(Math.floor(x * scale), Math.floor(y * scale), 1, 1).data[0];
        }""",
        [x, y],
    )


def open_predict(page: Page, server) -> None:
    open_page(page, server, "predict", "Predict")
    expect(canvas(page)).to_be_visible(timeout=FAST)
    wait_until_idle(page)


def test_the_prediction_follows_a_finger_before_it_lifts_and_a_cancelled_touch_leaves_nothing(server, new_page):
    page = new_page(has_touch=True)
    open_predict(page, server)
    draw_first_stroke(page, BLOCK[0])
    draw_strokes(page, BLOCK[1:])
    block = settled_prediction(page)
    finger = Finger(page)
    finger.down(140, 20)
    finger.drag([(140, 20), (140, 270), (40, 270)], steps=12)
    # Still touching: the prediction already shows the drawing with the stroke so far.
    expect(prediction_box(page)).not_to_have_text(block, timeout=FAST)
    expect(undo_button(page)).to_be_disabled()  # No Undo in the middle of a stroke.
    finger.up()
    expect(undo_button(page)).to_be_enabled(timeout=FAST)
    with_stroke = settled_prediction(page)
    # A touch the browser cancels (it took the gesture over) leaves no stroke: the drawing is sent without it.
    finger.down(30, 30)
    finger.drag([(30, 30), (250, 250)], steps=12)
    expect(prediction_box(page)).not_to_have_text(with_stroke, timeout=FAST)
    finger.cancel()
    expect(prediction_box(page)).to_have_text(with_stroke, timeout=FAST)
    assert pixel(page, 40, 40) == 0 and pixel(page, 245, 245) == 0  # Where only the cancelled stroke went.
    undo_button(page).click()  # The last finished stroke is the finger's first.
    expect(prediction_box(page)).to_have_text(block, timeout=FAST)
    expect_no_exception(page)


def test_the_prediction_follows_the_mouse_before_its_button_is_released(server, new_page):
    page = new_page()
    open_predict(page, server)
    draw_first_stroke(page, LEG)
    one_stroke = settled_prediction(page)
    box = canvas(page).bounding_box()
    scale = box["width"] / 280
    page.mouse.move(box["x"] + BAR[0][0] * scale, box["y"] + BAR[0][1] * scale)
    page.mouse.down()
    for step in range(1, 21):
        x = BAR[0][0] + (BAR[1][0] - BAR[0][0]) * step / 20
        page.mouse.move(box["x"] + x * scale, box["y"] + BAR[0][1] * scale)
        page.wait_for_timeout(16)
    expect(prediction_box(page)).not_to_have_text(one_stroke, timeout=FAST)
    page.mouse.up()
    expect(undo_button(page)).to_be_enabled(timeout=FAST)
    expect_no_exception(page)


def test_a_stroke_stops_at_the_edge_and_goes_on_where_it_comes_back(server, new_page):
    page = new_page()
    open_predict(page, server)
    draw_first_stroke(page, [(140, 140), (141, 141)])
    undo_button(page).click()
    expect(undo_button(page)).to_be_disabled(timeout=FAST)
    # Down, out through the bottom edge, along below it, and back in: nothing is drawn along the edge.
    draw_strokes(page, [[(100, 140), (100, 380), (200, 380), (200, 140)]])
    expect(prediction_box(page)).to_be_visible(timeout=SLOW)
    assert pixel(page, 100, 200) == 255 and pixel(page, 200, 200) == 255  # Both legs of the gesture are drawn.
    assert pixel(page, 150, 275) == 0  # Not the edge between them.
    # The gesture is one step: one Undo takes both of its strokes back.
    undo_button(page).click()
    expect(main(page).get_by_text("Draw something on the canvas")).to_be_visible(timeout=FAST)
    expect_no_exception(page)


def test_redo_brings_back_what_undo_took_and_a_reset_can_be_undone(server, new_page):
    page = new_page()
    open_predict(page, server)
    redo = button(page, "Redo")
    expect(redo).to_be_disabled()
    draw_first_stroke(page, LEG)
    one_stroke = settled_prediction(page)
    draw_strokes(page, [BAR])
    expect(prediction_box(page)).not_to_have_text(one_stroke, timeout=SLOW)
    two_strokes = settled_prediction(page)
    undo_button(page).click()
    expect(prediction_box(page)).to_have_text(one_stroke, timeout=FAST)
    redo.click()
    expect(prediction_box(page)).to_have_text(two_strokes, timeout=FAST)
    expect(redo).to_be_disabled()
    button(page, "Reset canvas").click()
    expect(prediction_box(page)).to_have_count(0, timeout=FAST)
    undo_button(page).click()  # The Reset is undone: both strokes are back.
    expect(prediction_box(page)).to_have_text(two_strokes, timeout=FAST)
    redo.click()  # ... and redone.
    expect(prediction_box(page)).to_have_count(0, timeout=FAST)
    undo_button(page).click()
    expect(prediction_box(page)).to_have_text(two_strokes, timeout=FAST)
    undo_button(page).click()
    expect(prediction_box(page)).to_have_text(one_stroke, timeout=FAST)
    expect(redo).to_be_enabled()
    draw_strokes(page, [BLOCK[0]])  # A new stroke: nothing is left to redo.
    expect(redo).to_be_disabled(timeout=FAST)
    expect_no_exception(page)


def test_a_photo_from_the_camera_is_classified(server, camera_browser):
    context = camera_browser.new_context(viewport={"width": 1280, "height": 900}, permissions=["camera"])
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        open_page(page, server, "predict", "Predict")
        choose_radio(page, "Camera")
        expect(main(page).get_by_text("Hold the garment flat against a plain background")).to_be_visible(timeout=FAST)
        take = main(page).get_by_role("button", name="Take Photo")
        expect(take).to_be_enabled(timeout=SLOW)
        # A click before the video has a frame takes no photo: wait until the fake camera streams.
        page.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=\"stCameraInput\"] video'); return v && v.readyState >= 2; }",
            timeout=SLOW,
        )
        take.click()
        expect(main(page).get_by_role("button", name="Clear photo")).to_be_visible(timeout=SLOW)
        expect(prediction_box(page)).to_be_visible(timeout=SLOW)
        expect(main(page).get_by_text("What the model sees")).to_be_visible()
        # The camera films the example trousers on a light wall, which the shipped model knows.
        expect(prediction_box(page).get_by_role("heading").first).to_have_text("Trouser · 裤子")
        expect_no_exception(page)
    finally:
        from tests.e2e.e2e_support import screenshot

        screenshot(page, "test_a_photo_from_the_camera_is_classified")
        context.close()


def test_on_a_dense_screen_the_backing_store_has_its_pixels_and_the_strokes_their_place(server, new_page):
    page = new_page(device_scale_factor=2)  # A phone or a zoomed page: two device pixels per CSS pixel.
    open_predict(page, server)
    draw_first_stroke(page, LEG)
    expect(prediction_box(page)).to_be_visible(timeout=SLOW)
    assert canvas(page).evaluate("element => element.width") == 560
    # The stroke lies where it was drawn, in 280 × 280 canvas pixels, drawn at the screen's density.
    assert pixel(page, 140, 140) == 255 and pixel(page, 60, 140) == 0
    expect(undo_button(page)).to_be_enabled()
    expect_no_exception(page)
