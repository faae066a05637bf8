"""In a real browser: drawings made with the mouse, uploaded photos and test samples are classified, and
hostile uploads are refused with a message, one after another in the same session."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from fmnist.data import fashion_mnist, preprocess
from tests.e2e import hostile_files as files
from tests.e2e.e2e_support import (
    FAST,
    SLOW,
    bag,
    canvas,
    choose_radio,
    draw_first_stroke,
    draw_strokes,
    expect_no_exception,
    main,
    open_page,
    prediction_box,
    report,
    trousers,
    upload,
    wait_until_idle,
)

pytestmark = pytest.mark.e2e


def top_class(page: Page):
    return prediction_box(page).get_by_role("heading").first


def reset_canvas(page: Page) -> None:
    page.locator(".st-key-canvas").get_by_role("button", name="Reset canvas", exact=True).click()
    expect(main(page).get_by_text("Draw something on the canvas")).to_be_visible(timeout=FAST)
    expect(prediction_box(page)).to_have_count(0, timeout=FAST)


def draw_and_time(page: Page, strokes: list, expected: str) -> float:
    """Draw `strokes`; return the seconds from the last mouse-up until the page shows `expected` as the top class."""
    draw_strokes(page, strokes)
    released = time.monotonic()
    expect(top_class(page)).to_have_text(expected, timeout=SLOW)
    latency = time.monotonic() - released
    wait_until_idle(page, quiet=1.0)  # The last stroke's rerun may still be on its way; the answer must hold.
    expect(top_class(page)).to_have_text(expected)
    expect_no_exception(page)
    return latency


def test_drawings_of_trousers_and_a_bag_are_recognised(server, new_page):
    page = new_page()
    open_page(page, server, "predict", "Predict")
    expect(canvas(page)).to_be_visible(timeout=FAST)
    expect(main(page).get_by_text("Draw something on the canvas")).to_be_visible()
    wait_until_idle(page)
    # One stroke: the first prediction of this session (and of the server, if it has not loaded TensorFlow yet).
    draw_first_stroke(page, [(140, 30), (140, 250)])
    released = time.monotonic()
    expect(top_class(page)).to_be_visible(timeout=SLOW)
    first = time.monotonic() - released
    expect(main(page).get_by_text("What the model sees (28 × 28)")).to_be_visible()
    reset_canvas(page)
    # The same stroke again, now warm.
    draw_first_stroke(page, [(140, 30), (140, 250)])
    released = time.monotonic()
    expect(top_class(page)).to_be_visible(timeout=SLOW)
    warm = time.monotonic() - released
    reset_canvas(page)
    trouser_latency = draw_and_time(page, trousers(), "Trouser · 裤子")
    reset_canvas(page)
    bag_latency = draw_and_time(page, bag(), "Bag · 包")
    report(
        f"draw: stroke -> prediction {first:.2f} s (first of this session), "
        f"{warm:.2f} s warm; last stroke -> final answer: trousers {trouser_latency:.2f} s, bag {bag_latency:.2f} s"
    )


@pytest.mark.parametrize(
    "photo, expected",
    [("sneaker.jpg", "Sneaker · 运动鞋"), ("ankle-boot.jpg", "Ankle boot · 短靴"), ("bag.jpg", "Bag · 包")],
    ids=["sneaker", "ankle-boot", "bag"],
)
def test_an_uploaded_photo_is_classified(server, new_page, photo, expected):
    page = new_page()
    open_page(page, server, "predict", "Predict")
    choose_radio(page, "Upload")
    expect(main(page).get_by_text("Upload a picture, or press")).to_be_visible(timeout=FAST)
    content = (files.EXAMPLES / photo).read_bytes()
    started = time.monotonic()
    upload(page, photo, content, "image/jpeg")
    expect(top_class(page)).to_have_text(expected, timeout=SLOW)
    report(f"upload {photo}: file chosen -> prediction {time.monotonic() - started:.2f} s")
    expect(main(page).get_by_test_id("stImageCaption").filter(has_text=photo)).to_be_visible()
    expect_no_exception(page)


def test_test_sample_shows_its_true_label(server, new_page, dataset):
    page = new_page()
    open_page(page, server, "predict", "Predict")
    choose_radio(page, "Test sample")
    true_class = main(page).get_by_text(re.compile(r"^True class: "))
    expect(true_class).to_have_text("True class: Ankle boot", timeout=FAST)  # Test image 0.
    expect(top_class(page)).to_have_text("Ankle boot · 短靴", timeout=SLOW)
    index = main(page).get_by_label("Test image (0–9999)")
    index.fill("2")
    index.press("Enter")
    expect(true_class).to_have_text("True class: Trouser", timeout=FAST)
    expect(top_class(page)).to_have_text("Trouser · 裤子", timeout=FAST)
    # A right answer is written in blue with the true class in brackets, as in the tutorial.
    expect(prediction_box(page).get_by_text(re.compile(r"^Trouser \d+% \(Trouser\)$"))).to_be_visible()
    main(page).get_by_role("button", name="Random").click()
    expect(index).not_to_have_value("2", timeout=FAST)
    wait_until_idle(page)
    label = int(dataset.test_labels[int(index.input_value())])
    expect(true_class).to_have_text(f"True class: {fashion_mnist.CLASS_NAMES[label]}", timeout=FAST)
    expect_no_exception(page)


# Hostile or broken files, each with the message the page must show. The browser's type filter is bypassed
# (set_input_files), so the names all end in an allowed extension and only the server's checks stand.
HOSTILE = [
    ("empty.png", b"", "The file is empty."),
    ("random.png", files.RANDOM, preprocess.NOT_A_PICTURE),
    ("page.png", files.HTML, preprocess.NOT_A_PICTURE),
    ("drawing.png", files.SVG, preprocess.NOT_A_PICTURE),
    ("document.png", files.PDF, preprocess.NOT_A_PICTURE),
    ("setup.png", files.EXE, preprocess.NOT_A_PICTURE),
    ("half.jpg", files.truncated(files.EXAMPLES / "bag.jpg"), preprocess.DAMAGED),
    ("half.png", files.truncated(files.EXAMPLES / "dress.png"), preprocess.DAMAGED),
    ("header-bomb.png", files.png_header_bomb(30000, 30000), preprocess.TOO_MANY_PIXELS),
    ("black-12000.png", files.png_all_black(12000, 12000), preprocess.TOO_MANY_PIXELS),
]


def remove_upload(page: Page) -> None:
    page.get_by_test_id("stFileChipDeleteBtn").first.click()
    expect(main(page).get_by_text("Upload a picture, or press")).to_be_visible(timeout=FAST)


def test_hostile_uploads_are_refused_and_a_good_upload_still_works(server, new_page):
    page = new_page()
    open_page(page, server, "predict", "Predict")
    choose_radio(page, "Upload")
    expect(main(page).get_by_text("Upload a picture, or press")).to_be_visible(timeout=FAST)
    errors = main(page).get_by_test_id("stAlert").filter(has=page.locator('[data-testid="stAlertContentError"]'))
    for name, content, message in HOSTILE:
        upload(page, name, content)
        expect(errors, f"{name}: no error message").to_contain_text(message, timeout=FAST)
        expect(page.get_by_test_id("stFileChipName").filter(has_text=name)).to_be_visible()
        wait_until_idle(page)
        expect(prediction_box(page), f"{name}: a prediction was shown").to_have_count(0)
        expect_no_exception(page)
        remove_upload(page)
        expect(errors).to_have_count(0)
    # The browser itself refuses a type outside the allow-list and a file over the size limit.
    upload(page, "document.pdf", files.PDF, "application/pdf")
    expect(page.get_by_test_id("stFileUploader").get_by_text(re.compile("files are not allowed"))).to_be_visible()
    upload(page, "big.png", files.oversize(11))
    expect(page.get_by_test_id("stFileUploader").get_by_text("File must be 10.0MB or smaller.")).to_be_visible(timeout=FAST)
    expect(prediction_box(page)).to_have_count(0)
    expect_no_exception(page)
    # And the next good upload in the same session works.
    upload(page, "trouser.png", (files.EXAMPLES / "trouser.png").read_bytes())
    expect(prediction_box(page).get_by_role("heading").first).to_have_text("Trouser · 裤子", timeout=SLOW)
    expect(errors).to_have_count(0)
    expect_no_exception(page)
