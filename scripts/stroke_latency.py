"""Stroke on the canvas -> updated prediction, in Chromium against a real `streamlit run`.

    .venv/bin/python -m scripts.stroke_latency [--strokes 20] [--url http://host:port]
    .venv/bin/python -m scripts.stroke_latency --first [--no-warm-up] [--script app.py]
    .venv/bin/python -m scripts.stroke_latency --training [--strokes 20]
    .venv/bin/python -m scripts.stroke_latency --live [--strokes 20]

Default: opens /predict, draws a base drawing, then times `--strokes` strokes from mouse-up to the
prediction they cause (see scripts/stroke_support.py for how), and prints p50 / p95.
--first: a fresh server; the time from opening /predict to the first prediction, and from that first
stroke's mouse-up to its prediction (--no-warm-up: with the server's background warm-up switched off).
--training: idle strokes, then a CNN training started on the Train page in another browser context
(so a child process of the server at its lower priority), strokes again while it trains; prints the ratio.
--live: the stroke is drawn at a hand's pace (a move every 16 ms) with the button held down; times from its last
pointer move until the prediction column shows that drawing's prediction, before the button is released.
Without --url the script starts its own server on a free port with temporary FMNIST_* folders.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from scripts import stroke_support
from tests.e2e.e2e_support import (
    FAST,
    SLOW,
    canvas,
    draw_first_stroke,
    draw_strokes,
    main,
    start_training,
    undo_button,
    wait_until_idle,
)
from tests.e2e.server_support import CHROMIUM, CHROMIUM_ARGS

TIMEOUT_MS = 60_000


def new_page(browser):
    """A page in a new browser context (a new Streamlit session) that notes when it sends messages."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(stroke_support.SEND_LOG_JS)
    return context.new_page()


def open_predict(page, url: str) -> None:
    page.goto(f"{url}/predict")
    expect(main(page).get_by_role("heading", name="Predict", exact=True)).to_be_visible(timeout=SLOW)
    expect(canvas(page)).to_be_visible(timeout=SLOW)
    wait_until_idle(page, timeout=SLOW / 1000)


def prediction_text(page) -> str | None:
    return page.evaluate(stroke_support.PREDICTION_TEXT_JS)


