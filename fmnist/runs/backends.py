"""Where a run trains, behind the job manager (fmnist.runs.jobs): `$FMNIST_BACKEND`.

- "local": a child process of this server per run (fmnist.runs.child), the default; Ray is never imported.
- "ray": a Ray actor per run on a node of the cluster at `RAY_ADDRESS`, or of a local Ray this process starts
  (fmnist.runs.ray_backend).

A backend connects (which may fail: `Unavailable`, and the manager keeps its queue and tries again later) and
starts runs; each started run is a `Handle` the manager sends commands to and reads progress events from. The
queue, the slots, the limits and the owners stay in the manager, whatever the backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from fmnist import settings
from fmnist.runs import store

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
