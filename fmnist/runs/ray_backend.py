"""The "ray" backend (fmnist.runs.backends): each run a Ray actor in a worker process of its own.

The job manager connects to the cluster at `RAY_ADDRESS` or, when it is unset, starts a small local Ray for
itself (no dashboard, a small object store). Each run is a `Trainer` actor: it trains in a temporary folder on
its node with the same code as a local child (fmnist.runs.worker.execute), and the manager's reader polls it
POLL_SECONDS apart for the new progress events and the files that changed, which it writes into the server's
`runs/<id>/` (JSON files and weights whole and atomically, the log and TensorBoard's event files by what was
appended). The nodes need no shared folder, only the project and the dataset. When the run has ended its actor
is killed, so its process is never reused. A node that dies mid-run ends the run as failed with a one-line
reason; a cluster that cannot be reached is `Unavailable` and the manager keeps its queue.

This module imports Ray: only fmnist.runs.backends imports it, when the backend is "ray".
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import ray
from ray.exceptions import ActorUnavailableError, GetTimeoutError, RayActorError, RayError

from fmnist import atomic, settings
from fmnist.runs import store
from fmnist.runs.backends import Unavailable

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# A started run whose actor has not answered a poll for this long is lost (its node died unseen by Ray so far).
LOST_SECONDS = 60.0
# The object store of a local Ray: only small messages go through it (progress, a run's files).
LOCAL_OBJECT_STORE_BYTES = 100 * 2**20
# Files whose writers append in place (sent by what was added); every other file is replaced whole.
APPENDED = ("log.txt", f"{store.TENSORBOARD}/")
# The files of the server's record a node needs to start a run.
SEEDED = ("config.json", "status.json")


# Where this process's Ray connection goes (RayBackend.where), once a backend has connected.
connected_to: str | None = None


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class RayBackend:
    """Runs as Ray actors on the cluster at `address` (`RAY_ADDRESS` if not given), or on a local Ray."""

    name = "ray"

    def __init__(self, address: str | None = None):
        self.address = address if address is not None else (os.environ.get("RAY_ADDRESS") or None)

    def where(self, start: bool = False) -> str:
        """Where runs go, for a message (`start`: at the start of a sentence)."""
        where = f"the Ray cluster at {self.address}" if self.address else "a local Ray"
        return where[0].upper() + where[1:] if start else where

    def connect(self) -> None:
        global connected_to
        if ray.is_initialized():
            if connected_to == self.where():
                return
            # One Ray connection per process: runs meant for this cluster must not start on another one.
            elsewhere = connected_to or "a Ray that this backend did not start"
            raise Unavailable(f"{self.where(True)} cannot be reached: this process is connected to {elsewhere}.")
        self.probe()
        outcome: list[BaseException | None] = []
        done = threading.Event()
        # A local Ray's processes are killed when the thread that started them ends (Linux's parent-death signal
        # is per thread), so the thread that calls ray.init lives as long as this process.
        threading.Thread(target=self._init, args=(outcome, done), daemon=True, name="ray-init").start()
        done.wait()
        if outcome[0] is not None:
            with contextlib.suppress(Exception):
                ray.shutdown()
            raise Unavailable(f"{self.where(True)} cannot be reached: {first_line(outcome[0])}") from outcome[0]
        connected_to = self.where()
        logger.info("Training runs go to %s.", self.where())

    def probe(self, timeout: float = 5.0) -> None:
        """Unavailable at once when nothing answers at the cluster's address (ray.init would wait for minutes)."""
        host, _, port = (self.address or "").rpartition(":")
        if not host or not port.isdigit():
            return  # A local Ray, or "auto": ray.init says what is wrong.
        try:
            socket.create_connection((host, int(port)), timeout=timeout).close()
        except OSError as error:
            raise Unavailable(f"{self.where(True)} cannot be reached: {error.strerror or error}.") from error

    def _init(self, outcome: list, done: threading.Event) -> None:
        # Each node finds the project as this server does: at the same path, unless its own PYTHONPATH says where.
        job = ray.job_config.JobConfig(code_search_path=[str(settings.PROJECT_DIR)])
        try:
            if self.address:
                ray.init(address=self.address, log_to_driver=False, job_config=job)
            else:
                # "local": a Ray of this server's own, even when another one runs on this machine.
                ray.init(address="local", include_dashboard=False, object_store_memory=LOCAL_OBJECT_STORE_BYTES,
                         log_to_driver=False, job_config=job)  # fmt: skip
        except Exception as error:  # ConnectionError, RuntimeError, RayError... each a cluster out of reach.
            outcome.append(error)
            done.set()
            return
        outcome.append(None)
        done.set()
        threading.Event().wait()  # Forever: see connect.

    def start(self, run: store.Run) -> RayHandle:
        files = {}
        for name in SEEDED:
            try:
                files[name] = (run.path / name).read_bytes()
            except OSError as error:
                raise store.RunsError(store.describe_os_error(error)) from error
        try:
            actor = Trainer.remote(run.id, files)
        except RayError as error:
            raise Unavailable(f"{self.where(True)} cannot start the run: {first_line(error)}") from error
        return RayHandle(run, actor)


