"""The job runner with tiny trainings in real child processes: start, progress, stop, pause/resume, cancel,
crash, queue order, time limit, forged run ids and runs left behind by a server that went away."""

import itertools
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from fmnist.model.config import TrainConfig
from fmnist.runs import jobs, store
from fmnist.runs.owners import COMMAND_LINE as CLI

DEADLINE = 180  # Seconds; generous, because each child imports TensorFlow on a small shared machine.
TINY = dict(model="mlp", epochs=1, limit=300, batch_size=32, validation_split=0.1)
# Long enough to still be training when the test acts on it; the tests always end it themselves.
LONG = dict(model="mlp", epochs=200, limit=6000, batch_size=32, validation_split=0.1)


def group_nice(pid: int) -> str | None:
    """The nice value of the process's scheduling group ("/autogroup-123 nice 19"); None without autogroups."""
    try:
        with open(f"/proc/{pid}/autogroup", encoding="ascii") as file:
            return nice_in(file.read())
    except FileNotFoundError:
        return None


def nice_in(autogroup: str) -> str | None:
    """The nice value in a /proc/PID/autogroup text; None for an empty one.

    Linux leaves the file empty for a process in the system's default group: one whose sessions go back to the
    machine's init without a setsid (PID 1 here; the test runner itself on the CI machine).
    """
    fields = autogroup.split()
    return fields[-1] if fields else None


def wait_until(condition, what: str, timeout: float = DEADLINE):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"not {what} after {timeout} s")


@pytest.fixture
def manager(tmp_path):
    """A manager with its own runs folder; its children are stopped and killed when the test ends."""
    instance = jobs.JobManager(root=tmp_path / "runs", max_trainings=1, max_queue=2)
    yield instance
    instance.shutdown()
    instance.kill_all()
    instance.shutdown(wait=30)


def ended(manager, run_id):
    return wait_until(lambda: manager.view(run_id).ended and manager.view(run_id), f"{run_id} ended")


def training(manager, run_id):
    """Wait until the run has trained at least one reported step."""
    return wait_until(lambda: manager.view(run_id).history["step"], "training")


@pytest.mark.slow
def test_a_tiny_run_finishes_and_is_recorded(manager):
    run_id = manager.submit(TrainConfig(**TINY))
    view = ended(manager, run_id)
    assert view.status == "finished" and view.error is None
    assert view.history["epoch"] == [1] and view.history["step"] == [9]  # 270 images / 32 -> 9 steps, one report.
    run = store.get(run_id, manager.root)
    assert run.config() == TrainConfig(**TINY).resolved()
    assert run.status()["source"] == "page" and run.status()["train_seconds"] > 0
    assert run.weights_path.is_file() and run.has_weights()
    assert 0 < run.evaluation()["accuracy"] <= 1 and len(run.evaluation()["per_class_accuracy"]) == 10
    assert run.history()["history"]["epoch"] == [1]
    # The grids the Train page shows come from the record: the first test images and the first mistakes.
    recorded = run.recorded_evaluation()
    indices, probabilities = recorded.grid(mistakes=False)
    assert indices.tolist() == list(range(15)) and probabilities.shape == (15, 10)
    assert abs(probabilities.sum(axis=1) - 1).max() < 1e-4
    assert len(recorded.grid(mistakes=True)[0]) == min(15, recorded.mistake_count) and recorded.confusion.sum() == 10000
    assert manager.active() == []


@pytest.mark.slow
def test_stop_ends_the_run_keeps_its_weights_and_a_second_stop_does_nothing(manager):
    run_id = manager.submit(TrainConfig(**LONG))
    training(manager, run_id)
    assert manager.stop(run_id, CLI) is True
    assert manager.stop(run_id, CLI) is False  # A second tab's Stop: one stop, no error.
    view = ended(manager, run_id)
    assert view.status == "stopped"
    assert view.history["epoch"] == [1] and view.history["val_loss"] == []  # The partial epoch, no validation pass.
    assert store.get(run_id, manager.root).has_weights()
    assert manager.stop(run_id, CLI) is False  # Stop after the end.


