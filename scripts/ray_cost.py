"""What the Ray backend costs on this machine: install size, a local Ray's start-up and idle memory, the server's
added memory, and (with --runs) one tiny run's wall time on each backend.

    .venv/bin/python -m scripts.ray_cost [--runs]

The server's side is this process: its resident memory (VmRSS) with the job manager imported, then after the
Ray backend connected (import ray and ray.init of a local Ray, as the server does with RAY_ADDRESS unset). The local
Ray's processes are this process's descendants. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from importlib import metadata
from pathlib import Path

# The packages the ray requirement added to the lock files.
ADDED = ("ray", "msgpack", "pyyaml", "filelock")


def rss(pid: int | str = "self") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def installed_bytes(name: str) -> int:
    files = metadata.distribution(name).files or []
    return sum(path.locate().stat().st_size for path in files if path.locate().is_file())


def tiny_run(backend: str) -> float:
    from fmnist.model.config import TrainConfig
    from fmnist.runs import jobs

    manager = jobs.JobManager(root=Path(tempfile.mkdtemp()), max_trainings=1, backend=backend)
    started = time.monotonic()
    run_id = manager.submit(TrainConfig(model="mlp", epochs=1, limit=600, batch_size=32))
    while not (view := manager.view(run_id)).ended:
        time.sleep(0.1)
    assert view.status == "finished", view.error
    return round(time.monotonic() - started, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", action="store_true", help="also time one tiny run on each backend")
    args = parser.parse_args()
    os.environ.pop("RAY_ADDRESS", None)  # A local Ray, as a server without a cluster starts.
    from fmnist.runs import jobs  # noqa: F401  (the server's own modules, before Ray)

    report = {"install_mib": round(sum(installed_bytes(name) for name in ADDED) / 2**20, 1)}
    before = rss()
    started = time.monotonic()
    from fmnist.runs.ray_backend import RayBackend

    RayBackend().connect()
    report["start_seconds"] = round(time.monotonic() - started, 2)
    time.sleep(5)  # Let the local Ray settle: its prestarted workers have imported what they import.
    ray_processes = descendants(os.getpid())
    report["idle_processes"] = len(ray_processes)
    report["idle_rss_mib"] = round(sum(rss(pid) for pid in ray_processes) / 2**20)
    report["server_added_rss_mib"] = round((rss() - before) / 2**20)
    if args.runs:
        report["tiny_run_seconds"] = {"ray": tiny_run("ray"), "local": tiny_run("local")}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
