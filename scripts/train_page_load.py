"""What one watching Train page costs while its run trains: the CPU of Chromium and of the server.

    .venv/bin/python -m scripts.train_page_load [--seconds 20] [--watchers 1]

Starts its own server (temporary FMNIST_* folders), opens /train in `--watchers` browser contexts, starts a CNN
on 60,000 images in the first (long enough to outlast the measurement), waits until its curves have points and
the page has settled, then measures for `--seconds`. Each live page reruns its fragments on its own (progress
every second, curves and grid every few), so this is the price of a learner who watches a run; the training
child's own CPU is given apart, and it takes what the rest leaves (SCHED_IDLE).
"""

from __future__ import annotations

import argparse
import time

from playwright.sync_api import expect, sync_playwright

from fmnist.runs import store
from scripts import stroke_support
from tests.e2e.e2e_support import main as main_area
from tests.e2e.e2e_support import start_training
from tests.e2e.server_support import CHROMIUM, CHROMIUM_ARGS

TIMEOUT_MS = 120_000


def has_points() -> bool:
    return any(any(run.history().values()) for run in store.list_runs())


def measure(url: str, pid: int, watchers: int, seconds: float) -> str:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = [browser.new_context(viewport={"width": 1280, "height": 900}).new_page() for _ in range(watchers)]
        first = pages[0]
        first.goto(f"{url}/train", timeout=TIMEOUT_MS)
        expect(main_area(first).get_by_role("heading", name="Train a model", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
        start_training(first, "cnn", 60000, 20)
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not has_points():
            if time.monotonic() > deadline:
                raise TimeoutError("the run recorded no batch in time")
            first.wait_for_timeout(200)
        for page in pages[1:]:  # The others open the run's link, as a class would.
            page.goto(first.url, timeout=TIMEOUT_MS)
        for page in pages:
            expect(main_area(page).get_by_text("What it predicts now")).to_be_visible(timeout=TIMEOUT_MS)
        first.wait_for_timeout(5000)  # Past the pages' first full runs.
        meter = stroke_support.CpuMeter(pid)
        first.wait_for_timeout(seconds * 1000)
        report = meter.report()
        browser.close()
        return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long to measure (default: 20)")
    parser.add_argument("--watchers", type=int, default=1, help="browser contexts that watch the run (default: 1)")
    args = parser.parse_args()
    target = stroke_support.Target(None, "train-page-load-server.log")
    try:
        print(f"load before: {stroke_support.loadavg()}")
        print(
            f"{args.watchers} watching Train page(s), CNN training: {measure(target.url, target.pid, args.watchers, args.seconds)}"
        )
    finally:
        target.close()


if __name__ == "__main__":
    main()
