"""A simulated class: learners each start a small training within a few seconds while browsers draw.

    .venv/bin/python -m scripts.class_simulation [--learners 30] [--drawers 3] [--backend local|ray|both]
        [--seconds S] [--limit 3000] [--spread 5] [--idle] [--shots DIR]

What plays the server. This script's process hosts the job manager, as the Streamlit server's process does
(pages/resources.py): a `fmnist.runs.jobs.JobManager` on a temporary runs folder, with the server's limits
(FMNIST_MAX_QUEUE and FMNIST_MAX_RUNS_PER_LEARNER at their defaults; one run trains at a time on "local", as
FMNIST_MAX_TRAININGS's default says, and one per worker node on "ray"). Each learner is an `Actor` made from a
random browser secret as pages/identity.py makes it (fmnist.runs.owners.actor), and submits one MLP run of 1
epoch on `--limit` images through `JobManager.submit(config, source="page", owner=actor)`, the call the Train
page makes; the submissions are spread over `--spread` seconds. A real `streamlit run server.py` (its own
temporary FMNIST_* folders, started as the other scripts start it) serves `--drawers` browser contexts of one
Chromium that draw on /predict as scripts/class_load.py's drawers do, timed from mouse-up to the updated
prediction, from just before the first submission until every run has ended (or for `--seconds`). All of it
shares the machine's cores. "Server memory" is the resident memory (VmRSS) of the two processes that play the
server, each reported: this process (job manager, and Playwright's client, which the real server does not
hold) and the Streamlit server; before the first submission (the drawers ready, the Ray driver connected) and
once every run has ended. On "ray" the Ray processes' memory is reported apart: they are the cluster's.

Each run's waits come from its status.json: created (submit) -> started (its process began training) and
created -> ended. A run still unfinished after `--deadline` seconds is lost. Another learner's actor tries,
for each run, Stop, Cancel and Delete (fmnist.runs.compare.delete) right after its submission, and Delete
again once it has ended: every try must be refused (NotAllowed, or False where the call returns one).

"ray": a local cluster made in this process with ray.cluster_utils.Cluster, as tests/test_ray_backend.py makes
it: a head without CPUs (so every run goes to a worker node) and two worker nodes of one CPU each, at the
machine's address; FMNIST_BACKEND=ray and RAY_ADDRESS point the manager at it; it is shut down at the end,
even on error. Runs train at nice 19 out of Linux's SCHED_IDLE class (FMNIST_TRAIN_IDLE=0, as the tests set
it: on a machine that other work keeps busy an idle-class run may wait minutes); `--idle` keeps the server's
default. Prints one line per figure, then one JSON object (one entry per backend).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import time
from pathlib import Path

from playwright.async_api import async_playwright

from fmnist.model.config import TrainConfig
from fmnist.runs import compare, jobs, owners, store
from scripts import class_load, stroke_support
from scripts.ray_cost import descendants, rss
from tests.e2e.server_support import CHROMIUM, CHROMIUM_ARGS

MIB = 2**20
STORE_BYTES = 80 * MIB  # Each Ray node's object store: only progress and a run's files go through it.
WORKER_NODES = 2


def learners(count: int, root: Path) -> list[owners.Actor]:
    """One actor per learner, from a random secret as a browser makes it (32 random bytes, hex)."""
    return [owners.actor(secrets.token_hex(32), f"Learner {n + 1}", root=root) for n in range(count)]


def foreign_tries(manager: jobs.JobManager, run_id: str, other: owners.Actor, calls: tuple[str, ...], tally: dict) -> None:
    """Try each of `calls` on a run as `other`; count the tries and the refusals, by call."""
    actions = {
        "stop": lambda: manager.stop(run_id, other),
        "cancel": lambda: manager.cancel(run_id, other),
        "delete": lambda: compare.delete(run_id, manager.root, actor=other),
    }
    for name in calls:
        tally["attempts"] += 1
        try:
            result = actions[name]()
        except owners.NotAllowed:
            result = False
        except Exception as error:  # Any other answer is not a refusal: say what it was.
            result = f"{type(error).__name__}: {error}"
        if result is False:
            tally["refused"] += 1
        else:
            tally["not_refused"].append(f"{name} {run_id}: {result!r}"[:200])


def submit_all(manager: jobs.JobManager, actors: list, limit: int, spread: float, tally: dict) -> list[str]:
    """Each learner submits one small run, the submissions spread evenly over `spread` seconds."""
    run_ids, began = [], time.monotonic()
    for number, learner in enumerate(actors):
        pause = began + spread * number / max(1, len(actors) - 1) - time.monotonic()
        if pause > 0:
            time.sleep(pause)  # Pacing the class's clicks, not waiting for a condition.
        config = TrainConfig(model="mlp", epochs=1, limit=limit, seed=number)
        try:
            run_id = manager.submit(config, source="page", owner=learner)
        except jobs.QueueFull as error:
            tally["submit_refused"].append(str(error))
            continue
        run_ids.append(run_id)
        foreign_tries(manager, run_id, actors[(number + 1) % len(actors)], ("stop", "cancel", "delete"), tally)
    return run_ids


def wait_all(manager: jobs.JobManager, run_ids: list[str], deadline: float) -> set[str]:
    """Wait until every run has ended or the deadline has passed; the ids of the runs still going (lost)."""
    going = set(run_ids)
    while going and time.monotonic() < deadline:
        going = {run_id for run_id in going if not manager.view(run_id).ended}
        time.sleep(0.5)
    return going


def waits(root: Path, run_ids: list[str]) -> dict:
    """Per run, from its status.json: queued -> started, submit -> ended (seconds), and how it ended."""
    statuses = [store.get(run_id, root).status() for run_id in run_ids]
    started = [s["started"] - s["created"] for s in statuses if "started" in s]
    ended = [s["ended"] - s["created"] for s in statuses if "ended" in s]
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status.get("status", "?")] = counts.get(status.get("status", "?"), 0) + 1

    def spread(values):
        return {"median": round(statistics.median(values), 1), "max": round(max(values), 1)} if values else None

    return {"statuses": counts, "queued_to_started_s": spread(started), "submit_to_ended_s": spread(ended)}


def memory(streamlit_pid: int, ray_pids: list[int]) -> dict:
    """MiB of resident memory of the processes that play the server (and of the Ray cluster's, apart)."""
    figures = {"job_manager_process": round(rss() / MIB, 1), "streamlit_server": round(rss(streamlit_pid) / MIB, 1)}
    if ray_pids:
        tree = set(ray_pids).union(*(descendants(pid) for pid in ray_pids))
        figures["ray_cluster_processes"] = round(sum(rss(pid) for pid in tree) / MIB, 1)
    return figures


async def simulate(backend: str, args, ray_pids: list[int]) -> dict:
    target = stroke_support.Target(None, f"class-simulation-{backend}-server.log")
    root = Path(target.folder.name) / "class-runs"
    manager = None
    try:
        max_trainings = WORKER_NODES if backend == "ray" else None  # None: FMNIST_MAX_TRAININGS (1 by default).
        manager = jobs.JobManager(root=root, backend=backend, max_trainings=max_trainings)
        if backend == "ray":
            manager.backend.connect()  # Connected before the first reading, as a server after its first run.
        actors = learners(args.learners, root)
        tally = {"attempts": 0, "refused": 0, "not_refused": [], "submit_refused": []}
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            timings, errors, until, ready = [], [], [], []
            tasks = [
                asyncio.create_task(class_load.drawer(browser, target.url, n, until, ready, timings, errors, False))
                for n in range(args.drawers)
            ]
            deadline = time.monotonic() + 600
            while len(ready) < args.drawers and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            print(f"[{backend}] {len(ready)} drawers ready, {len(errors)} errors; submitting", flush=True)
            before, load_before = memory(target.pid, ray_pids), stroke_support.loadavg()
            began = time.monotonic()
            until.append(began + args.seconds if args.seconds else float("inf"))
            run_ids = await asyncio.to_thread(submit_all, manager, actors, args.limit, args.spread, tally)
            submitted_in = time.monotonic() - began
            print(f"[{backend}] {len(run_ids)} runs submitted in {submitted_in:.1f} s; waiting for them", flush=True)
            lost = await asyncio.to_thread(wait_all, manager, run_ids, began + args.deadline)
            after, load_after = memory(target.pid, ray_pids), stroke_support.loadavg()
            print(
                f"[{backend}] runs ended ({len(lost)} lost) {time.monotonic() - began:.0f} s after the first submission",
                flush=True,
            )
            until[0] = min(until[0], time.monotonic())
            await asyncio.gather(*tasks)
            await browser.close()
        for number, run_id in enumerate(run_ids):
            if run_id not in lost:  # A run that ended: a foreign Delete would now remove it if it were allowed.
                other = actors[(number + 1) % len(actors)]
                foreign_tries(manager, run_id, other, ("delete",), tally)
        kept = sum((root / run_id).is_dir() for run_id in run_ids)
        ended = waits(root, run_ids)
    finally:
        if manager is not None:
            manager.shutdown()
            manager.kill_all()
            manager.shutdown(wait=30)
        target.close()
    strokes = [latency for latency, _ in timings]
    return {
        "learners": args.learners,
        "drawers": args.drawers,
        "max_trainings": manager.max_trainings,
        "max_runs_per_learner": manager.max_per_learner,
        "submitted": len(run_ids),
        "submitted_in_s": round(submitted_in, 1),
        "submit_refused": tally["submit_refused"],
        **ended,
        "lost": len(lost),
        "folders_kept": kept,
        "foreign": {"attempts": tally["attempts"], "refused": tally["refused"], "not_refused": tally["not_refused"]},
        "strokes": {
            "n": len(strokes),
            "p50_ms": round(statistics.median(strokes)) if strokes else None,
            "p95_ms": round(stroke_support.percentile(strokes, 95)) if strokes else None,
            "errors": len(errors),
            "error_examples": errors[:5],
        },
        "rss_mib": {"before": before, "after": after},
        "load": {"before": load_before, "after": load_after},
    }


@contextlib.contextmanager
def ray_cluster():
    """A local cluster as the tests make it; FMNIST_BACKEND and RAY_ADDRESS point at it; shut down at the end.
    Yields the cluster's process ids (its nodes' processes are this process's descendants)."""
    from ray.cluster_utils import Cluster

    saved = {name: os.environ.get(name) for name in ("FMNIST_BACKEND", "RAY_ADDRESS")}
    before = set(descendants(os.getpid()))
    # The nodes take the machine's address: ray.init rewrites 127.0.0.1 to it, and would not find them there.
    node = dict(num_cpus=1, object_store_memory=STORE_BYTES)
    cluster = Cluster(initialize_head=True, head_node_args={**node, "num_cpus": 0, "include_dashboard": False})
    try:
        for _ in range(WORKER_NODES):
            cluster.add_node(**node)
        cluster.wait_for_nodes()
        os.environ.update(FMNIST_BACKEND="ray", RAY_ADDRESS=cluster.address)
        yield sorted(set(descendants(os.getpid())) - before)
    finally:
        import ray

        ray.shutdown()
        try:
            cluster.shutdown()
        except ValueError:  # The head was still this process's node: Ray has now disconnected it, so again.
            cluster.shutdown()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def describe(backend: str, r: dict) -> list[str]:
    """One line per figure."""
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(r["statuses"].items()))
    before, after = r["rss_mib"]["before"], r["rss_mib"]["after"]
    q, e, s, f = r["queued_to_started_s"] or {}, r["submit_to_ended_s"] or {}, r["strokes"], r["foreign"]
    return [
        f"[{backend}] runs: {r['submitted']} submitted by {r['learners']} learners in {r['submitted_in_s']} s; "
        f"{statuses}; lost {r['lost']} ({r['max_trainings']} training at once)",
        f"[{backend}] queued -> started: median {q.get('median')} s, longest {q.get('max')} s",
        f"[{backend}] submit -> ended: median {e.get('median')} s, longest {e.get('max')} s",
        f"[{backend}] {r['drawers']} drawers: {s['n']} strokes, mouse-up -> prediction p50 {s['p50_ms']} ms, "
        f"p95 {s['p95_ms']} ms, errors {s['errors']}",
        f"[{backend}] server memory, MiB, before -> after: "
        + ", ".join(f"{name} {before[name]} -> {after[name]}" for name in before),
        f"[{backend}] another learner's Stop / Cancel / Delete: refused {f['refused']} of {f['attempts']}",
        f"[{backend}] load average before / after: {r['load']['before']} / {r['load']['after']}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30, help="learners, one small run each (default: 30)")
    parser.add_argument("--drawers", type=int, default=3, help="browser contexts that draw (default: 3)")
    parser.add_argument("--backend", choices=("local", "ray", "both"), default="both", help="default: both")
    parser.add_argument("--seconds", type=float, default=0, help="how long they draw (default: until every run ended)")
    parser.add_argument("--limit", type=int, default=3000, help="training images of each run (default: 3000)")
    parser.add_argument("--spread", type=float, default=5, help="seconds the submissions take (default: 5)")
    parser.add_argument("--deadline", type=float, help="seconds after which an unfinished run is lost (default: 60 per run)")
    parser.add_argument("--idle", action="store_true", help="runs in SCHED_IDLE, the server's default")
    parser.add_argument("--shots", type=Path, help="a folder for a drawer's screenshot and page text at each error")
    args = parser.parse_args()
    class_load.set_shots(args.shots)
    args.deadline = args.deadline or max(300.0, 60.0 * args.learners)
    if not args.idle:
        os.environ["FMNIST_TRAIN_IDLE"] = "0"  # Before the Ray nodes start: they pass it on to their workers.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    report = {}
    for backend in ("local", "ray") if args.backend == "both" else (args.backend,):
        print(f"[{backend}] load before: {stroke_support.loadavg()}", flush=True)
        with ray_cluster() if backend == "ray" else contextlib.nullcontext([]) as ray_pids:
            report[backend] = asyncio.run(simulate(backend, args, ray_pids))
        print("\n".join(describe(backend, report[backend])), flush=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
