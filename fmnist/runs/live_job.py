"""A run the job manager (fmnist.runs.jobs) holds while it is queued or trains: its record, live log, the
backend's handle of its process and its status (`Job`); the reading of that handle's progress events into
them; and the end recorded in the run's folder.

Whatever the backend, the events are fmnist.runs.worker's: "batch" and "epoch" feed the live `RunLog`,
"status" says training, paused or resumed, and "end" says how the run ended. A stream that closes without an
"end" is a process that died, and the run is recorded as failed with the reason its handle gives.
"""

from __future__ import annotations

import logging
import threading
import time

from fmnist.model.config import ACTIVE_STATUSES, ENDED_STATUSES, TrainConfig
from fmnist.model.history import RunLog
from fmnist.runs import backends, child, store
from fmnist.runs.view import RunView

logger = logging.getLogger(__name__)


class Job:
    """One run this manager owns: its record, live log, the backend's handle of its process, and status."""

    def __init__(self, run: store.Run, config: TrainConfig, owner: str = "", owner_name: str = ""):
        self.run = run
        self.config = config
        self.owner = owner
        self.owner_name = owner_name
        self.log = RunLog()
        self.status = "queued"
        self.error: str | None = None
        self.note: str | None = None
        self.train_seconds: float | None = None
        self.handle: backends.Handle | None = None
        self.stop_sent = False
        self.timer: threading.Timer | None = None
        self.ended = threading.Event()

    def start(self, handle: backends.Handle, max_seconds: float, lock: threading.RLock) -> None:
        """The run trains on `handle` now; after `max_seconds` it is told to stop (keeping its weights)."""
        self.handle = handle
        self.status = "running"
        self.timer = threading.Timer(max_seconds, self._time_limit, args=(max_seconds, lock))
        self.timer.daemon = True
        self.timer.start()

    def send(self, command: str) -> None:
        """Send "stop", "pause" or "resume" to the run's process, if it has one."""
        if self.handle is not None:
            self.handle.send(command)

    def _time_limit(self, max_seconds: float, lock: threading.RLock) -> None:
        with lock:
            if self.status in ACTIVE_STATUSES and not self.stop_sent:
                self.note = f"Stopped after the time limit of {max_seconds} s."
                logger.info("Run %s reached the time limit; stopping it.", self.run.id)
                self.stop_sent = True
                self.send("stop")

    def view(self) -> RunView:
        """What a page shows of the run now, from its live log (the queue's fields are the manager's to add)."""
        progress, history = self.log.copy()
        return RunView(self.run.id, self.status, self.config, progress, history, self.error,
                       train_seconds=self.train_seconds, note=self.note, owner=self.owner,
                       owner_name=self.owner_name)  # fmt: skip

    def follow(self, lock: threading.RLock) -> tuple[dict, dict | None]:
        """Apply the run's progress events until its stream closes (a status change under `lock`, which the
        manager's views read); then the changes that record how its process ended, and its "end" event if any."""
        end = None
        for event in self.handle.events():
            kind = event.get("type")
            if kind in ("batch", "epoch"):
                self.log.apply(event)
            elif kind == "status":
                with lock:
                    self.status = event.get("status", self.status)
            elif kind == "end":
                end = event
        reason = self.handle.wait()
        self.timer.cancel()
        changes = {"ended": time.time()}
        if end is None or end.get("status") not in ENDED_STATUSES:
            changes.update(status="failed", error=f"The training process ended unexpectedly ({reason}).")
            logger.error("Run %s: %s See %s.", self.run.id, changes["error"], self.run.log_path)
        else:
            changes.update(status=end["status"], error=end.get("error"))
            if end["status"] == "failed":
                logger.error("Run %s failed: %s\n%s", self.run.id, end.get("error"), child.tail(self.run.log_path))
        if self.note:
            changes["note"] = self.note
        return changes, end

    def finish(self, changes: dict) -> None:
        """Record the end in the run's folder (its process has exited, so nobody else writes it)."""
        try:
            self.run.update_status(**changes)
        except store.RunsError as error:
            logger.error("Run %s: could not record its end: %s", self.run.id, error)
        self.ended.set()
