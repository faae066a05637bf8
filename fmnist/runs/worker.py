"""The child process of one training run: `python -m fmnist.runs.worker <run folder>`.

Started by the job manager (fmnist.runs.jobs) of the web server, never forked from
it. It lowers its own CPU priority, sizes TensorFlow's thread pools, trains the
run recorded in the folder and writes everything back there (status, history
as it trains, each epoch's predictions on a probe set, weights, evaluation).
Meanwhile it streams its progress to the manager as JSON lines on stdout, and
obeys JSON commands on stdin:
{"command": "stop" | "pause" | "resume"}. When stdin closes (the server went
away) the run stops and keeps its weights. Anything else printed goes to
stderr, which the manager sends to the run's log.

`execute` is also what `python -m fmnist train` runs in its own process.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from fmnist import logs, settings
from fmnist.model.history import Control, RunLog, final_metrics
from fmnist.runs import store

logger = logging.getLogger(__name__)

# Seconds between two rewrites of history.json while the run trains.
HISTORY_INTERVAL = 2.0


def save_weights(model, path: Path) -> None:
    """Write the model's weights atomically (Keras wants the name to end in .weights.h5)."""
    from fmnist import atomic

    def write(tmp: Path) -> None:
        staged = tmp.with_name(tmp.name + ".weights.h5")
        try:
            model.save_weights(staged)
            os.replace(staged, tmp)
        finally:
            staged.unlink(missing_ok=True)

    atomic.write_atomic(path, write)


def execute(run: store.Run, control: Control, emit=lambda event: None, dataset=None, strategy=None):
    """Train `run` in this process and record it; return (status dict, model or None, Evaluation or None).

    A failure is recorded as "failed" with a one-line reason (the whole traceback goes to the log);
    it is not raised. A run that cannot even be recorded raises RunsError.
    """
    from fmnist.data import fashion_mnist
    from fmnist.model import training
    from fmnist.runs import epoch_records

    log = RunLog()
    last_write = [0.0]
    early = {}  # Where early stopping ended the run, and the epoch whose weights it kept.

    def record(event: dict) -> None:
        if event.get("type") == "early_stop":
            early.update(early_stopped_at=event["stopped_epoch"], best_epoch=event["best_epoch"])
        log.apply(event)
        emit(event)
        now = time.monotonic()
        if now - last_write[0] >= HISTORY_INTERVAL:
            last_write[0] = now
            try:
                run.write("history.json", log.to_dict())
            except store.RunsError:
                logger.warning("Could not write %s; the history is still streamed.", run.path / "history.json")

    def record_epochs(document: dict) -> None:
        # Rewritten whole after each epoch (small: 25×10 probabilities and 10×10 counts per epoch).
        try:
            run.write(epoch_records.FILE, document)
        except store.RunsError:
            logger.warning("Could not write %s; the run goes on without it.", run.path / epoch_records.FILE)

    def paused(is_paused: bool) -> None:
        status = "paused" if is_paused else "running"
        run.update_status(status=status)
        emit({"type": "status", "status": status})

    control.on_pause = paused
    run.update_status(status="running", pid=os.getpid(), host=socket.gethostname(), started=time.time())
    emit({"type": "status", "status": "running"})
    model = evaluation = None
    try:
        dataset = dataset if dataset is not None else fashion_mnist.load()
        model, seconds, stopped = training.train(
            run.config(), dataset, record, control, strategy, run.path / store.TENSORBOARD, epoch_writer=record_epochs
        )
        save_weights(model, run.weights_path)
        from fmnist.model.evaluation import evaluate

        evaluation = evaluate(model, dataset.test_images, dataset.test_labels)
        run.write("evaluation.json", store.evaluation_record(evaluation))
        run.write("history.json", log.to_dict())
        _, history = log.copy()
        final = {"status": "stopped" if stopped else "finished", "error": None, "train_seconds": round(seconds, 3),
                 "epochs_run": len(history["epoch"]), "test_accuracy": evaluation.accuracy, "test_loss": evaluation.loss,
                 **final_metrics(history), **early}  # fmt: skip
    except Exception as error:
        logger.exception("Training run %s failed", run.id)  # The whole traceback, in the run's log.
        final = {"status": "failed", "error": training.describe_error(error)}
        with contextlib.suppress(store.RunsError):
            run.write("history.json", log.to_dict())
    # Every ended run records the epochs it finished (a failed one too), so the table of runs reads no history.
    status = run.update_status(**{"epochs_run": len(log.copy()[1]["epoch"]), **final}, ended=time.time())
    emit({"type": "end", **final})
    return status, model, evaluation


