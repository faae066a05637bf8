"""What the browser tests share: small helpers that act like a user on the app's pages, and their artifacts.

The server and the browser they act on are tests/e2e/server_support.py's. Every wait polls with a deadline;
nothing sleeps blindly.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from fmnist.model import training
from tests.e2e.server_support import ARTIFACTS, StreamlitServer

# Generous: the machine is small and shared, and the first prediction or training imports TensorFlow.
SLOW = 90_000  # ms, for anything that may import TensorFlow or train.
FAST = 30_000  # ms, for a rerun of a page whose caches are warm.


# Acting on pages.


def main(page: Page) -> Locator:
    return page.get_by_test_id("stMain")


def sidebar(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar")


def open_page(page: Page, server: StreamlitServer, path: str, title: str) -> None:
    """Open a page by URL and wait for its title and for the rerun that brings the browser's identity.

    That rerun carries the widget values the browser held when it was sent: an upload made before it ended was
    lost in a CI run (the uploader came back empty)."""
    page.goto(f"{server.url}/{path}")
    expect(main(page).get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=FAST)
    wait_for_identity(page)


def expect_no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


# Whether Streamlit's status widget says the script is running.
RUNNING = """() => {
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  return Boolean(status && /Running/.test(status.innerText));
}"""


def wait_until_idle(page: Page, timeout: float = FAST / 1000, quiet: float = 0.4) -> None:
    """Wait until the script is not running (no "Running…" status) for `quiet` seconds in a row."""
    deadline = time.monotonic() + timeout
    calm_since = None
    while time.monotonic() < deadline:
        running = page.evaluate(RUNNING)
        if running:
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            return
        page.wait_for_timeout(50)
    raise TimeoutError(f"the app was still running after {timeout:.0f} s")


def choose_radio(page: Page, label: str) -> None:
    """Click a radio option by its visible text in the main area."""
    main(page).get_by_test_id("stRadio").get_by_text(label, exact=True).click()


def prediction_box(page: Page) -> Locator:
    return page.locator(".st-key-prediction")


def select_model(page: Page, label_start: str) -> None:
    """Pick a model in the Predict page's selector by the start of its label."""
    main(page).get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option").filter(has_text=label_start).first.click()
    expect(main(page).get_by_role("combobox", name="Model")).to_have_value(re.compile("^" + re.escape(label_start)))


def model_options(page: Page) -> list[str]:
    """The labels the Predict page's model selector offers (opens and closes the list)."""
    selector = main(page).get_by_test_id("stSelectbox").first
    selector.click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible(timeout=FAST)
    labels = [text.strip() for text in options.all_inner_texts()]
    page.keyboard.press("Escape")
    return labels


def wait_for_identity(page: Page) -> None:
    """Wait until the browser has sent its owner secret and the rerun that brings it has ended.

    That rerun carries every widget value the browser holds: a model chosen just before it arrives would get
    the form's old batch size and learning rate back (a CI run once started a CNN with the MLP's)."""
    expect(page.locator(".fmnist-identity[data-sent]").first).to_be_attached(timeout=FAST)
    wait_until_idle(page)


def start_training(page: Page, model: str, images: int, epochs: int, started: bool = True) -> None:
    """Choose the model, fill the form of the Train page (already open) and press "Start training"."""
    label = "CNN" if model == "cnn" else "MLP (the tutorial's)"
    epochs_box = main(page).get_by_label("Epochs", exact=True)
    wait_for_identity(page)
    if not main(page).get_by_role("radio", name=label).is_checked():
        choose_radio(page, label)
        # Choosing a model puts its defaults into the form; fill it only once they have arrived: the rerun that
        # brings them shows the model's own network box (both models may share a default, such as 4 epochs).
        network_box = "Convolution blocks" if model == "cnn" else "Hidden layers"
        expect(main(page).get_by_role("textbox", name=re.compile(f"^{network_box}"))).to_be_visible(timeout=FAST)
        expect(epochs_box).to_have_value(str(training.DEFAULTS[model]["epochs"]), timeout=FAST)
        # ... and its batch size and learning rate, widgets below that box: typed into before they arrive, the
        # form once started a CNN with the MLP's batch size 256 and a learning rate of 0.0001 (a CI run).
        defaults = training.DEFAULTS[model]
        expect(main(page).get_by_role("combobox", name="Batch size")).to_have_value(str(defaults["batch_size"]), timeout=FAST)
        learning_rate = main(page).get_by_role("slider", name="Learning rate")
        expect(learning_rate).to_have_attribute("aria-valuetext", str(defaults["learning_rate"]), timeout=FAST)
    wait_until_idle(page)
    # The form is live (no st.form): a number box sends its value on Enter; wait until the page has taken both
    # before pressing Start, so the run gets them. Enter, not Tab: Tab from Epochs focuses the Batch size box,
    # and in CI runs a rerun landing while it had the focus left a batch size of 16 when Start took it away.
    main(page).get_by_label("Training images used").fill(str(images))
    main(page).get_by_label("Training images used").press("Enter")
    wait_until_idle(page)
    epochs_box.fill(str(epochs))
    epochs_box.press("Enter")
    wait_until_idle(page)
    expect(epochs_box).to_have_value(str(epochs), timeout=FAST)
    # The batch size is chosen as a learner would, not trusted to have kept the model's default: in two CI runs it
    # read 16 (the first option) by this point, a reset whose cause is not found; reported when it happens.
    batch_size = str(training.DEFAULTS[model]["batch_size"])
    box = main(page).get_by_role("combobox", name="Batch size")
    if box.input_value() != batch_size:
        report(f"start_training: the batch size read {box.input_value()} before Start; choosing {batch_size}")
        box.click()
        page.get_by_role("option", name=batch_size, exact=True).click()
        wait_until_idle(page)
    expect(box).to_have_value(batch_size, timeout=FAST)
    main(page).get_by_role("button", name="Start training").click()
    if not started:
        return
    run = rf"^Run: {model.upper()}, {epochs} epochs, batch size {batch_size}, .*, {images:,} training images"
    # SLOW: with three sessions and their trainings on two loaded cores, the rerun that shows a new run once took
    # longer than FAST (a fresh-clone CI run beside another).
    expect(main(page).get_by_text(re.compile(run))).to_be_visible(timeout=SLOW)


