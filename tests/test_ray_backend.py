"""The job runner on both backends: the behaviours that matter (a finished run's record, Stop keeps the weights,
Pause/Resume, Cancel of a queued run, the time limit, the owners' refusals) with tiny trainings, on local child
processes and on a local Ray cluster of three nodes on this machine (small object stores, one CPU per worker node), started
once for the module. Then what only a cluster does: a node that dies mid-run, a cluster that cannot be reached."""

import json
import os
import re
import socket
import subprocess
import sys
import time

import pytest

from fmnist.model.config import TrainConfig
from fmnist.runs import backends, jobs, owners, store
from fmnist.runs.owners import COMMAND_LINE as CLI
from fmnist.settings import PROJECT_DIR

DEADLINE = 240  # Seconds; each run's process imports TensorFlow on a small shared machine.
TINY = dict(model="mlp", epochs=1, limit=600, batch_size=32, validation_split=0.1)
LONG = dict(model="mlp", epochs=200, limit=6000, batch_size=32, validation_split=0.1)
STORE_BYTES = 80 * 2**20  # Each node's object store: only progress and a run's files go through it.
RECORD = ("config.json", "status.json", "history.json", "epochs.json", "evaluation.json", store.WEIGHTS, "log.txt")


def wait_until(condition, what: str, timeout: float = DEADLINE):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"not {what} after {timeout} s")


def ended(manager, run_id):
    return wait_until(lambda: manager.view(run_id).ended and manager.view(run_id), f"{run_id} ended")


def training(manager, run_id):
    return wait_until(lambda: manager.view(run_id).history["step"], f"{run_id} training")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", autouse=True)
def not_idle():
    """Runs out of the SCHED_IDLE class for this module (set before the cluster's nodes start, which inherit it):
    on a machine that other work keeps busy, an idle-class run may wait minutes for a core."""
    before = os.environ.get("FMNIST_TRAIN_IDLE")
    os.environ["FMNIST_TRAIN_IDLE"] = "0"
    yield
    if before is None:
        os.environ.pop("FMNIST_TRAIN_IDLE", None)
    else:
        os.environ["FMNIST_TRAIN_IDLE"] = before


@pytest.fixture(scope="module")
def ray_cluster(not_idle):
    """A head without CPUs (so every run goes to a worker node) and two worker nodes of one CPU each."""
    from ray.cluster_utils import Cluster

    from fmnist.runs.ray_backend import RayBackend

    # The nodes take the machine's address: ray.init rewrites 127.0.0.1 to it, and would not find them there.
    node = dict(num_cpus=1, object_store_memory=STORE_BYTES)
    cluster = Cluster(initialize_head=True, head_node_args={**node, "num_cpus": 0, "include_dashboard": False})
    for _ in range(2):
        cluster.add_node(**node)
    cluster.wait_for_nodes()
    backend = RayBackend(cluster.address)
    backend.connect()
    yield cluster, backend
    import ray

    ray.shutdown()
    try:
        cluster.shutdown()
    except ValueError:  # The head was still this process's node: Ray has now disconnected it, so again.
        cluster.shutdown()


def make_manager(request, root, **limits) -> jobs.JobManager:
    backend = "local" if request.param == "local" else request.getfixturevalue("ray_cluster")[1]
    manager = jobs.JobManager(root=root, backend=backend, **{"max_trainings": 1, "max_queue": 2, **limits})
    request.addfinalizer(lambda: (manager.shutdown(), manager.kill_all(), manager.shutdown(wait=30)))
    return manager


BOTH = pytest.mark.parametrize("manager", ["local", "ray"], indirect=True)


@pytest.fixture
def manager(request, tmp_path):
    return make_manager(request, tmp_path / "runs")