def lower_priority(nice: int, idle: bool = True) -> None:
    """Put every thread of this process at `nice` (19: the lowest) and, with `idle` where the system has it
    (Linux), in the SCHED_IDLE class: it then runs only on a core that no other thread wants, and a waking thread
    of the server takes the core from it at once. Threads started later inherit both. Then its scheduling group.

    Linux keeps these per thread, and `os.nice` sets the calling thread's only: threads started before (numpy's
    BLAS pool, at import) would keep the server's priority.
    """
    tasks = Path(f"/proc/{os.getpid()}/task")
    threads = [int(tid) for tid in os.listdir(tasks)] if tasks.is_dir() else [0]  # 0: the calling thread.
    for thread in threads:
        with contextlib.suppress(ProcessLookupError):  # A thread that has ended meanwhile.
            os.setpriority(os.PRIO_PROCESS, thread, max(os.getpriority(os.PRIO_PROCESS, thread), nice))
            if idle and hasattr(os, "SCHED_IDLE"):
                os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))
    lower_group_priority(nice)


def lower_group_priority(nice: int, tries: int = 20) -> None:
    """Give this process's scheduling group `nice`, where Linux has autogroup scheduling (on by default).

    There each session is a scheduling group, and groups share the cores by the group's nice value: a priority
    ranks a thread only within its group. fmnist.runs.jobs starts a run in a session of its own, so with this the run
    weighs 15 against the server's 1,024 (nice 19 against 0) and the SCHED_IDLE class ranks its threads below
    each other thread of its group. Kept in the server's session instead, it would take a far larger share of
    the CPU from the server when a class trains at once, and the learners' predictions would be slower.
    An unprivileged process may change the value once per tenth of a second in all the system (EAGAIN).
    Only a process that leads its session changes it: started by hand from a shell, the group is the shell's.
    """
    if not hasattr(os, "getsid") or os.getsid(0) != os.getpid():
        return
    for _ in range(tries):
        try:
            Path("/proc/self/autogroup").write_text(str(nice), encoding="ascii")
            return
        except BlockingIOError:  # EAGAIN: another process changed one within the last tenth of a second.
            time.sleep(0.05)
        except OSError as error:  # Not Linux, or a kernel without autogroups: the threads' priority is all.
            logger.info("The run's scheduling group keeps its priority: %s", error)
            return
    logger.warning("The run's scheduling group keeps its priority: the kernel refused the change %d times.", tries)


def configure_threads() -> None:
    """Size TensorFlow's thread pools ($FMNIST_TRAIN_THREADS, default all cores); call before TF runs anything."""
    import tensorflow as tf

    threads = settings.train_threads()
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(max(1, min(2, threads)))


def read_commands(stream, control: Control) -> None:
    """Obey JSON commands from the manager until the stream closes, then stop the run."""
    actions = {"stop": control.stop, "pause": control.pause, "resume": control.resume}
    for line in stream:
        try:
            command = json.loads(line).get("command")
        except (ValueError, AttributeError):
            continue
        if command in actions:
            actions[command]()
    control.stop()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = Path(argv[0])
    run = store.Run(folder.name, folder)
    logs.configure()  # Its stderr is the run's log.txt.
    # The lowest CPU priority (by default): the run gets the CPU time the server leaves, so predictions stay quick.
    lower_priority(settings.train_nice(), settings.train_idle())
    # The progress stream keeps the real stdout; anything else printed (by TensorFlow too) goes to the log.
    stream = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    lock = threading.Lock()

    def emit(event: dict) -> None:
        # If the server went away, the run's folder still records everything.
        with lock, contextlib.suppress(BrokenPipeError, ValueError, OSError):
            stream.write(json.dumps(event) + "\n")

    control = Control()
    signal.signal(signal.SIGTERM, lambda *_: control.stop())
    signal.signal(signal.SIGINT, lambda *_: control.stop())
    threading.Thread(target=read_commands, args=(sys.stdin, control), daemon=True, name="commands").start()
    configure_threads()
    status, _, _ = execute(run, control, emit)
    return 0 if status.get("status") != "failed" else 1


if __name__ == "__main__":
    exit_status = main()
    gc.freeze()  # Spares the garbage collection over TensorFlow's objects at shutdown (see fmnist/__main__.py).
    sys.exit(exit_status)
