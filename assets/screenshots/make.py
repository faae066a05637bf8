"""Take the README's screenshots: start `streamlit run app.py`, drive Chromium through every page, save PNGs.

Run from anywhere: `.venv/bin/python assets/screenshots/make.py`. It needs the
`playwright` package and Debian's Chromium (/usr/bin/chromium). Saved models
and runs go to temporary folders, so the screenshots never show local ones; the
Train screenshots come from a short run of the tutorial's recipe (12,000 images, 3 epochs).
It prints how long each page takes to render once its caches are warm.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# Debian's Chromium; FMNIST_CHROMIUM points at another build (on Ubuntu, Chromium is a snap: /snap/bin/chromium).
CHROMIUM = os.environ.get("FMNIST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
WIDTH = 1280


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, model_dir: str) -> subprocess.Popen:
    """Start streamlit headless on `port` and wait until it answers its health check."""
    env = {**os.environ, "FMNIST_MODEL_DIR": model_dir, "TF_CPP_MIN_LOG_LEVEL": "2"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("streamlit did not start within 60 s")


# What the page looks like now: whether the app is running, skeletons, element count, images not yet loaded.
PAGE_STATE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return JSON.stringify([
    Boolean(document.querySelector('[data-testid="stStatusWidget"]')),
    document.querySelectorAll('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]').length,
    main ? main.querySelectorAll('*').length : 0,
    Array.from(document.images).filter(image => !image.complete).length,
  ]);
}"""


def settle(page: Page, quiet: float = 0.8, timeout: float = 60.0) -> float:
    """Wait until the app has finished running and drawing; return the seconds until its last change.

    Short runs never show Streamlit's "Running..." status widget, so "finished" is: no status
    widget running, no skeletons, no image loading, and no element added or removed for `quiet` seconds.
    """
    started = time.perf_counter()
    last_state, last_change = None, started
    while time.perf_counter() - started < timeout:
        state = page.evaluate(PAGE_STATE)
        now = time.perf_counter()
        if state != last_state:
            last_state, last_change = state, now
        running, skeletons, elements, loading = json.loads(state)
        if not running and not skeletons and not loading and elements and now - last_change >= quiet:
            return last_change - started
        page.wait_for_timeout(50)
    raise TimeoutError(f"the page was still changing after {timeout:.0f} s")


def shrink(path: Path) -> None:
    """Keep the repository small: 256 colours are plenty for a screenshot (a third of the bytes or less)."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def shoot(page: Page, name: str) -> None:
    """Save the whole page: the viewport is stretched to the height of Streamlit's scrolling main area."""
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": max(800, min(int(height) + 40, 8000))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(HERE / f"{name}.png"), full_page=True)
    shrink(HERE / f"{name}.png")
    page.set_viewport_size({"width": WIDTH, "height": 900})
    print(f"saved {name}.png")


def visit(page: Page, base: str, path: str) -> float:
    """Open a page by URL and return how long it took to finish rendering."""
    started = time.perf_counter()
    page.goto(f"{base}/{path}")
    return time.perf_counter() - started + settle(page)


def navigate(page: Page, title: str) -> float:
    """Click a page's link in the sidebar and return how long the page took to finish rendering."""
    started = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    return time.perf_counter() - started + settle(page)


def draw_on_canvas(page: Page) -> None:
    """Draw a rough T-shirt outline, filled in with a few strokes, on the canvas with the mouse."""
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x0, y0 = box["x"], box["y"]
    outline = [
        (90, 60),
        (190, 60),
        (250, 110),
        (220, 140),
        (195, 120),
        (195, 240),
        (85, 240),
        (85, 120),
        (60, 140),
        (30, 110),
        (90, 60),
    ]
    strokes = [outline] + [[(95, y), (185, y)] for y in range(80, 240, 18)]
    for stroke in strokes:
        page.mouse.move(x0 + stroke[0][0], y0 + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(x0 + x, y0 + y, steps=8)
        page.mouse.up()
        page.wait_for_timeout(150)


PAGES = (
    ("home", "", "Home"),
    ("browse", "browse", "Browse the data"),
    ("train", "train", "Train a model"),
    ("predict", "predict", "Predict"),
    ("inspect", "inspect", "Inside the model"),
    ("runs", "runs", "Runs"),
)


def pages(page: Page, base: str) -> dict[str, tuple[float, float]]:
    """Visit every page (filling the caches), then time warm loads and sidebar navigation; shoot two pages."""
    timings = {}
    for _, path, _ in PAGES:
        visit(page, base, path)
    for name, path, title in PAGES:
        loaded = visit(page, base, path)
        navigate(page, "Home" if name != "home" else "Predict")
        timings[name] = (loaded, navigate(page, title))
        if name in ("home", "browse"):
            shoot(page, name)
    return timings


def train(page: Page, base: str) -> None:
    """Start a short run: shoot it while it trains and once it is evaluated."""
    visit(page, base, "train")
    page.get_by_role("button", name="As in the tutorial").click()
    settle(page)
    for key, value in (("train_limit", "12000"), ("train_epochs", "3")):
        page.locator(f".st-key-{key} input").fill(value)
        page.locator(f".st-key-{key} input").press("Tab")  # The form is live: a value is sent on blur.
        settle(page)
    page.get_by_role("button", name="Start training").click()
    page.get_by_test_id("stMain").get_by_role("button", name="Stop").wait_for(timeout=30_000)
    page.get_by_text("Epoch 2/3").wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # A second more of curves on the charts.
    shoot(page, "train-live")
    page.get_by_text("Evaluation on the test images").wait_for(timeout=120_000)
    settle(page)
    shoot(page, "train-results")


def predict(page: Page, base: str) -> None:
    """Predict a test sample, then a drawing (in English and in Chinese)."""
    visit(page, base, "predict")
    page.get_by_text("Test sample", exact=True).click()
    page.locator(".st-key-prediction").wait_for(timeout=60_000)
    settle(page)
    shoot(page, "predict-sample")
    page.get_by_text("Draw", exact=True).click()
    settle(page)
    draw_on_canvas(page)
    page.locator(".st-key-prediction").wait_for(timeout=60_000)
    settle(page)
    shoot(page, "predict-draw")
    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()  # The drawing stays; the words change.
    page.get_by_role("heading", name="预测", exact=True).wait_for(timeout=60_000)
    settle(page)
    shoot(page, "predict-draw-zh")
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    settle(page)


def chinese(page: Page) -> None:
    """Switch the language to Chinese in the sidebar and shoot the Browse page."""
    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
    settle(page)
    navigate(page, "浏览数据")
    shoot(page, "browse-zh")


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as model_dir, tempfile.TemporaryDirectory() as runs_dir:
        os.environ["FMNIST_RUNS_DIR"] = runs_dir
        server = start_server(port, model_dir)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": WIDTH, "height": 900})
                try:
                    timings = pages(page, f"http://127.0.0.1:{port}")
                    train(page, f"http://127.0.0.1:{port}")
                    predict(page, f"http://127.0.0.1:{port}")
                    chinese(page)
                except Exception:
                    failure = Path(tempfile.gettempdir()) / "fmnist-screenshot-failure.png"
                    page.screenshot(path=str(failure))
                    print(f"failed; the page at that moment is in {failure}")
                    raise
                finally:
                    browser.close()
            for name, (loaded, navigated) in timings.items():
                print(f"{name}: warm page load {loaded:.2f} s, sidebar navigation {navigated:.2f} s")
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
