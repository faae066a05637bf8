"""Training with tf.distribute strategies learns as well as on one device."""

import json
import os
import socket
import subprocess
import sys

import pytest

ARGS = ["train", "--model", "mlp", "--epochs", "2", "--limit", "6000", "--batch-size", "64", "--seed", "1", "--json"]


def train(*extra, env=None):
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "fmnist", *ARGS, *extra], env=full_env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def summary(process):
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def single_device():
    return summary(train())


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_mirrored_on_two_cpu_devices_learns_like_one_device(single_device):
    mirrored = summary(train("--distribute", "mirrored", "--cpu-devices", "2"))
    assert mirrored["epochs_run"] == 2
    assert mirrored["test_accuracy"] == pytest.approx(single_device["test_accuracy"], abs=0.02)


def test_multiworker_on_two_local_workers_learns_like_one_device(single_device, tmp_path):
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    processes = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {"TF_CONFIG": json.dumps(config), "FMNIST_MODEL_DIR": str(tmp_path)}
        processes.append(train("--distribute", "multiworker", "--name", "cluster-model", env=env))
    results = [summary(p) for p in processes]
    # Both workers hold the same synchronised weights; only the chief saved them.
    assert results[0]["test_accuracy"] == results[1]["test_accuracy"]
    assert results[0]["path"] and results[1]["path"] is None
    assert results[0]["test_accuracy"] == pytest.approx(single_device["test_accuracy"], abs=0.03)


def test_multiworker_without_tf_config_says_what_is_missing():
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    result = subprocess.run([sys.executable, "-m", "fmnist", *ARGS, "--distribute", "multiworker"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "TF_CONFIG" in result.stderr.splitlines()[-1]
