"""Screenshots of /runs comparing a 3-seed group against a pinned baseline, in English and Chinese.

Run: `.venv/bin/python assets/screenshots/make_runs_seeds.py`. In a temporary runs folder it trains, with the command
line, a baseline (the MLP, 3 epochs on 2,000 images) and a group of the same but batch size 64 (`--seeds 0,1,2`), then
opens /runs?baseline=<the baseline>, groups by settings, ticks the group and draws the curves by epoch. Pictures:
runs_seeds_baseline_en.png and runs_seeds_baseline_zh.png. It reuses make.py's helpers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make import CHROMIUM, CHROMIUM_ARGS, ROOT, WIDTH, free_port, settle, shoot, start_server  # noqa: E402

GROUP_BY = {"en": "Group by settings", "zh": "按设置分组"}


def train(*options: str) -> None:
    command = [sys.executable, "-m", "fmnist", "train", "--epochs", "3", "--limit", "2000", *options]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def tick_first_row(page: Page) -> None:
    """Tick the first row of the table: its checkbox sits at the left of the grid, under the header row."""
    grid = page.get_by_test_id("stDataFrame").first.bounding_box()
    page.mouse.click(grid["x"] + 18, grid["y"] + 35 + 17)
    settle(page)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="fmnist-shots-") as folder:
        os.environ["FMNIST_RUNS_DIR"] = str(Path(folder) / "runs")
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
        train()
        (baseline,) = os.listdir(os.environ["FMNIST_RUNS_DIR"])
        train("--batch-size", "64", "--seeds", "0,1,2")
        port = free_port()
        server = start_server(port, str(Path(folder) / "models"))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": WIDTH, "height": 900})
                page.goto(f"http://127.0.0.1:{port}/runs?baseline={baseline}")
                settle(page)
                page.get_by_text(GROUP_BY["en"], exact=True).click()
                settle(page)
                tick_first_row(page)
                page.get_by_test_id("stMain").get_by_text("epoch", exact=True).click()
                settle(page)
                shoot(page, "runs_seeds_baseline_en")
                page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
                settle(page)
                shoot(page, "runs_seeds_baseline_zh")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
