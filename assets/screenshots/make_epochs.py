"""Screenshots of the Train page's per-epoch view: the live 5×5 grid while a run trains, and the replay slider.

Run: `.venv/bin/python assets/screenshots/make_epochs.py [en] [zh]`. It trains two short MLP runs (all 60,000 images,
batch size 16, 5 epochs: slow enough to catch between two epochs), the first in English and the second in
Chinese, in a temporary runs folder. Pictures go to assets/screenshots/epochs/. It reuses make.py's helpers.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make import CHROMIUM, CHROMIUM_ARGS, WIDTH, free_port, settle, shrink, start_server  # noqa: E402

OUT = HERE / "epochs"
EPOCHS = 5
LIVE_TEXT = {"en": "After epoch 2", "zh": "第 2 轮之后"}  # What the live grid says once it is worth a picture.
START = {"en": "Start training", "zh": "开始训练"}


def shoot(page: Page, key: str, name: str) -> None:
    """Save the part of the page in the container with widget key `key`."""
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": max(1000, min(int(height) + 40, 12000))})
    page.wait_for_timeout(800)
    path = OUT / f"{name}.png"
    page.locator(f".st-key-{key}").screenshot(path=str(path))
    shrink(path)
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    print(f"saved {path.relative_to(HERE)}")


def train(page: Page, base: str, language: str, live_text: str) -> None:
    """Start a run, shoot its live grid once an epoch or two are in, then its replay at epoch 1 and at the end."""
    page.goto(base)  # A new session, in English.
    settle(page)
    if language == "zh":
        page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
        settle(page)
    # The language is chosen on the home page, so the Train page draws its form in it from the start.
    page.get_by_test_id("stSidebarNav").get_by_role("link").nth(2).click()
    settle(page)
    page.locator(".st-key-train_epochs input").fill(str(EPOCHS))
    page.locator(".st-key-train_epochs input").press("Tab")  # The form is live: a value is sent on blur.
    settle(page)
    page.locator(".st-key-train_batch_size [data-testid=stSelectbox]").click()
    page.get_by_role("option", name="16", exact=True).click()
    settle(page)
    page.get_by_test_id("stMain").get_by_role("button", name=START[language], exact=True).click()
    page.locator(".st-key-epochs_live").get_by_text(live_text).wait_for(timeout=180_000)
    page.wait_for_timeout(1500)
    shoot(page, "epochs_live", f"live-{language}")
    page.locator(".st-key-epochs_replay").wait_for(timeout=600_000)
    settle(page, timeout=120)
    shoot(page, "epochs_replay", f"replay-last-{language}")
    slider = page.locator(".st-key-epochs_replay input[type=range]")
    slider.focus()
    slider.press("Home")  # Epoch 1.
    page.wait_for_timeout(500)
    settle(page, timeout=120)
    shoot(page, "epochs_replay", f"replay-first-{language}")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    port = int(os.environ.get("PORT", 0)) or free_port()
    with tempfile.TemporaryDirectory() as model_dir, tempfile.TemporaryDirectory() as runs_dir:
        os.environ["FMNIST_RUNS_DIR"] = runs_dir
        server = start_server(port, model_dir)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": WIDTH, "height": 1000})
                base = f"http://127.0.0.1:{port}"
                try:
                    for language in sys.argv[1:] or LIVE_TEXT:
                        train(page, base, language, LIVE_TEXT[language])
                except Exception:
                    failure = Path(tempfile.gettempdir()) / "fmnist-epochs-failure.png"
                    page.screenshot(path=str(failure), full_page=True)
                    print(f"failed; the page at that moment is in {failure}")
                    raise
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
