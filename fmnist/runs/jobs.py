"""The job runner: every training is a process of its own, started by one manager per server process.

The manager keeps a FIFO queue: `$FMNIST_MAX_TRAININGS` runs train at once
(default 1), up to `$FMNIST_MAX_QUEUE` more wait (default 40), one learner has at
most `$FMNIST_MAX_RUNS_PER_LEARNER` runs queued or training (default 2), and a
run longer than `$FMNIST_MAX_TRAIN_SECONDS` (default 1800) is stopped and keeps
its weights. Every run has an owner (fmnist.runs.owners): stop, pause, resume
and cancel take the acting identity and raise NotAllowed unless it may manage
the run. Where a run trains is the backend's business (fmnist.runs.backends,
`$FMNIST_BACKEND`): a child process here (`python -m fmnist.runs.worker`, through
fmnist.runs.child) or a Ray actor on a cluster (fmnist.runs.ray_backend). Either
streams the run's progress events, which a reader thread applies to a live
`RunLog` (fmnist.runs.live_job), and the run's record ends up in its folder
(fmnist.runs.store), so a run that ended, or one that another process trains, is
read from disk. The server never builds or fits a model for training. A backend
that cannot be reached (a cluster that is down) leaves the queue as it is: the
manager says so in the log and in every queued run's view, and tries again every
RETRY_SECONDS (fmnist.runs.backends.Connection).

Its interface is small on purpose: submit, view, stop, pause, resume, cancel.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque
from pathlib import Path

from fmnist import settings
from fmnist.model.config import ENDED_STATUSES, TrainConfig
from fmnist.runs import backends, owners, store
from fmnist.runs.live_job import Job
from fmnist.runs.owners import Actor, NotAllowed  # noqa: F401  (re-exported: what callers catch)
from fmnist.runs.view import RunView, queue_wait, recorded_view

logger = logging.getLogger(__name__)

# Seconds between two tries to reach a backend that could not be reached.
RETRY_SECONDS = 10.0


class QueueFull(RuntimeError):
    """Every training slot is taken and the queue is full."""


class TooManyRuns(QueueFull):
    """This learner already has as many runs queued or training as one learner may."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(
            f"You already have {limit} run{'s' if limit != 1 else ''} queued or training, the most one learner may have "
            "at once. Wait for one to end, or stop or cancel one, then start again."
        )


