"""How long /runs takes to load with many recorded runs: from navigation until its table is drawn.

    .venv/bin/python -m scripts.runs_page_load [--runs 500] [--loads 7] [--from RUNS_FOLDER]

Starts its own server (temporary FMNIST_* folders) and fills its runs folder with --runs copies of real run
folders: those of --from, or else three tiny runs it trains first with `python -m fmnist train --seeds 0,1,2`
(an MLP, 1 epoch on 600 images). Each copy gets a new run id and creation time; copies of a grouped run are
grouped in threes. Chromium first opens /runs of an empty folder --loads times (what any page load costs), then,
with the copies, --loads times again, each in a fresh browser context, waiting until the table is drawn (the
dataframe is visible and its caption counts every run); the same with a baseline pinned (?baseline=<id>); and
"again": new tabs of one browser context, whose cache already holds the front end's scripts; and "sidebar": a
fresh browser context opens the home page, then the timer runs from a click on Runs in the sidebar (how a learner
in the app opens the page: the app's front end is loaded, the data grid's scripts are not yet). Each load starts
once the server is idle (the previous page's rerun with the browser's identity has ended). The first load of
each kind warms the server and is reported apart; median and p95 of the rest.
Prints one line per kind, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from fmnist.runs import groups, store
from scripts import stroke_support
from tests.e2e.e2e_support import main as main_area
from tests.e2e.e2e_support import wait_until_idle
from tests.e2e.server_support import CHROMIUM, CHROMIUM_ARGS

TIMEOUT_MS = 120_000


def train_sources(root: Path) -> list[Path]:
    """Three tiny real runs (one group of seeds 0, 1, 2) trained with the command line into `root`."""
    command = [sys.executable, "-m", "fmnist", "train", "--epochs", "1", "--limit", "600", "--seeds", "0,1,2", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "FMNIST_RUNS_DIR": str(root)})
    if result.returncode:
        raise RuntimeError(f"training the source runs failed: {result.stderr[-2000:]}")
    return [run.path for run in store.list_runs(root)]


def copy_runs(sources: list[Path], root: Path, count: int) -> list[str]:
    """`count` copies of the `sources` folders in `root`, one a minute back from now, each with its own id."""
    now, ids = time.time(), []
    for index in range(count):
        source = sources[index % len(sources)]
        created = now - 60 * index
        run_id = time.strftime("%Y%m%d-%H%M%S", time.gmtime(created)) + f"-{index:08x}"
        shutil.copytree(source, root / run_id)
        run = store.Run(run_id, root / run_id)
        run.update_status(id=run_id, created=created)
        if groups.read_group(run):
            stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(created))
            groups.write_group(run, f"g-{stamp}-{index // len(sources):08x}")
        ids.append(run_id)
    return ids


def load_times(url: str, path: str, runs: int, loads: int, same_browser: bool = False, sidebar: bool = False) -> list[float]:
    """Seconds from navigation until the table of `runs` runs is drawn (with none: until the page says so), for
    `loads` fresh browser contexts (a first visit: every script of the app's front end fetched and compiled), or
    with `same_browser` new tabs of one context (a learner who comes back: its cache keeps those scripts), or with
    `sidebar` from a click on the sidebar's Runs link of the home page, opened (and idle) beforehand."""
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        shared = browser.new_context(viewport={"width": 1280, "height": 900}) if same_browser else None
        for _ in range(loads):
            context = shared or browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            if sidebar:
                page.goto(f"{url}/", timeout=TIMEOUT_MS)
                expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=TIMEOUT_MS)
                wait_until_idle(page, timeout=TIMEOUT_MS / 1000)
                started = time.perf_counter()
                page.get_by_test_id("stSidebarNav").get_by_role("link", name="Runs").click()
            else:
                started = time.perf_counter()
                page.goto(f"{url}{path}", timeout=TIMEOUT_MS)
            area = main_area(page)
            if runs:
                expect(area.get_by_test_id("stDataFrame").first).to_be_visible(timeout=TIMEOUT_MS)
                expect(area.get_by_text(f"{runs} of {runs} runs shown")).to_be_visible(timeout=TIMEOUT_MS)
            else:
                expect(area.get_by_text("No runs yet.")).to_be_visible(timeout=TIMEOUT_MS)
            times.append(time.perf_counter() - started)
            # The next load starts on an idle server: this page's own trailing rerun (the browser's identity
            # arrives after the first run) would otherwise be counted in the next page's load.
            wait_until_idle(page, timeout=TIMEOUT_MS / 1000)
            page.close()
            if not shared:
                context.close()
        browser.close()
    return times


def describe(times: list[float]) -> dict:
    rest = times[1:] or times
    return {"first_s": round(times[0], 3), "median_s": round(statistics.median(rest), 3),
            "p95_s": round(stroke_support.percentile(rest, 95), 3), "n": len(rest)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500, help="recorded runs in the folder (default: 500)")
    parser.add_argument("--loads", type=int, default=7, help="page loads of each kind; the first is reported apart (default: 7)")
    parser.add_argument("--from", dest="source", help="a runs folder whose run folders are copied (default: train three)")
    args = parser.parse_args()
    if args.runs < 1 or args.loads < 1:
        parser.error("--runs and --loads must be at least 1")
    target = stroke_support.Target(None, "runs-page-load-server.log", warm_up=False)
    try:
        root = Path(os.environ["FMNIST_RUNS_DIR"])
        root.mkdir(parents=True, exist_ok=True)
        if args.source:
            sources = [run.path for run in store.list_runs(Path(args.source))]
            if not sources:
                parser.error(f"no run folders in {args.source}")
        else:
            sources = train_sources(root.parent / "sources")
        print(f"load before: {stroke_support.loadavg()}")
        report = {"runs": args.runs, "sources": len(sources)}
        # The same page with no run at all: what any page load costs (the app's scripts, the session, the imports).
        report["empty"] = describe(load_times(target.url, "/runs", 0, args.loads))
        ids = copy_runs(sources, root, args.runs)
        for kind, path in (("plain", "/runs"), ("baseline", f"/runs?baseline={ids[-1]}")):
            report[kind] = describe(load_times(target.url, path, args.runs, args.loads))
        report["again"] = describe(load_times(target.url, "/runs", args.runs, args.loads, same_browser=True))
        report["sidebar"] = describe(load_times(target.url, "/runs", args.runs, args.loads, sidebar=True))
        for kind in ("empty", "plain", "baseline", "again", "sidebar"):
            figures = report[kind]
            print(f"/runs with {0 if kind == 'empty' else args.runs} runs, {kind}: first {figures['first_s']:.2f} s, then median "
                  f"{figures['median_s']:.2f} s, p95 {figures['p95_s']:.2f} s (n={figures['n']})")  # fmt: skip
        print(json.dumps(report))
    finally:
        target.close()


if __name__ == "__main__":
    main()
