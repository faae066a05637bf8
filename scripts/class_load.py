"""A class at once: one Chromium, ten browser contexts on one server; one trains, nine draw.

    .venv/bin/python -m scripts.class_load [--drawers 9] [--seconds 60] [--url http://host:port]
    .venv/bin/python -m scripts.class_load --live [--drawers 10] [--seconds 60] [--shots DIR]

Each drawer opens /predict, learns its stroke (see scripts/stroke_support.py), then draws and undoes it
for `--seconds`, timing every stroke from mouse-up to the updated prediction in the page. The trainer
starts a CNN on the Train page first. Prints p50 / p95 over all strokes, the errors (timeouts, exceptions
shown on the page), and the CPU use of the server and its training child, which says what limits it.
--live: no training; the drawers draw at a hand's pace with the button held, so the canvas sends the drawing
about every 100 ms while they draw, and each stroke is timed from its last pointer move to that drawing's
prediction, before the button is released; the server's CPU is per second of drawing.
Without --url the script starts its own server on a free port with temporary FMNIST_* folders.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from fmnist.model import training
from scripts import stroke_support
from tests.e2e.server_support import CHROMIUM, CHROMIUM_ARGS

TIMEOUT_MS = 60_000
# Where a drawer saves a screenshot and the page's text at each of its errors (--shots); None: nowhere.
shots_dir: Path | None = None


async def failed(page, number: int, errors: list, message: str) -> None:
    """Count an error of drawer `number`, and keep what its page showed when --shots asks for it."""
    errors.append(message[:200])
    if shots_dir is None:
        return
    stem = shots_dir / f"drawer{number}-error{len(errors)}"
    with contextlib.suppress(PlaywrightError):
        await page.screenshot(path=f"{stem}.png", full_page=True)
        stem.with_suffix(".txt").write_text(f"{message}\n{page.url}\n\n{await page.inner_text('body')}")


async def draw(page, stroke: list) -> None:
    box = await page.locator(".st-key-canvas canvas.upper-canvas").bounding_box()
    scale = box["width"] / 280
    x, y = stroke[0]
    await page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)
    await page.mouse.down()
    for x, y in stroke[1:]:
        await page.mouse.move(box["x"] + x * scale, box["y"] + y * scale, steps=6)
    await page.mouse.up()


async def live_draw(page, stroke: list, expected: str) -> float:
    """Draw `stroke` at a hand's pace with the button held; ms from the last move to `expected` shown (-1: none)."""
    box = await page.locator(".st-key-canvas canvas.upper-canvas").bounding_box()
    scale = box["width"] / 280
    await page.evaluate(stroke_support.LIVE_TIMER_JS, [expected, TIMEOUT_MS])
    points = stroke_support.stroke_points(stroke)
    await page.mouse.move(box["x"] + points[0][0] * scale, box["y"] + points[0][1] * scale)
    await page.mouse.down()
    for x, y in points[1:]:
        await page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)
        await asyncio.sleep(0.016)
    latency = await page.evaluate("window.pendingLive")
    await page.mouse.up()
    return latency


async def settled(page, quiet: float = 3.0) -> str | None:
    text, since = await page.evaluate(stroke_support.PREDICTION_TEXT_JS), time.monotonic()
    while time.monotonic() - since < quiet:
        await asyncio.sleep(0.1)
        now = await page.evaluate(stroke_support.PREDICTION_TEXT_JS)
        if now != text:
            text, since = now, time.monotonic()
    return text


async def undo_to(page, text: str) -> None:
    await page.locator(".st-key-canvas").get_by_role("button", name="Undo", exact=True).click()
    await page.wait_for_function(stroke_support.TEXT_IS_JS, arg=text, timeout=TIMEOUT_MS)


async def calibrate(page) -> tuple[str, list, str]:
    for _ in range(6):  # The canvas may not listen to the mouse for a moment after it appears.
        await draw(page, stroke_support.BASE[0])
        undo = page.locator(".st-key-canvas").get_by_role("button", name="Undo", exact=True)
        await asyncio.sleep(1)
        if await undo.is_enabled():
            break
    for stroke in stroke_support.BASE[1:]:
        await draw(page, stroke)
    await page.wait_for_function("() => !!predictionColumn()", timeout=TIMEOUT_MS)
    before = await settled(page)
    for stroke in stroke_support.CANDIDATES:
        await draw(page, stroke)
        with contextlib.suppress(PlaywrightError):  # This stroke may leave the text as it was.
            await page.wait_for_function(stroke_support.TEXT_IS_NOT_JS, arg=before, timeout=10_000)
        after = await settled(page)
        await undo_to(page, before)
        if after != before:
            return before, stroke, after
    raise RuntimeError("no candidate stroke changes the prediction")


