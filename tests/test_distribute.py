"""Data-parallel training computes the same steps as one device, and the command line drives it.

tests/distributed_steps.py trains a few steps of plain SGD from the same weights on the same batches and prints
each step's loss; a correct data-parallel step must reproduce the one-device losses up to float rounding, so a
gradient that is scaled by the number of replicas, or not averaged across workers, fails here.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
STEPS = ROOT / "tests" / "distributed_steps.py"
ARGS = ["train", "--model", "mlp", "--epochs", "1", "--limit", "2000", "--batch-size", "64", "--seed", "1", "--json"]
# Every test here starts training processes (one reports a missing setting before any step).
pytestmark = pytest.mark.slow


def environment(extra=None):
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT), **(extra or {})}


def start(command, env=None):
    return subprocess.Popen(command, env=environment(env), cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def last_json(process):
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


def losses(mode, env=None):
    return start([sys.executable, str(STEPS), mode], env)


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def cluster_env(workers, index):
    return {"TF_CONFIG": json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})}


def test_mirrored_fit_takes_the_same_steps_as_one_device():
    single, mirrored = last_json(losses("single")), last_json(losses("mirrored", {}))
    assert len(single) == len(mirrored) == 12
    assert single[-1] < single[0]  # It learns at all.
    np.testing.assert_allclose(mirrored, single, rtol=1e-4)


def test_multiworker_loop_takes_the_same_steps_as_one_device():
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    cluster = [losses("multiworker", cluster_env(workers, index)) for index in range(2)]
    reference = last_json(losses("custom"))
    first, second = (last_json(p) for p in cluster)
    assert len(reference) == 12 and reference[-1] < reference[0]
    np.testing.assert_allclose(first, reference, rtol=1e-4)
    np.testing.assert_allclose(second, reference, rtol=1e-4)


def test_the_command_line_trains_on_two_local_workers_and_only_the_chief_saves(tmp_path):
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    env = lambda index: {**cluster_env(workers, index), "FMNIST_MODEL_DIR": str(tmp_path)}
    processes = [
        start([sys.executable, "-m", "fmnist", *ARGS, "--distribute", "multiworker", "--name", "cluster-model"], env(i))
        for i in range(2)
    ]
    results = [last_json(p) for p in processes]
    # Both workers hold the same synchronised weights; only the chief saved them.
    assert results[0]["test_accuracy"] == results[1]["test_accuracy"] > 0.5
    assert results[0]["path"] and results[1]["path"] is None


def test_the_command_line_trains_mirrored_on_two_cpu_devices():
    result = last_json(start([sys.executable, "-m", "fmnist", *ARGS, "--distribute", "mirrored", "--cpu-devices", "2"]))
    assert result["epochs_run"] == 1 and result["test_accuracy"] > 0.5


def test_multiworker_without_tf_config_says_what_is_missing():
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    result = subprocess.run([sys.executable, "-m", "fmnist", *ARGS, "--distribute", "multiworker"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2 and "TF_CONFIG" in result.stderr.splitlines()[-1]