@pytest.mark.slow
@BOTH
def test_a_tiny_run_finishes_with_its_whole_record_in_the_runs_folder(manager):
    run_id = manager.submit(TrainConfig(**TINY))
    view = ended(manager, run_id)
    assert view.status == "finished" and view.error is None, view.error
    assert view.history["epoch"] == [1] and view.history["step"]
    run = store.get(run_id, manager.root)
    assert all((run.path / name).is_file() for name in RECORD)
    assert list((run.path / store.TENSORBOARD).rglob("events.out.tfevents.*"))
    assert run.has_weights() and run.recorded_evaluation().accuracy > 0.1
    assert run.status()["owner"] == owners.CLI and run.history()["history"]["epoch"] == [1]


@pytest.mark.slow
@BOTH
def test_stop_keeps_the_weights(manager):
    run_id = manager.submit(TrainConfig(**LONG))
    training(manager, run_id)
    assert manager.stop(run_id, CLI) and not manager.stop(run_id, CLI)
    view = ended(manager, run_id)
    assert view.status == "stopped" and store.get(run_id, manager.root).has_weights()


@pytest.mark.slow
@BOTH
def test_pause_halts_and_resume_continues(manager):
    run_id = manager.submit(TrainConfig(**LONG))
    training(manager, run_id)
    assert manager.pause(run_id, CLI)
    wait_until(lambda: manager.view(run_id).status == "paused", "paused")
    wait_until(lambda: store.get(run_id, manager.root).status()["status"] == "paused", "paused on disk")
    at_pause = len(manager.view(run_id).history["step"])
    assert manager.resume(run_id, CLI)
    wait_until(lambda: len(manager.view(run_id).history["step"]) > at_pause + 1, "training again")
    manager.stop(run_id, CLI)
    assert ended(manager, run_id).status == "stopped"


@pytest.mark.slow
@BOTH
def test_a_queued_run_is_cancelled_and_the_owners_limits_hold(manager):
    learner = owners.Actor(owner=owners.LEARNER + "a" * 32, name="Lin")
    other = owners.Actor(owner=owners.LEARNER + "b" * 32, name="Ana")
    first = manager.submit(TrainConfig(**LONG), owner=learner)
    # The first run may wait a moment for a worker; the second is next only once it has left the queue.
    wait_until(lambda: manager.view(first).status != "queued", f"{first} started")
    second = manager.submit(TrainConfig(**TINY), owner=learner)
    with pytest.raises(jobs.TooManyRuns):
        manager.submit(TrainConfig(**TINY), owner=learner)
    assert manager.view(second).status == "queued" and manager.view(second).position == 1
    with pytest.raises(owners.NotAllowed):
        manager.cancel(second, other)
    with pytest.raises(owners.NotAllowed):
        manager.stop(first, other)
    assert manager.cancel(second, learner)
    assert manager.view(second).status == "cancelled" and store.get(second, manager.root).status()["status"] == "cancelled"
    training(manager, first)
    assert manager.stop(first, learner)
    assert ended(manager, first).status == "stopped"


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["local", "ray"])
def test_the_time_limit_stops_a_run_and_keeps_its_weights(request, tmp_path, backend):
    request.param = backend
    manager = make_manager(request, tmp_path / "runs", max_seconds=1)
    run_id = manager.submit(TrainConfig(**LONG))
    view = ended(manager, run_id)
    assert view.status == "stopped" and "time limit" in view.note
    assert store.get(run_id, manager.root).has_weights()


@pytest.mark.slow
def test_a_node_that_dies_mid_run_fails_the_run_and_frees_its_place(ray_cluster, tmp_path):
    cluster, backend = ray_cluster
    manager = jobs.JobManager(root=tmp_path / "runs", max_trainings=1, max_queue=2, backend=backend)
    try:
        doomed = manager.submit(TrainConfig(**LONG))
        training(manager, doomed)
        node_id = wait_until(lambda: store.get(doomed, manager.root).status().get("node_id"), "the node recorded")
        node = next(node for node in cluster.worker_nodes if node.node_id == node_id)
        after = manager.submit(TrainConfig(**TINY))
        cluster.remove_node(node, allow_graceful=False)
        view = ended(manager, doomed)
        assert view.status == "failed" and "Ray node" in view.error and "\n" not in view.error
        assert store.get(doomed, manager.root).status()["status"] == "failed"
        assert ended(manager, after).status == "finished"  # Its place was freed: the next run trained elsewhere.
    finally:
        manager.shutdown()
        manager.kill_all()
        cluster.add_node(num_cpus=1, object_store_memory=STORE_BYTES)


