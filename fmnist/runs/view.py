"""What a page or the command line shows of a run (`RunView`), read from its folder when no manager here holds it,
and how long a queued run will wait."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from fmnist.model.config import DONE_STATUSES, ENDED_STATUSES, TrainConfig
from fmnist.model.history import Progress, RunLog, empty_history
from fmnist.runs import store


def queue_wait(remaining: list[float], ahead: list[float], slots: int) -> float:
    """Seconds until a queued run starts: `remaining` of the runs training now, `ahead` the lengths of the
    runs queued before it, `slots` trainings at once."""
    slots = max(1, slots)  # Estimated as if one slot were free, should none be (a paused queue).
    free = sorted([max(0.0, r) for r in remaining] + [0.0] * max(0, slots - len(remaining)))[:slots]
    heapq.heapify(free)
    for length in ahead:
        heapq.heappush(free, heapq.heappop(free) + length)
    return free[0]


@dataclass
class RunView:
    """What a page or the command line shows of a run, read live or from disk."""

    id: str
    status: str
    config: TrainConfig
    progress: Progress = field(default_factory=Progress)
    history: dict = field(default_factory=empty_history)
    error: str | None = None
    position: int | None = None  # 1 for the next run to start, while queued.
    starts_in: float | None = None  # Estimated seconds until it starts, while queued.
    train_seconds: float | None = None
    note: str | None = None  # Why a run was stopped by the server (the time limit), if it was.
    owner: str = ""  # Who may manage it (fmnist.runs.owners): "cli", a browser's hash, or "" (an older run).
    owner_name: str = ""  # The display name its learner chose: untrusted text, show it as plain text.
    unavailable: str | None = None  # While queued: why no run can start now (the cluster cannot be reached).

    @property
    def ended(self) -> bool:
        return self.status in ENDED_STATUSES

    @property
    def has_model(self) -> bool:
        return self.status in DONE_STATUSES


def recorded_view(run: store.Run) -> RunView:
    """What the run's folder says of it: a run that ended, or one that another process trains."""
    status = run.status()
    log = RunLog.from_dict(run.history())
    owner, owner_name = run.owner()
    return RunView(run.id, status.get("status", "failed"), run.config(), log.progress, log.history, status.get("error"),
                   train_seconds=status.get("train_seconds"), note=status.get("note"), owner=owner,
                   owner_name=owner_name)  # fmt: skip
