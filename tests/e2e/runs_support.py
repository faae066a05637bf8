"""What browser tests that train share: reading a run's id and status, pressing the live view's buttons, and the
clean-up (a run a test leaves behind because it failed midway must not hold the shared server's training slot
or queue for the next test)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.e2e_support import FAST, SLOW, main

ACTIVE = ("queued", "running", "paused")

PROGRESS = re.compile(r"Epoch (\d+)/(\d+) · batch (\d+)/(\d+)")
# A run that goes on for minutes on a small machine; the tests always end it themselves.
LONG = ("cnn", 60000, 30)
RUN_URL = re.compile(r"/train\?(?:.*&)?run=(\d{8}-\d{6}-[0-9a-f]{8})(?:&.*)?$")  # The form's settings may sit beside it.


def runs_dir() -> Path:
    return Path(os.environ["FMNIST_RUNS_DIR"])


def run_of(page: Page) -> str:
    """The run id in the page's URL."""
    expect(page).to_have_url(RUN_URL, timeout=FAST)
    return RUN_URL.search(page.url).group(1)


def status(run_id: str) -> dict:
    return json.loads((runs_dir() / run_id / "status.json").read_text())


def button(page: Page, name: str):
    return main(page).get_by_role("button", name=name, exact=True)


def press(page: Page, name: str) -> None:
    """Click a button of the live view once it is there exactly once: while the view reruns every second,
    Streamlit briefly keeps the previous render's button beside the new one."""
    expect(button(page, name)).to_have_count(1, timeout=SLOW)
    button(page, name).click()


def active_runs() -> dict[str, dict]:
    """The runs of the test session's runs folder that are queued, training or paused, by id."""
    found = {}
    for status_file in Path(os.environ["FMNIST_RUNS_DIR"]).glob("*/status.json"):
        try:
            status = json.loads(status_file.read_text())
        except (OSError, ValueError):
            continue
        if status.get("status") in ACTIVE:
            found[status_file.parent.name] = status
    return found


def end_all_runs(timeout: float = 300) -> None:
    """Stop every child that trains (SIGTERM: it stops and keeps its weights) until no run is active."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = active_runs()
        if not active:
            return
        for status in active.values():
            if status.get("status") != "queued" and status.get("pid"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(status["pid"], signal.SIGTERM)
        time.sleep(0.5)
    raise RuntimeError(f"runs still active after {timeout:.0f} s: {sorted(active_runs())}")
