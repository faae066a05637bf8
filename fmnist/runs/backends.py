"""Where a run trains, behind the job manager (fmnist.runs.jobs): `$FMNIST_BACKEND`.

- "local": a child process of this server per run (fmnist.runs.child), the default; Ray is never imported.
- "ray": a Ray actor per run on a node of the cluster at `RAY_ADDRESS`, or of a local Ray this process starts
  (fmnist.runs.ray_backend).

A backend connects (which may fail: `Unavailable`, and the manager keeps its queue and tries again later:
a `Connection` does that for it) and starts runs; each started run is a `Handle` the manager sends commands to
and reads progress events from. The queue, the slots, the limits and the owners stay in the manager, whatever
the backend.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Protocol

from fmnist import settings
from fmnist.runs import store

logger = logging.getLogger(__name__)

NAMES = ("local", "ray")


class Unavailable(RuntimeError):
    """The backend cannot start runs now (a cluster that cannot be reached); the message says why, for a person."""


class Handle(Protocol):
    """One started run, as the manager sees it."""

    def send(self, command: str) -> None:
        """Send "stop", "pause" or "resume"; nothing happens once the run has ended."""

    def events(self) -> Iterator[dict]:
        """The run's progress events (fmnist.runs.worker's JSON lines), in order, until it has ended."""

    def wait(self) -> str:
        """Once events() has ended: how the process ended, for a message ("exit code 1", "its Ray node died")."""

    def kill(self) -> None:
        """End the run's process at once."""


class Backend(Protocol):
    name: str

    def connect(self) -> None:
        """Make sure runs can start (may block for seconds); Unavailable if they cannot."""

    def start(self, run: store.Run) -> Handle:
        """Start training `run`; OSError or RunsError if it cannot start, Unavailable if the backend went away."""


def create(name: str | None = None) -> Backend:
    """The backend called `name` (by default `$FMNIST_BACKEND`); ValueError for an unknown name."""
    name = name or settings.backend()
    if name == "local":
        from fmnist.runs.child import LocalBackend

        return LocalBackend()
    if name == "ray":
        from fmnist.runs.ray_backend import RayBackend  # Imports Ray only here.

        return RayBackend()
    raise ValueError(f"Unknown training backend {name!r}: choose one of {', '.join(NAMES)}.")


class Connection:
    """Whether the job manager's backend can start runs now: reached in a thread of its own (connect may block
    for seconds), and while it cannot be, why (`unavailable`), with a new try every `retry_seconds`.

    It shares the manager's lock: `connect_soon` and `unreachable` are called with it held, and `ready` (the
    manager's "start what the queue holds") is called with it held once runs can start, and at each retry.
    """

    def __init__(self, backend: Backend, lock: threading.RLock, ready: Callable[[], None], retry_seconds: float):
        self.backend = backend
        self.connected = backend.name == "local"  # A local child needs no connection.
        self.unavailable: str | None = None  # Why runs cannot start now, or None.
        self._lock = lock
        self._ready = ready
        self._retry_seconds = retry_seconds
        self._connecting = False

    def connect_soon(self) -> None:
        """Reach the backend in a thread of its own, unless a try is under way; then call `ready`."""
        if self._connecting:
            return
        self._connecting = True
        threading.Thread(target=self._connect, daemon=True, name="backend-connect").start()

    def _connect(self) -> None:
        try:
            self.backend.connect()
        except Unavailable as error:
            with self._lock:
                self._connecting = False
                self.unreachable(error)
            return
        with self._lock:
            self._connecting, self.connected = False, True
            if self.unavailable:
                logger.info("The %s backend can be reached again; queued runs start.", self.backend.name)
            self.unavailable = None
            self._ready()

    def unreachable(self, error: Exception) -> None:
        """Say why runs cannot start (logged once per reason) and try again in `retry_seconds`."""
        self.connected = False
        if self.unavailable != str(error):
            logger.error(
                "Training runs cannot start: %s Queued runs wait; trying again every %g s.", error, self._retry_seconds
            )
        self.unavailable = str(error)
        timer = threading.Timer(self._retry_seconds, self._retry)
        timer.daemon = True
        timer.start()

    def _retry(self) -> None:
        with self._lock:
            self._ready()
