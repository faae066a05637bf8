"""The browser tests' machinery: a real `streamlit run` server on a free port, and the Chromium they drive.

The server runs in its own process group and dies with the test process (PR_SET_PDEATHSIG), so a crashed
or interrupted test run never leaves a server behind. Its start polls the health check with a deadline.
The load tools (scripts/) start their servers and browsers with the same code.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
# Debian's Chromium; FMNIST_CHROMIUM points at another build (on Ubuntu, Chromium is a snap: /snap/bin/chromium).
CHROMIUM = os.environ.get("FMNIST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
MISSING_CHROMIUM = (
    f"The browser tests need Chromium at {CHROMIUM}, which is missing. "
    "Install it with `sudo apt-get install chromium` (or run `make test`, which installs it), "
    "or point FMNIST_CHROMIUM at a Chromium executable."
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child, before exec: get SIGKILL when the test process ends, however it ends."""
    with contextlib.suppress(OSError):  # Not Linux's C library: no such safety net, the fixtures still clean up.
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class StreamlitServer:
    """`streamlit run server.py` (the app as `make run` serves it) on a free port of 127.0.0.1, with its own models
    folder and log file; `script="app.py"` serves the plain script instead."""

    def __init__(self, model_dir: Path, log_path: Path, max_trainings: int = 1, warm_up: bool = True, script: str = "server.py"):
        self.script = script  # "server.py": the same app, warmed as the server starts (st.App's lifespan).
        self.model_dir = Path(model_dir)
        self.warm_up = warm_up  # Whether it warms the default model in the background, as a real server does.
        self.log_path = Path(log_path)
        self.max_trainings = max_trainings
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self, timeout: float = 60.0) -> StreamlitServer:
        self.port = free_port()
        env = {
            **os.environ,
            "FMNIST_MODEL_DIR": str(self.model_dir),
            "FMNIST_MAX_TRAININGS": str(self.max_trainings),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "FMNIST_WARM_UP": "1" if self.warm_up else "0",
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, "-m", "streamlit", "run", self.script, "--server.headless", "true",
                   "--server.port", str(self.port), "--server.address", "127.0.0.1",
                   "--browser.gatherUsageStats", "false",
                   # Other work may edit the sources while the tests run; a file watcher would then unload and
                   # re-import the app's modules mid-test (a new trainer semaphore, a "File change" banner).
                   "--server.fileWatcherType", "none"]  # fmt: skip
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not answer its health check within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        """Terminate, then kill if it lingers; always wait on the process."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL at once, as a crash or an OOM killer would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def rss_mb(self) -> float:
        """The server's resident memory (VmRSS) in MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS line")