class RayHandle:
    """A run trained by a Trainer actor (fmnist.runs.backends.Handle); its reader writes the run's files here."""

    def __init__(self, run: store.Run, actor):
        self.run = run
        self.actor = actor
        self.reason = "its Ray actor ended without a word"
        self.node: dict = {}

    def send(self, command: str) -> None:
        with contextlib.suppress(RayError):
            self.actor.command.remote(command)

    def events(self) -> Iterator[dict]:
        pending, answered = None, None  # When the actor last answered (None: not started yet).
        while True:
            pending = pending or self.actor.poll.remote()
            try:
                events, files, done, node = ray.get(pending, timeout=10)
            except (GetTimeoutError, ActorUnavailableError):
                # Not started yet (waiting for a node's CPU): wait. Started, then silent for LOST_SECONDS: lost.
                if answered is not None and time.monotonic() - answered > LOST_SECONDS:
                    logger.error("Run %s: its Ray actor has not answered for %g s.", self.run.id, LOST_SECONDS)
                    self.reason = "its Ray node or worker process died or cannot be reached"
                    break
                time.sleep(POLL_SECONDS)
                continue
            except RayActorError as error:
                logger.error("Run %s: its Ray actor died: %s", self.run.id, first_line(error))
                self.reason = "its Ray node or worker process died or cannot be reached"
                break
            except RayError as error:
                logger.error("Run %s: its Ray actor cannot be reached: %s", self.run.id, first_line(error))
                self.reason = "its Ray actor cannot be reached"
                break
            pending, answered = None, time.monotonic()
            self.node = node
            self.write(files)
            yield from events
            if done:
                self.reason = "its Ray actor ended"
                with contextlib.suppress(RayError):
                    ray.get(self.actor.close.remote(), timeout=30)
                break
            time.sleep(POLL_SECONDS)
        self.kill()

    def write(self, files: dict) -> None:
        """Write what the actor sent into the run's folder on this machine."""
        for name, (mode, offset, data) in files.items():
            path = self.run.path / name
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if mode == "append" and path.exists() and path.stat().st_size == offset:
                    with open(path, "ab") as f:
                        f.write(data)
                elif mode == "append" and offset:
                    logger.warning("Run %s: %s is not as the node left it; its new part is dropped.", self.run.id, name)
                elif name == "status.json":
                    atomic.write_json(path, self.status(data))
                else:
                    atomic.write_bytes(path, data)
            except OSError as error:
                logger.error("Run %s: could not write %s: %s", self.run.id, name, store.describe_os_error(error))

    def status(self, data: bytes) -> dict:
        """The node's status.json, as this server's: the run belongs to this process (so a restart of the server
        marks it abandoned), and where it trains is recorded as its node."""
        import json

        status = json.loads(data)
        node = {"node": status.get("host"), "node_pid": status.get("pid"), "node_id": self.node.get("node_id")}
        return {**status, **node, "pid": os.getpid(), "host": socket.gethostname()}

    def wait(self) -> str:
        return self.reason

    def kill(self) -> None:
        with contextlib.suppress(RayError):
            ray.kill(self.actor, no_restart=True)


@ray.remote(num_cpus=1, max_restarts=0)
class Trainer:
    """One run on a node: trains in a temporary folder in a thread while the manager polls it."""

    def __init__(self, run_id: str, files: dict[str, bytes]):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self.folder = Path(tempfile.mkdtemp(prefix=f"fmnist-run-{run_id}-"))
        for name, data in files.items():
            (self.folder / name).write_bytes(data)
        self.run = store.Run(run_id, self.folder)
        self.lock = threading.Lock()
        self.queue: list[dict] = []
        self.sent: dict[str, tuple] = {}  # Per file: (inode, size, mtime) as last sent.
        self.done = False
        from fmnist.model.history import Control

        self.control = Control()
        threading.Thread(target=self.train, daemon=True, name="train").start()

    def train(self) -> None:
        from fmnist import logs
        from fmnist.runs import worker

        try:
            # This process is the run's alone: its output is the run's log, as a local child's stderr is.
            log = os.open(self.run.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(log, 2)
            os.dup2(log, 1)
            logs.configure()
            worker.lower_priority(settings.train_nice(), settings.train_idle())
            worker.configure_threads()
            worker.execute(self.run, self.control, self.emit)
        except Exception as error:  # Recorded by execute when it can; this is what it could not record.
            logging.getLogger(__name__).exception("Run %s could not train on this node", self.run.id)
            self.emit({"type": "end", "status": "failed", "error": f"The run could not train on its node: {error}"})
        finally:
            self.done = True

    def emit(self, event: dict) -> None:
        with self.lock:
            self.queue.append(event)

    def command(self, name: str) -> None:
        actions = {"stop": self.control.stop, "pause": self.control.pause, "resume": self.control.resume}
        if name in actions:
            actions[name]()

    def poll(self) -> tuple[list[dict], dict, bool, dict]:
        """(new events, changed files, whether the run has ended, where it runs); the files of an ended run are
        its last, since `done` is read first."""
        done = self.done
        with self.lock:
            events, self.queue = self.queue, []
        return events, self.changed(), done, {"host": socket.gethostname(), "node_id": ray.get_runtime_context().get_node_id()}

    def changed(self) -> dict:
        files = {}
        for path in sorted(self.folder.rglob("*")):
            name = path.relative_to(self.folder).as_posix()
            if not path.is_file() or path.name.startswith("."):  # Atomic writes' temporary files.
                continue
            try:
                info = path.stat()
                key = (info.st_ino, info.st_size, info.st_mtime_ns)
                if self.sent.get(name) == key:
                    continue
                before = self.sent.get(name)
                if name.startswith(APPENDED) and before and before[0] == info.st_ino and before[1] <= info.st_size:
                    with open(path, "rb") as f:
                        f.seek(before[1])
                        data = f.read(info.st_size - before[1])
                    files[name] = ("append", before[1], data)
                else:
                    data = path.read_bytes()[: info.st_size]
                    files[name] = ("append", 0, data) if name.startswith(APPENDED) else ("whole", 0, data)
            except OSError:
                continue  # Replaced meanwhile: sent at the next poll.
            self.sent[name] = key
        return files

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