@pytest.mark.slow
def test_a_run_trains_at_the_lowest_priority_in_a_scheduling_group_of_its_own(manager):
    run_id = manager.submit(TrainConfig(**LONG))
    training(manager, run_id)
    pid = store.get(run_id, manager.root).status()["pid"]
    try:
        # A session of its own (a Ctrl-C of the server is not its). With Linux's autogroup scheduling that session
        # is a scheduling group of its own, which shares the cores with the server's by the group's nice value.
        assert os.getpgid(pid) == pid and os.getsid(pid) == pid
        assert group_nice(pid) in ("19", None)
        tasks = f"/proc/{pid}/task"
        threads = [int(tid) for tid in os.listdir(tasks)] if os.path.isdir(tasks) else [pid]
        assert len(threads) > 1 or not os.path.isdir(tasks)  # TensorFlow's pools, numpy's, the command reader.
        assert {thread: os.getpriority(os.PRIO_PROCESS, thread) for thread in threads} == dict.fromkeys(threads, 19)
        if hasattr(os, "SCHED_IDLE"):  # Linux: a core only when no other thread wants it.
            assert {thread: os.sched_getscheduler(thread) for thread in threads} == dict.fromkeys(threads, os.SCHED_IDLE)
    finally:
        manager.stop(run_id, CLI)
        ended(manager, run_id)


@pytest.mark.slow
def test_the_idle_class_can_be_switched_off(manager, monkeypatch):
    monkeypatch.setenv("FMNIST_TRAIN_IDLE", "0")  # The child reads both when it starts.
    monkeypatch.setenv("FMNIST_TRAIN_NICE", "7")
    run_id = manager.submit(TrainConfig(**LONG))
    training(manager, run_id)
    pid = store.get(run_id, manager.root).status()["pid"]
    assert os.getpriority(os.PRIO_PROCESS, pid) == 7
    assert group_nice(pid) in ("7", None)  # Its scheduling group too (see the test above).
    if hasattr(os, "SCHED_OTHER"):
        assert os.sched_getscheduler(pid) == os.SCHED_OTHER
    manager.stop(run_id, CLI)
    assert ended(manager, run_id).status == "stopped"


@pytest.mark.skipif(not os.path.exists("/proc/self/autogroup"), reason="Linux's autogroup scheduling only")
def test_only_a_process_that_leads_its_session_lowers_its_scheduling_group():
    # Run by hand from a shell, a worker shares the shell's group and must leave it as it is; the job runner starts
    # it in a session of its own, whose group it lowers.
    script = (
        "from fmnist.runs.worker import lower_group_priority; lower_group_priority(17); "
        "print(open('/proc/self/autogroup').read(), end='')"
    )
    ours = group_nice(os.getpid())  # None where this process is in the system's default group.
    for own_session, expected in ((False, ours), (True, "17")):
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, start_new_session=own_session
        )
        assert done.returncode == 0, done.stderr
        assert nice_in(done.stdout) == expected


@pytest.mark.slow
def test_pause_halts_and_resume_continues_the_same_run(manager):
    run_id = manager.submit(TrainConfig(**LONG))
    training(manager, run_id)
    assert manager.pause(run_id, CLI)
    wait_until(lambda: manager.view(run_id).status == "paused", "paused")
    assert store.get(run_id, manager.root).status()["status"] == "paused"
    at_pause = manager.view(run_id).history["step"]
    assert manager.resume(run_id, CLI)
    wait_until(lambda: len(manager.view(run_id).history["step"]) > len(at_pause) + 1, "training again")
    manager.stop(run_id, CLI)
    steps = ended(manager, run_id).history["step"]
    # The same run went on where it halted: its steps continue without a gap or a restart.
    assert steps[: len(at_pause)] == at_pause and steps[0] == 16
    assert all(0 < later - earlier <= 16 for earlier, later in itertools.pairwise(steps))


@pytest.mark.slow
def test_queue_runs_in_order_with_positions_and_a_cancel(manager):
    first = manager.submit(TrainConfig(**LONG))
    second, third = manager.submit(TrainConfig(**TINY)), manager.submit(TrainConfig(**TINY, seed=1))
    assert [manager.view(r).status for r in (first, second, third)] == ["running", "queued", "queued"]
    assert [manager.view(r).position for r in (second, third)] == [1, 2]
    assert 0 < manager.view(second).starts_in < manager.view(third).starts_in
    with pytest.raises(jobs.QueueFull, match="queue is full"):
        manager.submit(TrainConfig(**TINY))
    assert manager.cancel(second, CLI) and not manager.cancel(second, CLI)
    assert manager.view(second).status == "cancelled" and manager.view(third).position == 1
    assert store.get(second, manager.root).status()["status"] == "cancelled"
    fourth = manager.submit(TrainConfig(**TINY, seed=2))
    assert manager.active() == [first, third, fourth]
    training(manager, first)
    manager.stop(first, CLI)
    assert ended(manager, fourth).status == "finished"
    started = {r: store.get(r, manager.root).status()["started"] for r in (first, third, fourth)}
    assert started[first] < started[third] < started[fourth]
    assert "started" not in store.get(second, manager.root).status()


