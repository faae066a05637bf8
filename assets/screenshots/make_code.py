"""Screenshots of the tutorial's code beside each step: Browse, Train, Predict, Inside the model, in English and Chinese.

Run: `.venv/bin/python assets/screenshots/make_code.py`. Pictures go to assets/screenshots/code_<page>_<lang>.png,
each cropped to the opened expander. It reuses make.py's server and helpers.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make import CHROMIUM, CHROMIUM_ARGS, WIDTH, free_port, settle, shrink, start_server  # noqa: E402

WORDS = {
    "en": {"test": "Test", "tutorial": "As in the tutorial", "sample": "Test sample"},
    "zh": {"test": "测试集", "tutorial": "按教程设置", "sample": "测试样本"},
}


def open_page(page: Page, base: str, path: str, lang: str) -> None:
    page.goto(f"{base}/{path}")
    settle(page, timeout=120)
    if lang == "zh":
        page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
        settle(page, timeout=120)


def fill(page: Page, key: str, value: str) -> None:
    page.locator(f".st-key-{key} input").fill(value)
    page.locator(f".st-key-{key} input").press("Tab")
    settle(page, timeout=120)


def shoot_code(page: Page, key: str, name: str) -> None:
    """Open the expander `key` and save it alone."""
    page.set_viewport_size({"width": WIDTH, "height": 4000})
    expander = page.locator(f".st-key-{key}")
    expander.locator("summary").click()
    settle(page, timeout=120)
    path = HERE / f"{name}.png"
    expander.screenshot(path=str(path))
    shrink(path)
    page.set_viewport_size({"width": WIDTH, "height": 900})
    print(f"saved {path.name}")


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as models:
        server = start_server(port, models)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": WIDTH, "height": 900})
                for lang, words in WORDS.items():
                    open_page(page, base, "browse", lang)
                    page.get_by_text(words["test"], exact=True).click()
                    settle(page)
                    fill(page, "browse_page", "3")
                    shoot_code(page, "code_grid", f"code_browse_{lang}")
                    open_page(page, base, "train", lang)
                    page.get_by_role("button", name=words["tutorial"]).click()
                    settle(page)
                    fill(page, "train_limit", "12000")
                    shoot_code(page, "code_train", f"code_train_{lang}")
                    for path in ("predict", "inspect"):
                        open_page(page, base, path, lang)
                        page.get_by_text(words["sample"], exact=True).click()
                        settle(page, timeout=600)
                        fill(page, "sample_index", "42")
                        shoot_code(page, f"code_{path}", f"code_{path}_{lang}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