def settled_text(page, quiet: float = 1.5) -> str | None:
    """The prediction column's text once it has not changed for `quiet` seconds ("not running" alone can come
    before the last stroke's rerun has started)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    text, since = prediction_text(page), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        now = prediction_text(page)
        if now != text:
            text, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return text
    raise TimeoutError("the prediction kept changing")


def undo_to(page, text: str) -> None:
    undo_button(page).click()
    page.wait_for_function(stroke_support.TEXT_IS_JS, arg=text, timeout=TIMEOUT_MS)
    wait_until_idle(page, quiet=0.2)


def calibrate(page) -> tuple[str, list, str]:
    """Draw the base; find a stroke that changes its prediction text. Returns (P0, stroke, P1)."""
    draw_first_stroke(page, stroke_support.BASE[0])
    draw_strokes(page, stroke_support.BASE[1:])
    page.wait_for_function("() => !!document.querySelector('.st-key-prediction')", timeout=TIMEOUT_MS)
    before = settled_text(page)
    for stroke in stroke_support.CANDIDATES:
        draw_strokes(page, [stroke])
        with contextlib.suppress(PlaywrightError):
            page.wait_for_function(stroke_support.TEXT_IS_NOT_JS, arg=before, timeout=10_000)
        after = settled_text(page)
        undo_to(page, before)
        if after != before:
            return before, stroke, after
    raise RuntimeError("no candidate stroke changes the prediction text of the base drawing")


def timed_stroke(page, stroke: list, expected: str | None) -> tuple[float, float]:
    """Draw one stroke; the ms from its mouse-up until the prediction column shows `expected` (None: any text),
    and until the canvas sent its value."""
    page.evaluate(stroke_support.TIMER_JS, [expected, TIMEOUT_MS])
    draw_strokes(page, [stroke])
    latency, sent = page.evaluate("window.pendingStroke")
    if latency < 0:
        raise TimeoutError(f"no updated prediction within {TIMEOUT_MS / 1000:.0f} s of the mouse-up")
    return latency, sent


def live_stroke(page, stroke: list, expected: str) -> float:
    """Draw `stroke` with the button held; the ms from the last move until `expected` is shown, then release."""
    box = canvas(page).bounding_box()
    scale = box["width"] / 280
    page.evaluate(stroke_support.LIVE_TIMER_JS, [expected, TIMEOUT_MS])
    points = stroke_support.stroke_points(stroke)
    page.mouse.move(box["x"] + points[0][0] * scale, box["y"] + points[0][1] * scale)
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)
        page.wait_for_timeout(16)
    latency = page.evaluate("window.pendingLive")
    page.mouse.up()
    if latency < 0:
        raise TimeoutError(f"no live prediction within {TIMEOUT_MS / 1000:.0f} s of the last move")
    return latency


def measure_live(page, count: int, calibration: tuple[str, list, str]) -> list[float]:
    """`count` live strokes from the base drawing to P1, each undone before the next."""
    before, stroke, after = calibration
    latencies = []
    for _ in range(count):
        latencies.append(live_stroke(page, stroke, after))
        wait_until_idle(page, quiet=0.2)
        undo_to(page, before)
    return latencies


def measure_strokes(page, count: int, calibration: tuple[str, list, str]) -> list[tuple[float, float]]:
    """`count` strokes from the base drawing to P1, each undone before the next."""
    before, stroke, after = calibration
    latencies = []
    for _ in range(count):
        latencies.append(timed_stroke(page, stroke, after))
        wait_until_idle(page, quiet=0.2)
        undo_to(page, before)
    return latencies


def first_prediction(page, url: str) -> str:
    """Open /predict and draw at once; the times to the first prediction."""
    opened = time.monotonic()
    open_predict(page, url)
    ready = time.monotonic() - opened
    for _ in range(4):  # The canvas may not listen to the mouse for a moment after it appears.
        page.evaluate(stroke_support.TIMER_JS, [None, TIMEOUT_MS])
        draw_strokes(page, [stroke_support.BASE[0]])
        with contextlib.suppress(AssertionError):
            expect(undo_button(page)).to_be_enabled(timeout=3000)
            break
    latency, _ = page.evaluate("window.pendingStroke")
    total = time.monotonic() - opened
    return (
        f"first prediction: page opened -> canvas ready {ready:.2f} s; mouse-up -> prediction {latency / 1000:.2f} s; "
        f"page opened -> prediction {total:.2f} s"
    )


def run_training_mode(browser, page, target: stroke_support.Target, strokes: int, calibration) -> None:
    from fmnist.runs import store

    meter = stroke_support.CpuMeter(target.pid)
    idle = measure_strokes(page, strokes, calibration)
    print(f"idle: {stroke_support.summary(idle)}; {meter.report()}")
    trainer = new_page(browser)
    trainer.goto(f"{target.url}/train")
    expect(main(trainer).get_by_role("heading", name="Train a model", exact=True)).to_be_visible(timeout=SLOW)
    start_training(trainer, "cnn", 60000, 20)  # The fast default CNN: long enough to outlast the strokes.
    if target.server:  # Wait until the child trains (past its TensorFlow import).
        deadline = time.monotonic() + SLOW / 1000
        while time.monotonic() < deadline and not any(any(r.history().values()) for r in store.list_runs()):
            page.wait_for_timeout(200)
    meter = stroke_support.CpuMeter(target.pid)
    busy = measure_strokes(page, strokes, calibration)
    still = [r.status().get("status") for r in store.list_runs()] if target.server else ["?"]
    print(f"while training: {stroke_support.summary(busy)}; run status at the end: {still}; {meter.report()}")
    ratio = statistics.median(t for t, _ in busy) / statistics.median(t for t, _ in idle)
    print(f"ratio of the p50s, training / idle: {ratio:.2f}")
    with contextlib.suppress(Exception):
        main(trainer).get_by_role("button", name="Stop").first.click(timeout=FAST)


def main_cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an already running server (default: start one)")
    parser.add_argument("--strokes", type=int, default=20, help="strokes to time (default: 20)")
    parser.add_argument("--first", action="store_true", help="time the first prediction of a fresh server")
    parser.add_argument("--no-warm-up", action="store_true", help="with --first: switch the warm-up off")
    parser.add_argument("--training", action="store_true", help="also time strokes while a CNN trains")
    parser.add_argument("--live", action="store_true", help="time the prediction during a stroke (button held)")
    parser.add_argument(
        "--script", default="server.py", help="what the server it starts runs: server.py (as `make run`) or app.py"
    )
    args = parser.parse_args()
    if args.first and args.url:
        parser.error("--first needs a fresh server: leave out --url")
    target = stroke_support.Target(args.url, "stroke-latency-server.log", warm_up=not args.no_warm_up, script=args.script)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = new_page(browser)
            if args.first:
                print(first_prediction(page, target.url) + f"; load {stroke_support.loadavg()}")
                return
            open_predict(page, target.url)
            calibration = calibrate(page)
            print(f"base -> {calibration[0]!r}; stroke -> {calibration[2]!r}")
            if args.live:
                meter = stroke_support.CpuMeter(target.pid)
                print(f"live: {stroke_support.live_summary(measure_live(page, args.strokes, calibration))}")
                print(meter.report())
            elif args.training:
                run_training_mode(browser, page, target, args.strokes, calibration)
            else:
                meter = stroke_support.CpuMeter(target.pid)
                print(f"stroke -> prediction: {stroke_support.summary(measure_strokes(page, args.strokes, calibration))}")
                print(meter.report())
            browser.close()
    finally:
        target.close()


if __name__ == "__main__":
    main_cli()
