"""The "local" backend (fmnist.runs.backends): the job manager's end of a training child process
(`python -m fmnist.runs.worker`, see there).

The child reads JSON commands ({"command": "stop" | "pause" | "resume"}) on its stdin and writes its
progress as JSON lines on its stdout; its stderr is the run's log.txt.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from fmnist.runs import store
from fmnist.settings import PROJECT_DIR


def start(run: store.Run) -> subprocess.Popen:
    """Start the child that trains `run`, its stderr appended to the run's log; OSError if it cannot start."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")]))}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with open(run.log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "fmnist.runs.worker", str(run.path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=PROJECT_DIR, env=env,
            text=True, bufsize=1,
            # A session of its own, so a Ctrl-C of the server is not its. Under Linux's autogroup scheduling
            # that session is a scheduling group of its own, and groups share the cores by their own nice value
            # whatever their threads': the child gives its group the lowest (fmnist.runs.worker.lower_priority).
            start_new_session=True,
        )  # fmt: skip


def send(process: subprocess.Popen | None, command: str) -> None:
    """Send a command to the child; nothing happens if it has gone (its reader records the end)."""
    try:
        process.stdin.write(json.dumps({"command": command}) + "\n")
        process.stdin.flush()
    except (OSError, ValueError, AttributeError):
        pass


def events(process: subprocess.Popen) -> Iterator[dict]:
    """The child's progress events, in order, until its stdout closes; lines that are not JSON are skipped."""
    for line in process.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            yield event


def kill(process: subprocess.Popen) -> None:
    """Kill the child and anything it started, at once."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def tail(path: Path, limit: int = 20000) -> str:
    """The end of a log file (a traceback), for the server's log."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - limit))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


class LocalHandle:
    """A run trained by a child process of this server (fmnist.runs.backends.Handle)."""

    def __init__(self, process: subprocess.Popen):
        self.process = process

    def send(self, command: str) -> None:
        send(self.process, command)

    def events(self) -> Iterator[dict]:
        return events(self.process)

    def wait(self) -> str:
        code = self.process.wait()
        return f"killed by signal {-code}" if code < 0 else f"exit code {code}"

    def kill(self) -> None:
        kill(self.process)


class LocalBackend:
    """Each run a child process of this server, at the lowest CPU priority."""

    name = "local"

    def connect(self) -> None:
        pass

    def start(self, run: store.Run) -> LocalHandle:
        return LocalHandle(start(run))