class JobManager:
    """Runs trainings as processes of the backend, a few at a time, the rest queued in order."""

    def __init__(self, root: Path | None = None, max_trainings: int | None = None, max_queue: int | None = None,
                 max_seconds: float | None = None, max_per_learner: int | None = None,
                 backend: str | backends.Backend | None = None):  # fmt: skip
        self.root = Path(root) if root is not None else store.runs_dir()
        self.max_trainings = max_trainings or settings.max_trainings()
        self.max_queue = max_queue if max_queue is not None else settings.max_queue()
        self.max_seconds = max_seconds or settings.max_train_seconds()
        self.max_per_learner = max_per_learner or settings.max_runs_per_learner()
        self._lock = threading.RLock()
        self._queue: deque[Job] = deque()
        self._running: dict[str, Job] = {}
        self._speed: dict[str, float] = {}  # Samples per second of the last run of each model.
        self._closed = False
        self.backend = backend if backend is not None and not isinstance(backend, str) else backends.create(backend)
        # Read here, so a test may shorten the wait between two tries before it makes a manager.
        self._connection = backends.Connection(self.backend, self._lock, self._start_next, RETRY_SECONDS)
        for run_id in store.mark_abandoned(self.root):
            logger.warning("Run %s was left unfinished by an earlier server; marked failed.", run_id)

    @property
    def unavailable(self) -> str | None:
        """Why runs cannot start now (the backend cannot be reached), or None."""
        return self._connection.unavailable

    # The interface.

    def submit(self, config: TrainConfig, source: str = "page", owner: Actor = owners.COMMAND_LINE) -> str:
        """Queue a run of `config` owned by `owner` (its display name shown beside it); return its id.

        ValueError for a bad config, TooManyRuns past the per-learner limit (not for the teacher or the command
        line), QueueFull, or RunsError."""
        config = config.resolved()
        with self._lock:
            if self._closed:
                raise QueueFull("The server is shutting down; no new training can start.")
            if not (owner.teacher or owner.owner == owners.CLI):
                mine = sum(job.owner == owner.owner for job in (*self._running.values(), *self._queue))
                if mine >= self.max_per_learner:
                    logger.info("Refused a run for %s: %d of %d runs at once.", owner.label, mine, self.max_per_learner)
                    raise TooManyRuns(self.max_per_learner)
            if len(self._running) >= self.max_trainings and len(self._queue) >= self.max_queue:
                raise QueueFull(f"The training queue is full ({self.max_queue} runs waiting). Try again when a run has ended.")
            run = store.create(config, source, self.root, owner=owner.owner, owner_name=owner.name)
            job = Job(run, config, owner.owner, owner.name)
            self._queue.append(job)
            self._start_next()
            return job.run.id

    def view(self, run_id) -> RunView:
        """The run's state, live if this manager runs it, else from its folder; NoSuchRun if there is none."""
        with self._lock:
            job = self._find(run_id)
            if job is not None:
                view = job.view()
                if job.status == "queued":
                    view.position = self._queue.index(job) + 1
                    view.starts_in = self._starts_in(job)
                    view.unavailable = self.unavailable
                return view
        return recorded_view(store.get(run_id, self.root))

    def may_manage(self, run_id, actor: Actor | None) -> bool:
        """Whether `actor` may stop, pause, resume, cancel, delete or save this run (NoSuchRun if there is none)."""
        with self._lock:
            return owners.may_manage(actor, self._owner(run_id))

    def stop(self, run_id, actor: Actor | None) -> bool:
        """Ask a run to stop at its next step, keeping its weights (a queued run is cancelled).
        Return whether this call changed anything: a second Stop, or one after the end, does nothing.
        NotAllowed unless `actor` may manage the run, whatever its state."""
        with self._lock:
            job = self._allowed(run_id, actor, "stop")
            if job is None or job.status in ENDED_STATUSES:
                return False
            if job.status == "queued":
                return self._cancel(job)
            if job.stop_sent:
                return False
            job.stop_sent = True
            job.send("stop")
            return True

    def pause(self, run_id, actor: Actor | None) -> bool:
        """Ask a training run to halt between two steps; it keeps its weights, optimizer state and schedule."""
        with self._lock:
            job = self._allowed(run_id, actor, "pause")
            if job is None or job.status != "running" or job.stop_sent:
                return False
            job.send("pause")
            return True

    def resume(self, run_id, actor: Actor | None) -> bool:
        """Let a paused run go on."""
        with self._lock:
            job = self._allowed(run_id, actor, "resume")
            if job is None or job.status not in ("running", "paused") or job.stop_sent:
                return False
            job.send("resume")
            return True

    def cancel(self, run_id, actor: Actor | None) -> bool:
        """Take a queued run out of the queue; it is recorded as cancelled."""
        with self._lock:
            return self._cancel(self._allowed(run_id, actor, "cancel"))

    def _cancel(self, job: Job | None) -> bool:
        with self._lock:
            if job is None or job.status != "queued":
                return False
            self._queue.remove(job)
            job.status = "cancelled"
            job.finish({"status": "cancelled", "ended": time.time()})
            return True

    def queue(self) -> list[RunView]:
        """The runs training now, then the queued ones in order (first come, first served), as views."""
        with self._lock:
            return [self.view(run_id) for run_id in self.active()]

    def active(self) -> list[str]:
        """Ids of the runs training now, then the queued ones in order."""
        with self._lock:
            return [*self._running, *(job.run.id for job in self._queue)]

    def shutdown(self, wait: float = 0.0) -> None:
        """Cancel the queue and stop every child (each keeps its weights); wait up to `wait` seconds for them."""
        with self._lock:
            self._closed = True
            for job in list(self._queue):
                self._cancel(job)
            running = list(self._running.values())
            for job in running:
                job.stop_sent = True
                job.send("stop")
        deadline = time.monotonic() + wait
        for job in running:
            job.ended.wait(max(0.0, deadline - time.monotonic()))

    def kill_all(self) -> None:
        """Kill every child at once (tests, and a last resort)."""
        with self._lock:
            handles = [job.handle for job in self._running.values() if job.handle is not None]
        for handle in handles:
            handle.kill()

    # Inside.

    def _find(self, run_id, known: bool = False) -> Job | None:
        """The live job of `run_id`, or None; with `known`, NoSuchRun unless the run is at least on disk."""
        if not store.is_run_id(run_id):
            raise store.NoSuchRun()
        if run_id in self._running:
            return self._running[run_id]
        job = next((job for job in self._queue if job.run.id == run_id), None)
        if job is None and known:
            store.get(run_id, self.root)
        return job

    def _owner(self, run_id) -> str:
        """Who owns the run: its live job's owner, else its record's; NoSuchRun if there is no such run."""
        job = self._find(run_id, known=True)
        return job.owner if job is not None else store.get(run_id, self.root).owner()[0]

    def _allowed(self, run_id, actor: Actor | None, action: str) -> Job | None:
        """The live job of `run_id` (None if it is not live) once `actor` may `action` it; NotAllowed, NoSuchRun."""
        job = self._find(run_id, known=True)
        owners.require(actor, action, run_id, job.owner if job is not None else store.get(run_id, self.root).owner()[0])
        return job

    def _starts_in(self, job: Job) -> float:
        remaining = []
        for running in self._running.values():
            progress = running.log.progress
            guess = running.config.estimated_seconds(self._speed.get(running.config.model))
            remaining.append(progress.eta if progress.eta is not None else guess - progress.elapsed)
        ahead = []
        for queued in self._queue:
            if queued is job:
                break
            ahead.append(queued.config.estimated_seconds(self._speed.get(queued.config.model)))
        return queue_wait(remaining, ahead, self.max_trainings)

    def _start_next(self) -> None:
        while self._queue and len(self._running) < self.max_trainings and not self._closed:
            if not self._connection.connected:
                self._connection.connect_soon()
                return
            job = self._queue.popleft()
            self._running[job.run.id] = job
            try:
                self._spawn(job)
            except backends.Unavailable as error:  # The cluster went away: the run waits at the head of the queue.
                del self._running[job.run.id]
                job.status = "queued"
                self._queue.appendleft(job)
                self._connection.unreachable(error)
                return
            except (OSError, store.RunsError) as error:
                logger.exception("Could not start the training process of run %s", job.run.id)
                del self._running[job.run.id]
                job.status, job.error = "failed", f"The training process could not start: {error}"
                job.finish({"status": "failed", "error": job.error, "ended": time.time()})

    def _spawn(self, job: Job) -> None:
        job.start(self.backend.start(job.run), self.max_seconds, self._lock)
        threading.Thread(target=self._read, args=(job,), daemon=True, name=f"run-{job.run.id}").start()

    def _read(self, job: Job) -> None:
        """Follow the run's progress until its process ends; then record the end, free its slot, start the next."""
        changes, end = job.follow(self._lock)
        with self._lock:
            job.status, job.error, job.train_seconds = changes["status"], changes.get("error"), (end or {}).get("train_seconds")
            if job.status == "finished" and job.train_seconds:
                self._speed[job.config.model] = job.config.epochs * job.config.train_samples / job.train_seconds
            self._running.pop(job.run.id, None)
            job.finish(changes)
            self._start_next()


_MANAGER: JobManager | None = None
_MANAGER_LOCK = threading.Lock()


def get_manager() -> JobManager:
    """The job manager of this process, created on first use; its children are told to stop at exit."""
    global _MANAGER
    with _MANAGER_LOCK:
        if _MANAGER is None:
            _MANAGER = JobManager()
            atexit.register(_MANAGER.shutdown)
        return _MANAGER


def close_manager(kill: bool = True) -> None:
    """End this process's job manager (queued runs cancelled, children stopped or killed); a new one starts on next use."""
    global _MANAGER
    with _MANAGER_LOCK:
        manager, _MANAGER = _MANAGER, None
    if manager is not None:
        manager.shutdown()
        if kill:
            manager.kill_all()
