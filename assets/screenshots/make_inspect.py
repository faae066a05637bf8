"""Screenshots of the "Inside the model" page: every view, in English and Chinese, for the CNN and an MLP.

Run: `.venv/bin/python assets/screenshots/make_inspect.py [MODEL_DIR]`. MODEL_DIR (default: a temporary
folder) may hold a saved MLP, e.g. from `python -m fmnist train --model mlp --epochs 3 --name mlp-demo`;
its views are shot too. Pictures go to assets/screenshots/inspect/. It reuses make.py's server and helpers.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make import CHROMIUM, CHROMIUM_ARGS, WIDTH, free_port, settle, shrink, start_server  # noqa: E402

OUT = HERE / "inspect"
VIEWS = ("steps", "layers", "templates", "why", "errors", "embedding", "neighbours")


def choose(page: Page, key: str, option: str) -> None:
    """Pick the option that contains `option` in the selectbox with widget key `key`."""
    page.locator(f".st-key-{key} [data-testid=stSelectbox]").click()
    page.get_by_role("option").filter(has_text=option).first.click()
    settle(page, timeout=180)


def shoot_views(page: Page, suffix: str, views=VIEWS) -> None:
    for view in views:
        box = page.locator(f".st-key-{view}")
        if box.count() == 0:
            print(f"no view {view} for {suffix}")
            continue
        # The whole page fits in the viewport, so every part of the view is drawn.
        height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": WIDTH, "height": max(1000, min(int(height) + 40, 12000))})
        page.wait_for_timeout(600)
        path = OUT / f"{view}-{suffix}.png"
        box.screenshot(path=str(path))
        shrink(path)
        page.set_viewport_size({"width": WIDTH, "height": 1000})
        print(f"saved {view}-{suffix}.png")


def hover_map(page: Page, name: str) -> None:
    """Hover over the middle of the hidden-layer map until a tooltip with a picture shows; shoot the viewport."""
    chart = page.locator(".st-key-embedding canvas").nth(1)
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    for dx in range(0, 200, 6):
        for dy in (0, 10, -10, 20, -20):
            page.mouse.move(box["x"] + box["width"] / 2 + dx - 100, box["y"] + box["height"] / 2 + dy)
            page.wait_for_timeout(60)
            if page.locator("#vg-tooltip-element img").count() and page.locator("#vg-tooltip-element").is_visible():
                page.wait_for_timeout(300)
                page.screenshot(path=str(OUT / f"{name}.png"))
                shrink(OUT / f"{name}.png")
                print(f"saved {name}.png (tooltip with a picture)")
                return
    print("no tooltip with a picture appeared")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    model_dir = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
    port = free_port()
    server = start_server(port, model_dir)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": WIDTH, "height": 1000})
            try:
                page.goto(f"http://127.0.0.1:{port}/inspect")
                settle(page, timeout=180)
                page.get_by_text("Test sample", exact=True).click()
                page.locator(".st-key-neighbours").wait_for(timeout=300_000)
                settle(page, timeout=300)
                shoot_views(page, "cnn-en")
                hover_map(page, "map-tooltip")
                page.get_by_text("Upload", exact=True).click()
                settle(page)
                page.get_by_role("button", name="Try").nth(1).click()
                page.locator(".st-key-steps").wait_for(timeout=120_000)
                settle(page, timeout=120)
                shoot_views(page, "cnn-upload-en", ("steps", "why", "neighbours"))
                page.get_by_text("Test sample", exact=True).click()
                settle(page, timeout=120)
                has_mlp = Path(model_dir, "mlp-demo.keras").is_file()
                if has_mlp:
                    choose(page, "inspect_model", "mlp-demo (mlp")
                    page.locator(".st-key-neighbours").wait_for(timeout=300_000)
                    settle(page, timeout=300)
                    shoot_views(page, "mlp-en")
                page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
                settle(page, timeout=120)
                if has_mlp:
                    shoot_views(page, "mlp-zh")
                    choose(page, "inspect_model", "default (cnn")
                    page.locator(".st-key-neighbours").wait_for(timeout=300_000)
                    settle(page, timeout=300)
                shoot_views(page, "cnn-zh")
            except Exception:
                page.screenshot(path=str(OUT / "failure.png"))
                raise
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
