"""The server's memory over many predictions and trainings, measured against a real `streamlit run`.

    .venv/bin/python -m scripts.server_memory [--predictions 200] [--trainings 3]

Starts the app on a free port with temporary FMNIST_* folders (the browser tests' server),
opens the Predict page in Debian's Chromium, predicts test images one after another
and reads the server's resident memory (VmRSS) every 50 predictions; then runs small
MLP trainings one after another on the Train page, reading it after each. The figures
go to the report; tests/e2e/test_e2e_faults.py checks only that the server keeps serving.
"""

from __future__ import annotations

import argparse
import time

from playwright.sync_api import expect, sync_playwright

from scripts import stroke_support
from tests.e2e.e2e_support import SLOW, choose_radio, main, open_page, predict_latencies, prediction_box, start_training
from tests.e2e.server_support import CHROMIUM, CHROMIUM_ARGS


def measure(predictions: int, trainings: int) -> None:
    target = stroke_support.Target(None, "server-memory.log")
    server = target.server
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                open_page(page, server, "predict", "Predict")
                choose_radio(page, "Test sample")
                expect(prediction_box(page)).to_be_visible(timeout=SLOW)
                predict_latencies(page, list(range(1, 21)))  # Warm up: caches and allocators reach their working size.
                readings = [server.rss_mb()]
                started = time.monotonic()
                for block in range(0, predictions, 50):
                    predict_latencies(page, list(range(100 + block, 100 + min(predictions, block + 50))))
                    readings.append(server.rss_mb())
                seconds = time.monotonic() - started
                print(
                    f"server RSS over {predictions} predictions (every 50): "
                    + " -> ".join(f"{mb:.0f}" for mb in readings)
                    + f" MiB; growth {readings[-1] - readings[0]:+.0f} MiB ({seconds / predictions:.2f} s per prediction)"
                )
                open_page(page, server, "train", "Train a model")
                after = [server.rss_mb()]
                for _ in range(trainings):
                    start_training(page, "mlp", 3000, 1)
                    expect(main(page).get_by_text("Evaluation on the test images")).to_be_visible(timeout=SLOW)
                    expect(main(page).get_by_role("button", name="Save model")).to_be_visible(timeout=SLOW)
                    after.append(server.rss_mb())
                print(
                    f"server RSS over {trainings} MLP trainings (3,000 images, 1 epoch each): "
                    + " -> ".join(f"{mb:.0f}" for mb in after)
                    + f" MiB; growth after the first {after[-1] - after[1]:+.0f} MiB"
                )
            finally:
                browser.close()
    finally:
        target.close()


def main_cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=200, help="predictions to make (default: 200)")
    parser.add_argument("--trainings", type=int, default=3, help="trainings to run one after another (default: 3)")
    args = parser.parse_args()
    measure(args.predictions, args.trainings)


if __name__ == "__main__":
    main_cli()
