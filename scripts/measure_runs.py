"""Runs in a real server and browser: server memory over many trainings, prediction latency in the server idle
and while a run trains, and the time from a reload to the live charts.

    .venv/bin/python -m scripts.measure_runs [TRAININGS]   (20 by default; one line per figure, then JSON)

Starts its own server on a free port with temporary FMNIST_* folders.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time

from playwright.sync_api import expect, sync_playwright

from scripts import stroke_support
from tests.e2e.e2e_support import SLOW, choose_radio, main, open_page, predict_latencies, prediction_box, start_training
from tests.e2e.server_support import CHROMIUM, CHROMIUM_ARGS

# The attached run in the Train page's URL, among the form's own settings.
RUN_URL = re.compile(r"[?&]run=(\d{8}-\d{6}-[0-9a-f]{8})(?:&|$)")


def run_id(page) -> str | None:
    match = RUN_URL.search(page.url)
    return match.group(1) if match else None


def main_script(trainings: int) -> dict:
    target = stroke_support.Target(None, "measure-runs-server.log")
    server = target.server
    figures: dict = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            trainer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            predictor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            open_page(trainer, server, "train", "Train a model")
            rss = [server.rss_mb()]
            print(f"server RSS with the Train page open, before any training: {rss[0]:.1f} MiB", flush=True)
            for number in range(1, trainings + 1):
                before = run_id(trainer)
                start_training(trainer, "mlp", 300, 1)
                if before:
                    expect(trainer).not_to_have_url(re.compile(rf"[?&]run={re.escape(before)}(?:&|$)"), timeout=SLOW)
                expect(trainer).to_have_url(RUN_URL, timeout=SLOW)
                # The new run's own status line (the previous run's results may linger in the page a moment).
                expect(main(trainer).get_by_text(f"Run {run_id(trainer)} · finished")).to_be_visible(timeout=SLOW)
                expect(main(trainer).get_by_text("Evaluation on the test images")).to_be_visible(timeout=SLOW)
                rss.append(server.rss_mb())
                print(f"after training {number:2d}: server RSS {rss[-1]:.1f} MiB", flush=True)
            figures["rss_series_mib"] = [round(value, 1) for value in rss]
            figures["rss_mib"] = {"before": round(rss[0], 1), "after_first": round(rss[1], 1), "after_last": round(rss[-1], 1),
                                  "growth_after_first": round(rss[-1] - rss[1], 1), "growth_in_all": round(rss[-1] - rss[0], 1)}  # fmt: skip

            open_page(predictor, server, "predict", "Predict")
            choose_radio(predictor, "Test sample")
            expect(prediction_box(predictor)).to_be_visible(timeout=SLOW)
            predict_latencies(predictor, [1, 2, 3])  # Warm-up.
            idle = predict_latencies(predictor, list(range(10, 30)))
            start_training(trainer, "cnn", 30000, 30)
            expect(main(trainer).get_by_text(re.compile(r"Epoch \d+/30 · batch"))).to_be_visible(timeout=SLOW)
            busy = predict_latencies(predictor, list(range(40, 60)))
            reloads = []
            for _ in range(5):
                trainer.reload()
                started = time.monotonic()
                expect(main(trainer).get_by_test_id("stVegaLiteChart")).to_have_count(2, timeout=SLOW)
                reloads.append(time.monotonic() - started)
            main(trainer).get_by_role("button", name="Stop", exact=True).click()
            expect(main(trainer).get_by_text("Training was stopped")).to_be_visible(timeout=SLOW)
            figures["predict_in_browser_s"] = {"idle_p50": round(statistics.median(idle), 3), "training_p50": round(statistics.median(busy), 3),
                                               "ratio": round(statistics.median(busy) / statistics.median(idle), 2)}  # fmt: skip
            figures["reload_to_charts_s"] = {"median": round(statistics.median(reloads), 2), "max": round(max(reloads), 2)}
            browser.close()
    finally:
        target.close()
    r, p, c = figures["rss_mib"], figures["predict_in_browser_s"], figures["reload_to_charts_s"]
    print(f"server RSS: {r['before']} MiB before, {r['after_first']} after the first training, {r['after_last']} after {trainings} "
          f"(+{r['growth_after_first']} MiB over trainings 2..{trainings}, +{r['growth_in_all']} MiB in all)")  # fmt: skip
    print(
        f"prediction in the browser (type index -> prediction shown), p50: idle {p['idle_p50']:.3f} s, "
        f"while a CNN trains {p['training_p50']:.3f} s ({p['ratio']:.2f}x)"
    )
    print(f"reload -> both live charts back: median {c['median']:.2f} s, max {c['max']:.2f} s (5 reloads)")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trainings", nargs="?", type=int, default=20, help="tiny MLP trainings to run (default: 20)")
    print(json.dumps(main_script(parser.parse_args().trainings)))
