"""python -m fmnist bench runs-page: the cost of the runs page's table with many runs on disk.

    python -m fmnist bench runs-page --runs 500

Writes N run records (config.json, status.json, evaluation.json and a history.json of realistic size, through
fmnist.runs.store) into a temporary runs folder, then times what the runs page does on every rerun:
reading every row (fmnist.runs.table.rows), finding the settings that differ, filtering, and writing the CSV.
Each figure is the median of --repeats timings (the first reading, with a cold cache of the page's process
but files the system has just written, is reported apart). Prints one line per step, then one JSON line.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

NAME = "runs-page"
HELP = "seconds to read, filter and export the table of N recorded runs (default 500)"


def add_arguments(parser) -> None:
    parser.add_argument("--runs", type=int, default=500, help="run records to write (default 500)")
    parser.add_argument("--repeats", type=int, default=5, help="timings per step; the median is reported (default 5)")


def write_runs(root: Path, count: int) -> list[str]:
    """`count` finished runs of varied settings, one per minute back from now, as the worker records them."""
    from fmnist.model.config import TrainConfig
    from fmnist.runs import store

    now = time.time()
    ids = []
    for index in range(count):
        created = now - 60 * index
        run_id = time.strftime("%Y%m%d-%H%M%S", time.gmtime(created)) + "-" + secrets.token_hex(4)
        model = ("mlp", "cnn")[index % 2]
        config = TrainConfig(
            model=model, epochs=2 + index % 3, learning_rate=(1e-3, 5e-3, 2e-2)[index % 3], seed=index % 5, limit=6000
        ).resolved()
        (root / run_id).mkdir(parents=True)
        run = store.Run(run_id, root / run_id)
        run.write("config.json", config.to_dict())
        steps = config.epochs * (config.limit // config.batch_size)
        run.write("history.json", {"history": {"step": list(range(steps)), "batch_loss": [0.5] * steps,
                                               "batch_accuracy": [0.8] * steps, "epoch": list(range(1, config.epochs + 1))}})  # fmt: skip
        accuracy = 0.8 + (index % 100) / 1000
        run.write("evaluation.json", {"accuracy": accuracy, "loss": 0.4, "per_class_accuracy": [accuracy] * 10,
                                      "confusion_matrix": [[100] * 10] * 10, "mistakes": 1000})  # fmt: skip
        run.write("status.json", {"id": run_id, "status": "finished", "source": ("cli", "page")[index % 2], "created": created,
                                  "train_seconds": 10.0 + index % 7, "epochs_run": config.epochs, "test_accuracy": accuracy,
                                  "test_loss": 0.4, "train_accuracy": 0.85, "train_loss": 0.42, "val_accuracy": None,
                                  "val_loss": None, "error": None, "ended": created + 20})  # fmt: skip
        ids.append(run_id)
    return ids


def median_seconds(action, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def measure(count: int, repeats: int = 5, report=print) -> dict:
    """Write `count` runs into a temporary folder and time the table's steps on them; return the figures."""
    from fmnist.runs import table, table_export, table_query

    with tempfile.TemporaryDirectory(prefix="fmnist-runs-page-") as folder:
        root = Path(folder)
        start = time.perf_counter()
        write_runs(root, count)
        written = time.perf_counter() - start
        start = time.perf_counter()
        rows = table.rows(root)
        first = time.perf_counter() - start
        today = datetime.datetime.now(datetime.UTC).date()
        steps = {
            "rows_again": lambda: table.rows(root),  # What a rerun of /runs reads: no folder changed.
            "differing": lambda: table_query.differing(rows),
            "filter": lambda: table_query.filter_rows(
                rows, query="cnn", statuses=("finished",), since=today - datetime.timedelta(days=1)
            ),
            "to_csv": lambda: table_export.to_csv(rows),
            "to_json": lambda: table_export.to_json(rows),
        }
        figures = {name: median_seconds(action, repeats) for name, action in steps.items()}
    results = {
        "runs": count,
        "rows_read": len(rows),
        "unreadable": sum(r["status"] == table.UNREADABLE for r in rows),
        "write_s": round(written, 3),
        "first_rows_s": round(first, 4),
        **{f"{name}_s": round(seconds, 4) for name, seconds in figures.items()},
        "cpus": os.cpu_count(),
    }
    report(f"{count} runs written in {written:.2f} s; first reading of the table {first * 1000:.1f} ms")
    for name, seconds in figures.items():
        report(f"{name:10s} {seconds * 1000:8.1f} ms (median of {repeats})")
    return results


def run(args, fail) -> int:
    """Measure with `args.runs` records; `fail(message)` reports a refused option."""
    if not 1 <= args.runs <= 100000:
        return fail(f"--runs must be between 1 and 100000, not {args.runs}")
    if not 1 <= args.repeats <= 100:
        return fail(f"--repeats must be between 1 and 100, not {args.repeats}")
    print(json.dumps(measure(args.runs, args.repeats)))
    return 0