@pytest.fixture
def disconnected():
    """No Ray connection in this process: the module's cluster stays up, and its backend connects again when asked."""
    import ray

    ray.shutdown()


def test_a_backend_refuses_while_this_process_is_connected_to_another_cluster(ray_cluster):
    from fmnist.runs.ray_backend import RayBackend

    cluster, backend = ray_cluster
    backend.connect()
    with pytest.raises(backends.Unavailable, match=f"connected to the Ray cluster at {re.escape(cluster.address)}"):
        RayBackend(f"127.0.0.1:{free_port()}").connect()
    backend.connect()  # Its own address: still connected.


def test_a_cluster_that_cannot_be_reached_keeps_the_queue_and_says_why(tmp_path, caplog, monkeypatch, disconnected):
    from fmnist.runs.ray_backend import RayBackend

    monkeypatch.setattr(jobs, "RETRY_SECONDS", 0.2)
    address = f"127.0.0.1:{free_port()}"  # Nothing listens there.
    manager = jobs.JobManager(root=tmp_path / "runs", max_trainings=1, max_queue=2, backend=RayBackend(address))
    try:
        first = manager.submit(TrainConfig(**TINY))
        second = manager.submit(TrainConfig(**TINY, seed=1))
        reason = wait_until(lambda: manager.view(first).unavailable, "told why", timeout=30)
        assert address in reason and "cannot be reached" in reason
        assert any(address in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
        assert [manager.view(r).status for r in (first, second)] == ["queued", "queued"]
        assert [manager.view(r).position for r in (first, second)] == [1, 2]
        assert manager.cancel(second, CLI) and manager.active() == [first]
        assert store.get(first, manager.root).status()["status"] == "queued"
    finally:
        manager.shutdown()
    assert store.get(first, manager.root).status()["status"] == "cancelled"


def test_the_local_backend_never_imports_ray(tmp_path):
    code = (
        "import sys; from fmnist.runs import jobs; import fmnist.cli; "
        f"m = jobs.JobManager(root={str(tmp_path)!r}); assert m.backend.name == 'local'; print('ray' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_backends_by_name():
    assert backends.create("local").name == "local"
    with pytest.raises(ValueError, match="slurm"):
        backends.create("slurm")


@pytest.mark.slow
def test_the_cost_script_reports_each_figure():
    out = subprocess.run(
        [sys.executable, "-m", "scripts.ray_cost"], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=DEADLINE
    )
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(report) == {"install_mib", "start_seconds", "idle_processes", "idle_rss_mib", "server_added_rss_mib"}
    assert report["idle_processes"] > 0 and report["install_mib"] > 0


def test_the_train_page_says_when_the_cluster_cannot_be_reached(fresh_job_manager, model_dir, monkeypatch, disconnected):
    from streamlit.testing.v1 import AppTest

    from tests.page_support import ENTRY, TIMEOUT, attached_view, labelled, open_page, texts

    monkeypatch.setenv("FMNIST_BACKEND", "ray")
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{free_port()}")
    app = AppTest.from_file(ENTRY, default_timeout=TIMEOUT).run()
    open_page(app, "train")
    app.number_input(key="train_epochs").set_value(1)
    app.number_input(key="train_limit").set_value(300)
    labelled(app.button, "Start training").click().run()
    run_id = attached_view(app).id
    wait_until(lambda: jobs.get_manager().view(run_id).unavailable, "told why", timeout=30)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert "The training cluster cannot be reached just now" in texts(app.warning)
    assert "Queued: position 1" in texts(app.info) and attached_view(app).status == "queued"