def predict_latencies(page: Page, indices: list[int]) -> list[float]:
    """For each test image index: type it in and return the seconds until its prediction is shown."""
    box = main(page).get_by_label("Test image (0–9999)")
    seen = main(page).get_by_test_id("stImage").filter(has_text="What the model sees").locator("img")
    latencies = []
    for index in indices:
        before = seen.get_attribute("src")
        started = time.monotonic()
        box.fill(str(index))
        box.press("Enter")
        expect(seen).not_to_have_attribute("src", before, timeout=SLOW)
        expect(prediction_box(page)).to_be_visible(timeout=SLOW)
        latencies.append(time.monotonic() - started)
    return latencies


def canvas(page: Page) -> Locator:
    """The drawing canvas (the one that takes the pointer), inside the canvas component's shadow root (CSS locators pierce it)."""
    return page.locator(".st-key-canvas canvas.upper-canvas")


def draw_strokes(page: Page, strokes: list[list[tuple[float, float]]], steps: int = 6) -> None:
    """Draw polylines given in canvas pixels (0..280) with the mouse."""
    surface = canvas(page)
    surface.scroll_into_view_if_needed()
    box = surface.bounding_box()
    scale_x, scale_y = box["width"] / 280, box["height"] / 280
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * scale_x, box["y"] + y * scale_y)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * scale_x, box["y"] + y * scale_y, steps=steps)
        page.mouse.up()


def undo_button(page: Page) -> Locator:
    return page.locator(".st-key-canvas").get_by_role("button", name="Undo", exact=True)


def draw_first_stroke(page: Page, stroke: list[tuple[float, float]], attempts: int = 4) -> None:
    """Draw one stroke on a fresh canvas, again if the canvas was not ready to take it.

    Right after the page loads, the canvas is visible a moment before it listens to the mouse; a stroke
    in that moment leaves no trace. The Undo button, enabled once the canvas holds a stroke, tells.
    """
    for _ in range(attempts):
        draw_strokes(page, [stroke])
        try:
            expect(undo_button(page)).to_be_enabled(timeout=3000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"the canvas took no stroke in {attempts} attempts")


def hatch(x0: float, y0: float, x1: float, y1: float, spacing: float = 12) -> list[list[tuple[float, float]]]:
    """Strokes that fill the rectangle (x0, y0)–(x1, y1) with horizontal lines, as a user colours a shape in."""
    strokes = []
    y = y0
    while y <= y1:
        strokes.append([(x0, y), (x1, y)])
        y += spacing
    return strokes


def trousers() -> list:
    """Two long legs joined by a waistband, coloured in with vertical strokes (canvas pixels, 280×280)."""
    waist = [[(88, y), (192, y)] for y in (32, 46, 60)]
    legs = [[(x, 32), (x, 262)] for x in (88, 102, 116, 164, 178, 192)]
    return waist + legs


def bag() -> list:
    """A filled rectangle with a handle arc on top."""
    handle = [[(85, 115), (95, 75), (120, 50), (160, 50), (185, 75), (195, 115)]]
    return handle + hatch(40, 110, 240, 250, spacing=14)


def upload(page: Page, name: str, content: bytes, mime: str = "image/png") -> None:
    """Put a file into the Predict page's uploader as a file dialog would, but with any name and content.

    Streamlit's page still checks the name's extension and the size in the browser (see test_e2e_faults for
    requests that bypass the browser altogether)."""
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )


def y4m_of_picture(path: Path, width: int = 640, height: int = 480, frames: int = 2) -> bytes:
    """A short video (YUV4MPEG2, 4:2:0) of a picture centred on a light wall, for Chromium's fake camera."""
    from PIL import Image

    picture = Image.open(path).convert("RGB")
    picture.thumbnail((height * 3 // 4, height * 3 // 4))
    frame = Image.new("RGB", (width, height), (236, 233, 228))
    frame.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    luma, blue, red = frame.convert("YCbCr").split()
    planes = luma.tobytes() + b"".join(c.resize((width // 2, height // 2)).tobytes() for c in (blue, red))
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    return header + (b"FRAME\n" + planes) * frames


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    try:
        # Streamlit scrolls inside its main area, so the viewport is stretched to that area's height.
        viewport = page.viewport_size
        height = page.evaluate("(document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], min(int(height) + 40, 6000))})
        page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True, timeout=15_000)
        page.set_viewport_size(viewport)
    except Exception as error:  # A screenshot must never hide the test's own outcome.
        print(f"screenshot {name} failed: {error}")
    return path


def report(line: str) -> None:
    """A measured figure: printed (shown with -s) and kept in test-artifacts/e2e/measurements.txt."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / "measurements.txt", "a", encoding="utf-8") as f:
        f.write(f"{time.strftime('%H:%M:%S')} {line}\n")
    print(line)
