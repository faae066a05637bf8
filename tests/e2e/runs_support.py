"""Clean-up for browser tests that train: a run a test leaves behind (because it failed midway) must not
hold the shared server's training slot or queue for the next test."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

ACTIVE = ("queued", "running", "paused")


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
