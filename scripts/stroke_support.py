"""What the browser tools share: the strokes, the in-page timer, a server of their own, CPU readings.

How a stroke is timed. Every measured stroke starts from the same drawing (the base), whose prediction
text is P0; the stroke turns it into P1, and Undo brings P0 back. Both texts are learnt once per page
(calibrate), so the timer knows exactly which text means "this stroke's prediction is shown". The timer
runs in the page: a capture listener takes performance.now() at the mouse-up (its pointerup event), and a MutationObserver takes
it again when the prediction column first shows P1; the difference is the latency, free of the driver's round
trips.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.e2e.server_support import ARTIFACTS, StreamlitServer

# A bag-like block coloured in (the base) and strokes that change its prediction, tried in turn (canvas pixels).
BASE = [[(60, y), (220, y)] for y in range(110, 240, 14)]
CANDIDATES = [
    [(140, 40), (140, 260)],
    [(85, 110), (95, 70), (120, 45), (160, 45), (185, 70), (195, 110)],
    [(30, 60), (250, 60)],
]

# Run in every page before Streamlit's own scripts: notes the time of every message the page sends to the
# server, so a latency splits into "mouse-up -> the canvas sends its value" and "sent -> prediction shown".
# It also defines predictionColumn(): the column that holds the prediction box and the top three (whose
# percentages change with almost any stroke, where the box's own text may not).
SEND_LOG_JS = """
window.predictionColumn = () => {
  const box = document.querySelector('.st-key-prediction');
  return box ? box.closest('[data-testid="stColumn"]') || box : null;
};
(() => {
  const send = WebSocket.prototype.send;
  window.sentAt = [];
  WebSocket.prototype.send = function (data) { window.sentAt.push(performance.now()); return send.call(this, data); };
})();
"""
# Sets window.pendingStroke: a promise of [ms from the next mouse-up until the prediction column's text
# is `expected` (any text if null), ms from that mouse-up until the page's next message to the server]; -1 on timeout.
TIMER_JS = """([expected, timeoutMs]) => {
  let up = null;
  window.pendingStroke = new Promise((resolve) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const done = (value) => {
      observer.disconnect(); clearTimeout(timer);
      const sent = (window.sentAt || []).find((at) => up !== null && at >= up);
      resolve([value, sent === undefined ? -1 : sent - up]);
    };
    const observer = new MutationObserver(() => {
      const box = predictionColumn();
      const shown = box && (expected === null ? box.innerText.length > 0 : box.innerText === expected);
      if (up !== null && shown) done(performance.now() - up);
    });
    const timer = setTimeout(() => done(-1), timeoutMs);
    // pointerup, not mouseup: the canvas sends its value in its own pointerup handler, which comes after this
    // capturing listener on the document but before the browser's mouseup.
    document.addEventListener('pointerup', () => { up = performance.now(); }, {capture: true, once: true});
    observer.observe(main, {subtree: true, childList: true, characterData: true, attributes: true});
  });
}"""
# Sets window.pendingLive: a promise of the ms from the last pointermove before the prediction column's text
# becomes `expected` until it does (-1 on timeout), for a stroke whose button is still down (--live): the canvas
# sends its drawing while the stroke goes on, so this is "the pen moved -> the bars show that drawing".
LIVE_TIMER_JS = """([expected, timeoutMs]) => {
  let moved = null;
  const onMove = () => { moved = performance.now(); };
  document.addEventListener('pointermove', onMove, {capture: true});
  window.pendingLive = new Promise((resolve) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const done = (value) => {
      observer.disconnect(); clearTimeout(timer); document.removeEventListener('pointermove', onMove, {capture: true});
      resolve(value);
    };
    const observer = new MutationObserver(() => {
      const box = predictionColumn();
      if (moved !== null && box && box.innerText === expected) done(performance.now() - moved);
    });
    const timer = setTimeout(() => done(-1), timeoutMs);
    observer.observe(main, {subtree: true, childList: true, characterData: true, attributes: true});
  });
}"""
PREDICTION_TEXT_JS = "() => { const box = predictionColumn(); return box ? box.innerText : null; }"
TEXT_IS_JS = "(expected) => { const box = predictionColumn(); return !!box && box.innerText === expected; }"
TEXT_IS_NOT_JS = "(before) => { const box = predictionColumn(); return !!box && box.innerText !== before; }"


def isolated_environment() -> tempfile.TemporaryDirectory:
    """Point FMNIST_MODEL_DIR, FMNIST_RUNS_DIR and FMNIST_CACHE_DIR at a new temporary folder (servers inherit)."""
    folder = tempfile.TemporaryDirectory(prefix="fmnist-speed-")
    for name, sub in (("FMNIST_MODEL_DIR", "models"), ("FMNIST_RUNS_DIR", "runs"), ("FMNIST_CACHE_DIR", "cache")):
        os.environ[name] = str(Path(folder.name) / sub)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return folder


class Target:
    """A server URL: given, or a `streamlit run` this tool starts (and stops) with temporary FMNIST_* folders,
    its log in test-artifacts/e2e/`log_name`."""

    def __init__(self, url: str | None, log_name: str, warm_up: bool = True, script: str = "server.py"):
        self.url, self.server, self.folder = url, None, None
        if url is None:
            self.folder = isolated_environment()
            self.server = StreamlitServer(Path(self.folder.name) / "models", ARTIFACTS / log_name, warm_up=warm_up, script=script)
            try:
                self.server.start()
            except BaseException:
                self.folder.cleanup()
                raise
            self.url = self.server.url

    @property
    def pid(self) -> int | None:
        return self.server.pid if self.server else None

    def close(self) -> None:
        if self.server:
            stop_and_clean_up(self.server, self.folder)


def stop_and_clean_up(server, folder: tempfile.TemporaryDirectory, timeout: float = 60.0) -> None:
    """Stop the server, wait for its training children (told to stop, they still save their weights into the
    run folder), then remove the temporary folder."""
    trainings = children(server.pid) if server.process.poll() is None else []
    server.stop()
    deadline = time.monotonic() + timeout
    while any(Path(f"/proc/{pid}").exists() for pid in trainings) and time.monotonic() < deadline:
        time.sleep(0.2)
    folder.cleanup()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def summary(timings: list[tuple[float, float]]) -> str:
    """p50 / p95 of (mouse-up -> prediction, mouse-up -> sent) pairs, and of the part after the send."""
    if not timings:
        return "no strokes measured"
    total = [t for t, _ in timings]
    sent = [s for _, s in timings if s >= 0]
    after = [t - s for t, s in timings if s >= 0]
    return (
        f"n={len(total)} mouse-up -> prediction p50={statistics.median(total):.0f} ms p95={percentile(total, 95):.0f} ms "
        f"(max {max(total):.0f}); of which mouse-up -> canvas sends p50={statistics.median(sent):.0f} ms, "
        f"sent -> prediction shown p50={statistics.median(after):.0f} ms p95={percentile(after, 95):.0f} ms"
    )


def live_summary(latencies: list[float]) -> str:
    """p50 / p95 of "last pointer move -> the prediction of that drawing shown", in ms."""
    if not latencies:
        return "no strokes measured"
    return (
        f"n={len(latencies)} pointer move -> prediction of that drawing (button still down) "
        f"p50={statistics.median(latencies):.0f} ms p95={percentile(latencies, 95):.0f} ms (max {max(latencies):.0f})"
    )


def stroke_points(stroke: list, steps: int = 12) -> list[tuple[float, float]]:
    """The pointer positions of a stroke drawn at a hand's pace: `steps` moves per segment (canvas pixels)."""
    points = [stroke[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(stroke):
        points += [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(1, steps + 1)]
    return points


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (its threads included, its children not)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def waited_seconds(pid: int) -> float:
    """Seconds the threads of one process spent runnable but waiting for a core (Linux's schedstat; 0 elsewhere)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(task.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # A thread that ended meanwhile.
    return total / 1e9


def children(pid: int) -> list[int]:
    """The process ids whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError):
                continue
    return found


def browser_cpu() -> dict[int, float]:
    """CPU seconds of each Chromium process on the machine: the zygote reparents the renderers it forks, so they
    are not this script's descendants; on a machine that runs no other Chromium, these are the script's."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"chrom" in (entry / "cmdline").read_bytes().split(b"\0")[0]:
                    found[int(entry.name)] = cpu_seconds(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


def machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far, over all cores (/proc/stat: busy is all but idle
    and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - fields[3] - fields[4]) / ticks, sum(fields) / ticks


def own_cpu(server: int | None) -> float:
    """CPU seconds so far of this script and its running children but the server (Playwright's driver is one;
    Chromium is the driver's child)."""
    total = cpu_seconds(os.getpid())
    for pid in children(os.getpid()):
        if pid != server:
            with contextlib.suppress(OSError):  # A child that ended meanwhile.
                total += cpu_seconds(pid)
    return total


class CpuMeter:
    """CPU use of the server process and of its children (the training workers) over a stretch of time."""

    def __init__(self, pid: int | None):
        self.pid = pid
        self.start()

    def _read(self) -> tuple[float, dict[int, float], float]:
        if self.pid is None:
            return 0.0, {}, 0.0
        kids = {}
        for child in children(self.pid):
            try:
                kids[child] = cpu_seconds(child)
            except OSError:
                continue
        return cpu_seconds(self.pid), kids, waited_seconds(self.pid)

    def start(self) -> None:
        self.began = time.monotonic()
        self.server0, self.kids0, self.waited0 = self._read()
        self.browser0 = browser_cpu()
        self.machine0, self.own0 = machine_cpu(), own_cpu(self.pid)

    def report(self) -> str:
        if self.pid is None:
            return "server CPU: unknown (--url)"
        wall = time.monotonic() - self.began
        server, kids, waited = self._read()
        kid_seconds = sum(seconds - self.kids0.get(pid, 0.0) for pid, seconds in kids.items())
        # Processes that ended meanwhile are left out (their last seconds with them).
        browser_seconds = sum(seconds - self.browser0.get(pid, 0.0) for pid, seconds in browser_cpu().items())
        (busy, every), (busy0, every0) = machine_cpu(), self.machine0
        return (
            f"server CPU {100 * (server - self.server0) / wall:.0f}% of one core "
            f"(its threads waited {waited - self.waited0:.1f} s in all for a core), "
            f"its children (trainings) {100 * kid_seconds / wall:.0f}%, "
            f"Chromium {100 * browser_seconds / wall:.0f}%, this script and its driver "
            f"{100 * (own_cpu(self.pid) - self.own0) / wall:.0f}%, over {wall:.0f} s; "
            f"the machine's {os.cpu_count()} cores {100 * (busy - busy0) / max(every - every0, 1e-9):.0f}% busy; "
            f"load {loadavg()}"
        )