@pytest.mark.slow
def test_a_killed_child_fails_its_run_and_the_next_run_starts(manager):
    first = manager.submit(TrainConfig(**LONG))
    second = manager.submit(TrainConfig(**TINY))
    training(manager, first)
    os.kill(store.get(first, manager.root).status()["pid"], signal.SIGKILL)
    view = ended(manager, first)
    assert view.status == "failed" and view.error == "The training process ended unexpectedly (killed by signal 9)."
    assert store.get(first, manager.root).status()["status"] == "failed"
    assert ended(manager, second).status == "finished"


@pytest.mark.slow
def test_a_run_that_fails_in_its_child_says_why_in_one_line_and_logs_the_traceback(manager):
    first = manager.submit(TrainConfig(**LONG))
    broken = manager.submit(TrainConfig(**TINY))
    run = store.get(broken, manager.root)
    run.write("config.json", {**run.read("config.json"), "model": "rnn"})  # What a bug in the child would do.
    training(manager, first)
    manager.stop(first, CLI)
    view = ended(manager, broken)
    assert view.status == "failed" and view.error.startswith('Unknown model "rnn"') and "\n" not in view.error
    assert "Traceback (most recent call last)" in run.log_path.read_text()
    assert not run.has_weights()


@pytest.mark.slow
def test_the_time_limit_stops_a_run_and_keeps_its_weights(tmp_path):
    manager = jobs.JobManager(root=tmp_path / "runs", max_trainings=1, max_queue=1, max_seconds=1)
    try:
        run_id = manager.submit(TrainConfig(**LONG))
        view = ended(manager, run_id)
        assert view.status == "stopped" and "time limit" in view.note
        assert store.get(run_id, manager.root).has_weights()
    finally:
        manager.shutdown()
        manager.kill_all()


@pytest.mark.parametrize(
    "forged",
    [
        "../etc",
        "../../etc/passwd",
        "/etc/passwd",
        "20261129-000000-0000000g",
        "20261129-000000-00000000/..",
        "",
        None,
        42,
        "20261129-000000-00000000",
    ],
)
def test_forged_or_unknown_run_ids_are_no_such_run(manager, forged):
    with pytest.raises(store.NoSuchRun, match="No such run"):
        manager.view(forged)
    with pytest.raises(store.NoSuchRun):
        manager.stop(forged, CLI)


def test_runs_left_behind_by_a_dead_server_are_marked_failed(tmp_path):
    root = tmp_path / "runs"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    left = {}
    for status in ("queued", "running", "paused", "finished"):
        run = store.create(TrainConfig(**TINY).resolved(), "page", root)
        run.update_status(status=status, pid=dead_pid)
        left[status] = run
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])  # Another live process.
    try:
        alive = store.create(TrainConfig(**TINY).resolved(), "cli", root)
        alive.update_status(status="running", pid=other.pid)  # It still trains this one.
        queued_elsewhere = store.create(TrainConfig(**TINY).resolved(), "page", root)
        queued_elsewhere.update_status(pid=other.pid)  # Queued by another live server sharing the folder.
        jobs.JobManager(root=root)
    finally:
        other.kill()
        other.wait()
    assert [left[s].status()["status"] for s in ("queued", "running", "paused")] == ["failed"] * 3
    assert "restarted" in left["running"].status()["error"]
    assert left["finished"].status()["status"] == "finished"
    assert alive.status()["status"] == "running" and queued_elsewhere.status()["status"] == "queued"


def test_a_read_only_runs_folder_is_a_clear_message(tmp_path):
    root = tmp_path / "runs"
    root.mkdir()
    root.chmod(0o500)
    try:
        if os.access(root, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        manager = jobs.JobManager(root=root)
        with pytest.raises(store.RunsError, match="cannot be written"):
            manager.submit(TrainConfig(**TINY))
        assert manager.active() == []
    finally:
        root.chmod(0o700)


def test_queue_wait_fills_the_earliest_free_slot():
    assert jobs.queue_wait([30.0], [], 1) == 30.0
    assert jobs.queue_wait([30.0], [10.0, 20.0], 1) == 60.0
    assert jobs.queue_wait([30.0], [10.0], 2) == 10.0  # A free slot takes the first queued run at once.
    assert jobs.queue_wait([], [], 1) == 0.0


def test_limits_from_the_environment_are_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("FMNIST_MAX_TRAININGS", "zero")
    with pytest.raises(ValueError, match="FMNIST_MAX_TRAININGS must be a whole number"):
        jobs.JobManager(root=tmp_path)
    monkeypatch.setenv("FMNIST_MAX_TRAININGS", "3")
    monkeypatch.setenv("FMNIST_MAX_QUEUE", "0")
    manager = jobs.JobManager(root=tmp_path)
    assert (manager.max_trainings, manager.max_queue, manager.max_seconds) == (3, 0, 1800)
    assert json.loads(json.dumps(jobs.RunView("x", "queued", TrainConfig()).__dict__, default=str))
