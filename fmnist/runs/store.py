"""Training runs as records on disk: `runs/<run-id>/` (override with `$FMNIST_RUNS_DIR`).

A run's folder holds:
- config.json      the TrainConfig, resolved;
- status.json      status, error, times, process id, source, owner (fmnist.runs.owners) and display name,
                   final figures;
- history.json     per-batch and per-epoch metrics and progress, rewritten as it trains;
- epochs.json      after each epoch, the probe images' probabilities and a confusion matrix (fmnist.runs.epoch_records);
- evaluation.json  the test-set evaluation once it ended with weights;
- model.weights.h5 the trained weights (finished or stopped runs);
- log.txt          the child's output, with the whole traceback of a failure;
- tensorboard/     TensorBoard event files: loss and accuracy per step and per epoch.
Every file is written atomically (fmnist.atomic), so a reader or a crash never
sees half a file. Run ids are checked against a strict pattern before any path
is built from them, so a forged id can never reach outside the runs folder.
No TensorFlow here.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmnist import atomic
from fmnist.model.config import DONE_STATUSES, ENDED_STATUSES, TrainConfig, architecture_settings
from fmnist.model.history import final_metrics
from fmnist.settings import runs_dir

RUN_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{8}")
WEIGHTS = "model.weights.h5"
TENSORBOARD = "tensorboard"
NO_SUCH_RUN = "No such run: the link may be wrong, or the run was deleted."


class RunsError(Exception):
    """A run cannot be recorded or read; the message says why, for a person."""


class NoSuchRun(RunsError):
    """The run id is malformed, unknown or deleted."""

    def __init__(self, message: str = NO_SUCH_RUN):
        super().__init__(message)


def new_run_id() -> str:
    """A sortable, unguessable id: UTC time and 32 random bits, e.g. 20261129-071502-9f3a1c2b."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(4)


def is_run_id(value) -> bool:
    return isinstance(value, str) and RUN_ID.fullmatch(value) is not None


