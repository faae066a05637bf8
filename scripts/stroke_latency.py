"""Stroke on the canvas -> updated prediction, in Chromium against a real `streamlit run` (issue 11).

    .venv/bin/python scripts/stroke_latency.py [--strokes 20] [--url http://host:port]
    .venv/bin/python scripts/stroke_latency.py --first [--no-warm-up] [--script app.py]
    .venv/bin/python scripts/stroke_latency.py --training [--strokes 20]

Default: opens /predict, draws a base drawing, then times `--strokes` strokes from mouse-up to the
prediction they cause (see scripts/stroke_support.py for how), and prints p50 / p95.
--first: a fresh server; the time from opening /predict to the first prediction, and from that first
stroke's mouse-up to its prediction (--no-warm-up: with the server's background warm-up switched off).
--training: idle strokes, then a CNN training started on the Train page in another browser context
(so a child process of the server at its lower priority), strokes again while it trains; prints the ratio.
Without --url the script starts its own server on a free port with temporary FMNIST_* folders.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "scripts")]

from e2e.e2e_support import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
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
from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402
from stroke_support import (  # noqa: E402
    BASE,
    CANDIDATES,
    PREDICTION_TEXT_JS,
    SEND_LOG_JS,
    TEXT_IS_JS,
    TEXT_IS_NOT_JS,
    TIMER_JS,
    CpuMeter,
    isolated_environment,
    loadavg,
    stop_and_clean_up,
    summary,
)

TIMEOUT_MS = 60_000


class Target:
    """A server URL: given, or a `streamlit run` this script starts (and stops)."""

    def __init__(self, url: str | None, warm_up: bool = True, script: str = "server.py"):
        self.url, self.server, self.folder = url, None, None
        if url is None:
            from e2e.e2e_support import StreamlitServer

            self.folder = isolated_environment()
            log = ARTIFACTS / "stroke-latency-server.log"
            self.server = StreamlitServer(f"{self.folder.name}/models", log, warm_up=warm_up, script=script).start()
            self.url = self.server.url

    @property
    def pid(self) -> int | None:
        return self.server.pid if self.server else None

    def close(self) -> None:
        if self.server:
            stop_and_clean_up(self.server, self.folder)


def new_page(browser):
    """A page in a new browser context (a new Streamlit session) that notes when it sends messages."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(SEND_LOG_JS)
    return context.new_page()


def open_predict(page, url: str) -> None:
    page.goto(f"{url}/predict")
    expect(main(page).get_by_role("heading", name="Predict", exact=True)).to_be_visible(timeout=SLOW)
    expect(canvas(page)).to_be_visible(timeout=SLOW)
    wait_until_idle(page, timeout=SLOW / 1000)


def prediction_text(page) -> str | None:
    return page.evaluate(PREDICTION_TEXT_JS)


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
    page.wait_for_function(TEXT_IS_JS, arg=text, timeout=TIMEOUT_MS)
    wait_until_idle(page, quiet=0.2)


def calibrate(page) -> tuple[str, list, str]:
    """Draw the base; find a stroke that changes its prediction text. Returns (P0, stroke, P1)."""
    draw_first_stroke(page, BASE[0])
    draw_strokes(page, BASE[1:])
    page.wait_for_function("() => !!document.querySelector('.st-key-prediction')", timeout=TIMEOUT_MS)
    before = settled_text(page)
    for stroke in CANDIDATES:
        draw_strokes(page, [stroke])
        with contextlib.suppress(PlaywrightError):
            page.wait_for_function(TEXT_IS_NOT_JS, arg=before, timeout=10_000)
        after = settled_text(page)
        undo_to(page, before)
        if after != before:
            return before, stroke, after
    raise RuntimeError("no candidate stroke changes the prediction text of the base drawing")


def timed_stroke(page, stroke: list, expected: str | None) -> tuple[float, float]:
    """Draw one stroke; the ms from its mouse-up until the prediction column shows `expected` (None: any text),
    and until the canvas sent its value."""
    page.evaluate(TIMER_JS, [expected, TIMEOUT_MS])
    draw_strokes(page, [stroke])
    latency, sent = page.evaluate("window.pendingStroke")
    if latency < 0:
        raise TimeoutError(f"no updated prediction within {TIMEOUT_MS / 1000:.0f} s of the mouse-up")
    return latency, sent


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
        page.evaluate(TIMER_JS, [None, TIMEOUT_MS])
        draw_strokes(page, [BASE[0]])
        with contextlib.suppress(AssertionError):
            expect(undo_button(page)).to_be_enabled(timeout=3000)
            break
    latency, _ = page.evaluate("window.pendingStroke")
    total = time.monotonic() - opened
    return (
        f"first prediction: page opened -> canvas ready {ready:.2f} s; mouse-up -> prediction {latency / 1000:.2f} s; "
        f"page opened -> prediction {total:.2f} s"
    )


def run_training_mode(browser, page, target: Target, strokes: int, calibration) -> None:
    from fmnist.runs import store

    meter = CpuMeter(target.pid)
    idle = measure_strokes(page, strokes, calibration)
    print(f"idle: {summary(idle)}; {meter.report()}")
    trainer = new_page(browser)
    trainer.goto(f"{target.url}/train")
    expect(main(trainer).get_by_role("heading", name="Train a model", exact=True)).to_be_visible(timeout=SLOW)
    start_training(trainer, "cnn", 60000, 20)  # The fast default CNN: long enough to outlast the strokes.
    if target.server:  # Wait until the child trains (past its TensorFlow import).
        deadline = time.monotonic() + SLOW / 1000
        while time.monotonic() < deadline and not any(any(r.history().values()) for r in store.list_runs()):
            page.wait_for_timeout(200)
    meter = CpuMeter(target.pid)
    busy = measure_strokes(page, strokes, calibration)
    still = [r.status().get("status") for r in store.list_runs()] if target.server else ["?"]
    print(f"while training: {summary(busy)}; run status at the end: {still}; {meter.report()}")
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
    parser.add_argument(
        "--script", default="server.py", help="what the server it starts runs: server.py (as `make run`) or app.py"
    )
    args = parser.parse_args()
    if args.first and args.url:
        parser.error("--first needs a fresh server: leave out --url")
    target = Target(args.url, warm_up=not args.no_warm_up, script=args.script)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = new_page(browser)
            if args.first:
                print(first_prediction(page, target.url) + f"; load {loadavg()}")
                return
            open_predict(page, target.url)
            calibration = calibrate(page)
            print(f"base -> {calibration[0]!r}; stroke -> {calibration[2]!r}")
            if args.training:
                run_training_mode(browser, page, target, args.strokes, calibration)
            else:
                meter = CpuMeter(target.pid)
                print(f"stroke -> prediction: {summary(measure_strokes(page, args.strokes, calibration))}")
                print(meter.report())
            browser.close()
    finally:
        target.close()


if __name__ == "__main__":
    main_cli()