async def drawer(browser, url: str, number: int, until: list, ready: list, timings: list, errors: list, live: bool) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_init_script(stroke_support.SEND_LOG_JS)
    page = await context.new_page()
    await asyncio.sleep(3 * number)  # Staggered, as a class arrives: nine first strokes at once would time out.
    try:
        await page.goto(f"{url}/predict", timeout=TIMEOUT_MS)
        await page.locator(".st-key-canvas canvas.upper-canvas").wait_for(timeout=TIMEOUT_MS)
        before, stroke, after = await calibrate(page)
    except Exception as error:
        await failed(page, number, errors, f"set-up: {type(error).__name__}: {error}")
        return
    finally:
        ready.append(True)
    while not until or time.monotonic() < until[0]:
        if not until:
            await asyncio.sleep(0.2)  # Waiting for every drawer to be ready.
            continue
        try:
            if live:
                latency = await live_draw(page, stroke, after)
                if latency < 0:
                    await failed(page, number, errors, "timeout: no live prediction within 60 s")
                else:
                    timings.append(latency)
                if await page.get_by_test_id("stException").count():
                    await failed(page, number, errors, "an exception was shown")
                await undo_to(page, before)
                continue
            await page.evaluate(stroke_support.TIMER_JS, [after, TIMEOUT_MS])
            await draw(page, stroke)
            latency, sent = await page.evaluate("window.pendingStroke")
            if latency < 0:
                await failed(page, number, errors, "timeout: no updated prediction within 60 s")
            else:
                timings.append((latency, sent))
            if await page.get_by_test_id("stException").count():
                await failed(page, number, errors, "an exception was shown")
            await undo_to(page, before)
        except Exception as error:
            await failed(page, number, errors, f"{type(error).__name__}: {error}")
    # The context stays open until the CPU report is taken: a closed context's renderer process is gone, and
    # the CPU it used would be missing from Chromium's share.


async def trainer(browser, url: str, errors: list) -> None:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    try:
        await page.goto(f"{url}/train", timeout=TIMEOUT_MS)
        main = page.get_by_test_id("stMain")
        await main.get_by_test_id("stRadio").get_by_text("CNN", exact=True).click(timeout=TIMEOUT_MS)
        epochs = str(training.DEFAULTS["cnn"]["epochs"])  # The CNN's defaults must reach the form first.
        await page.wait_for_function(f"() => document.querySelector('[aria-label=\"Epochs\"]')?.value === '{epochs}'")
        await main.get_by_label("Training images used").fill("60000")
        await main.get_by_label("Epochs", exact=True).fill("30")  # Outlasts the drawing (the default CNN is fast).
        await main.get_by_role("button", name="Start training").click()
    except Exception as error:
        errors.append(f"trainer: {type(error).__name__}: {error}"[:200])


async def run(url: str, pid: int | None, drawers: int, seconds: float, live: bool = False) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        timings, errors, until, ready = [], [], [], []
        if not live:
            await trainer(browser, url, errors)
        tasks = [asyncio.create_task(drawer(browser, url, n, until, ready, timings, errors, live)) for n in range(drawers)]
        # Every drawer learns its stroke first (each stroke reruns the page); then the clock starts.
        deadline = time.monotonic() + 600
        while len(ready) < drawers and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        meter = stroke_support.CpuMeter(pid)
        until.append(time.monotonic() + seconds)
        await asyncio.gather(*tasks)
        if live:
            print(f"{drawers} drawers drawing live, {seconds:.0f} s: {stroke_support.live_summary(timings)}")
        else:
            print(f"{drawers} drawers and 1 training, {seconds:.0f} s: {stroke_support.summary(timings)}")
        print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
        print(meter.report())
        await browser.close()


def set_shots(folder: Path | None) -> None:
    global shots_dir
    shots_dir = folder
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an already running server (default: start one)")
    parser.add_argument("--drawers", type=int, help="browser contexts that draw (default: 9, with --live 10)")
    parser.add_argument("--live", action="store_true", help="no training; time the prediction during each stroke")
    parser.add_argument("--seconds", type=float, default=60, help="how long they draw (default: 60)")
    parser.add_argument("--shots", type=Path, help="a folder for a screenshot and the page's text at each error")
    args = parser.parse_args()
    set_shots(args.shots)
    target = stroke_support.Target(args.url, "class-load-server.log")
    try:
        print(f"load before: {stroke_support.loadavg()}")
        drawers = args.drawers or (10 if args.live else 9)
        asyncio.run(run(target.url, target.pid, drawers, args.seconds, args.live))
    finally:
        target.close()


if __name__ == "__main__":
    main()