def describe_os_error(error: OSError) -> str:
    """A one-line message for a person about a file system error while writing a run."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "The disk is full: the run could not be recorded. Free some space and try again."
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"The runs folder {runs_dir()} cannot be written to (permission denied or read-only)."
    return f"The run could not be recorded: {error.strerror or error}."


@dataclass(frozen=True)
class Run:
    """One run's folder; every read returns a fresh copy from disk."""

    id: str
    path: Path

    @property
    def weights_path(self) -> Path:
        return self.path / WEIGHTS

    @property
    def log_path(self) -> Path:
        return self.path / "log.txt"

    def read(self, name: str, default=None):
        """A JSON file of this run, or `default` when it is missing or unreadable."""
        try:
            return json.loads((self.path / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return default

    def config(self) -> TrainConfig:
        return TrainConfig.from_dict(self.read("config.json", {}))

    def status(self) -> dict:
        return self.read("status.json", {}) or {"status": "failed", "error": "The run's status file is missing."}

    def history(self) -> dict:
        return self.read("history.json", {}) or {}

    def owner(self) -> tuple[str, str]:
        """(owner, display name) as recorded at its start; ("", "") for a run older than owners."""
        status = self.read("status.json", {}) or {}
        owner, name = status.get("owner"), status.get("owner_name")
        return (owner if isinstance(owner, str) else "", name if isinstance(name, str) else "")

    def evaluation(self) -> dict | None:
        return self.read("evaluation.json")

    def recorded_evaluation(self) -> RecordedEvaluation | None:
        """The evaluation as the Train page shows it, or None when the run has none (or it is unreadable)."""
        values = self.evaluation()
        try:
            return RecordedEvaluation.from_dict(values) if values else None
        except (KeyError, TypeError, ValueError):
            return None

    def has_weights(self) -> bool:
        return self.status().get("status") in DONE_STATUSES and self.weights_path.is_file()

    def write(self, name: str, value) -> None:
        """Atomically write a JSON file of this run; a full disk or a read-only folder becomes RunsError."""
        try:
            atomic.write_json(self.path / name, value)
        except OSError as error:
            raise RunsError(describe_os_error(error)) from error

    def update_status(self, **changes) -> dict:
        """Merge `changes` into status.json (only the process that owns the run calls this)."""
        status = {**self.read("status.json", {}), **changes}
        self.write("status.json", status)
        return status


GRID_SIZE = 15  # Test images in the tutorial's prediction grid (5 x 3).


def evaluation_record(evaluation) -> dict:
    """evaluation.json from an Evaluation: the figures, and the probabilities of the images the Train page's
    grids show (the first test images and the first mistakes), so that the server need not evaluate again."""
    first = np.arange(GRID_SIZE)
    mistakes = evaluation.mistakes[:GRID_SIZE]
    probabilities = lambda indices: np.round(evaluation.probabilities[indices], 6).tolist()
    return {**evaluation.to_dict(), "grid": {"first": {"indices": first.tolist(), "probabilities": probabilities(first)},
                                             "mistakes": {"indices": mistakes.tolist(), "probabilities": probabilities(mistakes)}}}  # fmt: skip


@dataclass(frozen=True)
class RecordedEvaluation:
    """A run's evaluation.json, read back: what the Train page shows of a run's test results."""

    accuracy: float
    loss: float
    per_class_accuracy: np.ndarray  # (10,)
    confusion: np.ndarray  # (10, 10), rows = true class.
    mistake_count: int
    grids: dict  # "first" and "mistakes": (indices, probabilities) of up to GRID_SIZE test images.

    @classmethod
    def from_dict(cls, values: dict) -> RecordedEvaluation:
        grids = {
            name: (np.asarray(grid["indices"], dtype=np.int64), np.asarray(grid["probabilities"], dtype=np.float64).reshape(-1, 10))
            for name, grid in (values.get("grid") or {}).items()
        }  # fmt: skip
        return cls(float(values["accuracy"]), float(values["loss"]), np.asarray(values["per_class_accuracy"], dtype=np.float64),
                   np.asarray(values["confusion_matrix"], dtype=np.int64), int(values["mistakes"]), grids)  # fmt: skip

    def grid(self, mistakes: bool) -> tuple[np.ndarray, np.ndarray]:
        """(indices, probabilities) of the grid's test images: the first ones, or the first mistakes."""
        empty = (np.zeros(0, np.int64), np.zeros((0, 10)))
        return self.grids.get("mistakes" if mistakes else "first", empty)


def create(config: TrainConfig, source: str, root: Path | None = None, owner: str | None = None, owner_name: str = "") -> Run:
    """Record a new queued run of `config` (already resolved); RunsError if it cannot be written.

    `owner` is who may manage it (fmnist.runs.owners: "cli" or a browser's hash; by default "cli" for a run of
    the command line, else nobody but the teacher); `owner_name` the display name shown beside it."""
    root = Path(root) if root is not None else runs_dir()
    run_id = new_run_id()
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / run_id).mkdir()
    except OSError as error:
        raise RunsError(describe_os_error(error)) from error
    run = Run(run_id, root / run_id)
    run.write("config.json", config.to_dict())
    # While queued, the run belongs to this process (a server or the command line) on this host.
    process = {"pid": os.getpid(), "host": socket.gethostname()}
    owned = {"owner": owner if owner is not None else ("cli" if source == "cli" else ""), "owner_name": owner_name}
    run.write("status.json", {"id": run_id, "status": "queued", "source": source, "created": time.time(), **process, **owned})
    return run


def get(run_id, root: Path | None = None) -> Run:
    """The run called `run_id`; NoSuchRun for a malformed, unknown or deleted id (nothing outside is read)."""
    if not is_run_id(run_id):
        raise NoSuchRun()
    root = Path(root) if root is not None else runs_dir()
    path = root / run_id
    if not (path / "status.json").is_file():
        raise NoSuchRun()
    return Run(run_id, path)


def list_runs(root: Path | None = None) -> list[Run]:
    """Every recorded run, newest first."""
    root = Path(root) if root is not None else runs_dir()
    try:
        names = sorted((p.name for p in root.iterdir() if is_run_id(p.name)), reverse=True)
    except OSError:
        return []
    return [Run(name, root / name) for name in names if (root / name / "status.json").is_file()]


def pid_alive(pid) -> bool:
    """Whether a process with this id exists (on this machine)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_abandoned(root: Path | None = None, host: str | None = None) -> list[str]:
    """Mark runs left queued, running or paused by a process that is gone as failed; return their ids.

    Called when a job manager starts: a server that restarted has lost its queue and its children.
    A queued run records the pid of the server that queued it, a running one its child's. Only runs of
    this machine (`host`) are judged, since a pid means nothing on another replica; queued runs of this
    very process were left by an earlier manager in it, so they are abandoned too.
    """
    host = host or socket.gethostname()
    marked = []
    for run in list_runs(root):
        status = run.status()
        if status.get("status") in ENDED_STATUSES or status.get("host", host) != host:
            continue
        if pid_alive(status.get("pid")) and status.get("pid") != os.getpid():
            continue  # Its server or its child still lives (another server may share this folder).
        reason = (
            "The server restarted before this run started."
            if status.get("status") == "queued"
            else "The training process ended unexpectedly (the server restarted)."
        )
        try:
            run.update_status(status="failed", error=reason, ended=time.time())
            marked.append(run.id)
        except RunsError:
            pass
    return marked


def registry_metadata(run: Run, made_by: str) -> dict:
    """What the model registry records about a run's model; `made_by` is the command or page that trained it."""
    from fmnist.data import fashion_mnist

    config, status, evaluation = run.config(), run.status(), run.evaluation() or {}
    history = run.history().get("history", {})
    finals = final_metrics(history)
    settings = {key: list(value) if isinstance(value, tuple) else value
                for key, value in architecture_settings(config.model, config.architecture()).items()}  # fmt: skip
    return {
        "architecture": config.model,
        "architecture_settings": settings,
        "config": config.to_dict(),
        "seed": config.seed,
        "metrics": {
            "test_accuracy": evaluation.get("accuracy"),
            "test_loss": evaluation.get("loss"),
            "per_class_accuracy": [round(float(a), 4) for a in evaluation.get("per_class_accuracy", [])],
            "final_train_accuracy": finals["train_accuracy"],
            "final_val_accuracy": finals["val_accuracy"],
        },
        "epochs_run": len(history.get("epoch", [])),
        "status": status.get("status"),
        "train_seconds": round(float(status.get("train_seconds") or 0.0), 2),
        "command": made_by,
        "run": run.id,
        "dataset_sha256": dict(fashion_mnist.SHA256),
    }
