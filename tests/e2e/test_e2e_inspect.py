"""In a real browser: "Inside the model" explains a drawing, a click on the confusion matrix shows that cell's
images, and the map shows a picture on hover and keeps a clicked point."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.e2e_support import (
    FAST,
    SLOW,
    choose_radio,
    draw_first_stroke,
    draw_strokes,
    expect_no_exception,
    open_page,
    trousers,
    wait_until_idle,
)

pytestmark = pytest.mark.e2e
# The first visit classifies the test set and reads the 60,000 training images through the model.
FIRST_VISIT = 300_000


def hover_until_tooltip(page: Page, area, columns: int = 24, rows: int = 24) -> tuple[float, float]:
    """Move the mouse over a grid of points in `area` until Vega's tooltip shows; return that point."""
    box = area.bounding_box()
    tooltip = page.locator("#vg-tooltip-element")
    for row in range(rows):
        for column in range(columns):
            x = box["x"] + box["width"] * (0.15 + 0.7 * column / columns)
            y = box["y"] + box["height"] * (0.1 + 0.7 * row / rows)
            page.mouse.move(x, y)
            deadline = time.monotonic() + 0.3
            while time.monotonic() < deadline:
                if tooltip.count() and tooltip.is_visible() and tooltip.inner_text().strip():
                    return x, y
                page.wait_for_timeout(30)
    raise AssertionError("no tooltip appeared anywhere over the chart")


def open_with_sample(page: Page, server) -> None:
    """Open the page on a test sample and wait until every view is drawn and the app is idle."""
    open_page(page, server, "inspect", "Inside the model")
    choose_radio(page, "Test sample")
    expect(page.locator(".st-key-neighbours").get_by_test_id("stImage")).to_have_count(1, timeout=FIRST_VISIT)
    wait_until_idle(page, timeout=FIRST_VISIT / 1000)


def test_a_drawing_is_explained_layer_by_layer(server, new_page):
    page = new_page()
    open_page(page, server, "inspect", "Inside the model")
    expect(page.locator(".st-key-templates")).to_be_visible(timeout=FIRST_VISIT)
    draw_first_stroke(page, trousers()[0])
    draw_strokes(page, trousers()[1:])
    expect(page.locator(".st-key-why").get_by_role("heading")).to_have_text(re.compile("Why “Trouser”"), timeout=SLOW)
    expect(page.locator(".st-key-steps").get_by_test_id("stImage")).to_have_count(5, timeout=FAST)
    expect(page.locator(".st-key-why").get_by_test_id("stImage")).to_have_count(3)
    expect(page.locator(".st-key-layers").get_by_role("strong").filter(has_text=re.compile("^conv2d_1$"))).to_be_visible()
    expect(page.locator(".st-key-neighbours").get_by_test_id("stImage")).to_have_count(1, timeout=FIRST_VISIT)
    expect_no_exception(page)


def test_clicking_a_confusion_cell_shows_its_images(server, new_page):
    page = new_page(height=1400)
    open_with_sample(page, server)
    errors = page.locator(".st-key-errors")
    # Vega draws a chart (as SVG or canvas) only once it is scrolled into view.
    errors.locator(".st-key-confusion").scroll_into_view_if_needed()
    chart = errors.locator(".st-key-confusion .vega-embed").first
    expect(chart).to_be_visible(timeout=FAST)
    x, y = hover_until_tooltip(page, chart)
    tip = page.locator("#vg-tooltip-element").inner_text()
    true = re.search(r"True class\s+(.+)", tip).group(1).strip()
    predicted = re.search(r"Predicted class\s+(.+)", tip).group(1).strip()
    count = re.search(r"Images\s+(\d+)", tip).group(1)
    page.mouse.click(x, y)
    expect(errors.get_by_text(f"{true} predicted as {predicted}: {count} images")).to_be_visible(timeout=FAST)
    expect_no_exception(page)


def test_the_map_shows_a_picture_on_hover_and_keeps_a_clicked_point(server, new_page):
    page = new_page(height=1400)
    open_with_sample(page, server)
    page.locator(".st-key-map_hidden").scroll_into_view_if_needed()
    chart = page.locator(".st-key-map_hidden .vega-embed").first
    expect(chart).to_be_visible(timeout=FAST)
    expect(page.locator(".st-key-embedding").get_by_text("The star is your input.")).to_be_visible(timeout=SLOW)
    x, y = hover_until_tooltip(page, chart)
    picture = page.locator("#vg-tooltip-element img")
    expect(picture).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    index = re.search(r"Test image\s+(\d+)", page.locator("#vg-tooltip-element").inner_text()).group(1)
    page.mouse.click(x, y)
    expect(page.locator(".st-key-embedding").get_by_text(re.compile(rf"^Test image {index}: "))).to_be_visible(timeout=FAST)
    expect_no_exception(page)
