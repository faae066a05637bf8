"""The registry under concurrency: threads and processes saving one name at once, and saves killed midway."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import zipfile

import numpy as np
import pytest

from fmnist import registry
from fmnist.model import architectures


def mlp_with_weights(value: float):
    """An MLP whose every weight is `value`, so that the weights tell which save wrote a file."""
    model = architectures.build("mlp")
    model.set_weights([np.full(w.shape, value, dtype=w.dtype) for w in model.get_weights()])
    return model


def test_threads_racing_on_one_name_one_wins_and_its_metadata_describes_its_bytes(model_dir):
    contenders = [mlp_with_weights(i / 100) for i in range(8)]
    barrier = threading.Barrier(len(contenders))
    outcomes = [None] * len(contenders)

    def contend(index):
        barrier.wait(timeout=60)
        try:
            outcomes[index] = registry.save(contenders[index], "race", {"contender": index})
        except registry.RegistryError as error:
            outcomes[index] = error

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(len(contenders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    winners = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, registry.ModelInfo)]
    assert len(winners) == 1, outcomes
    assert all("already exists" in str(outcomes[i]) for i in range(len(contenders)) if i != winners[0])
    metadata = json.loads((model_dir / "race.json").read_text())
    assert metadata["contender"] == winners[0]
    assert metadata["sha256"] == registry.file_sha256(model_dir / "race.weights.npz")
    assert np.all(registry.load("race").get_weights()[0] == winners[0] / 100)


@pytest.mark.slow
def test_processes_overwriting_one_name_never_record_each_others_bytes(model_dir):
    # Three processes replace one model at the same moment, round after round; after each round the metadata
    # must describe the bytes on disk, and the weights must be those of the contender it names.
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        from fmnist import registry
        from fmnist.model import architectures
        index = int(sys.argv[1])
        model = architectures.build("mlp")
        model.set_weights([np.full(w.shape, index, dtype=w.dtype) for w in model.get_weights()])
        print("ready", flush=True)
        for line in sys.stdin:  # One save per line, so that all contenders start each round together.
            registry.save(model, "race", {"contender": index}, overwrite=True)
            print("saved", flush=True)
        """
    )
    env = {**os.environ, "FMNIST_MODEL_DIR": str(model_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    children = [
        subprocess.Popen([sys.executable, "-c", script, str(i)], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        for i in range(3)
    ]
    try:
        for child in children:
            assert child.stdout.readline().strip() == b"ready"
        for _ in range(20):
            for child in children:
                child.stdin.write(b"go\n")
                child.stdin.flush()
            for child in children:
                assert child.stdout.readline().strip() == b"saved"
            metadata = json.loads((model_dir / "race.json").read_text())
            assert metadata["sha256"] == registry.file_sha256(model_dir / "race.weights.npz")
            assert np.all(registry.load("race").get_weights()[0] == metadata["contender"])
    finally:
        for child in children:
            child.stdin.close()
            child.wait(timeout=60)


def wait_for_line(stream, prefix: bytes, deadline: float) -> bytes:
    """The next line of `stream` that starts with `prefix`; fails the test at `deadline` (time.monotonic)."""
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        if line.startswith(prefix):
            return line
    pytest.fail(f"no line starting with {prefix!r} before the deadline")


@pytest.mark.slow
def test_killed_while_saving_leaves_only_whole_models(model_dir):
    # A child saves models under new names in a loop and says when each save finished; it is killed once
    # it has finished at least one save, at a different moment of the next saves each time.
    script = textwrap.dedent(
        """
        import itertools, sys
        from fmnist import registry
        from fmnist.model import architectures
        model = architectures.compile_model(architectures.build("cnn"))
        start = int(sys.argv[1])
        for i in itertools.count(start):
            registry.save(model, f"m{i}", {"architecture": "cnn"})
            print(f"saved m{i}", flush=True)
        """
    )
    env = {**os.environ, "FMNIST_MODEL_DIR": str(model_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    finished = set()
    for round_, extra_saves in enumerate((0, 1, 2)):
        child = subprocess.Popen([sys.executable, "-c", script, str(100 * round_)], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 300
        for _ in range(1 + extra_saves):
            finished.add(wait_for_line(child.stdout, b"saved ", deadline).split()[1].decode())
        child.send_signal(signal.SIGKILL)  # Somewhere in the next save.
        child.wait()
    assert len(finished) >= 6
    listed = {info.name for info in registry.list_models() if not info.read_only}
    assert finished <= listed
    for name in listed:
        assert registry.load(name).output_shape == (None, 10)  # Never a half-written file.
    for path in model_dir.iterdir():
        if path.name.endswith(".weights.npz"):
            assert zipfile.is_zipfile(path), f"{path.name} is a partial file"
    # The next save clears what the killed ones left behind.
    registry.save(architectures.build("mlp"), "after", {})
    assert not [p.name for p in model_dir.iterdir() if ".tmp" in p.name]
