"""Runs compared as people compare them: against a pinned baseline, and as groups of the same settings trained
with several seeds.

A group is recorded in each of its runs' folders as group.json ({"group": id}), written by whoever queued the
runs (`train --seeds`, the Train page's "Repeat with 3 seeds"); a file of its own, so that it never races the
child process that rewrites status.json. A run without one is a group of one. "Group by settings" goes
further: runs whose settings are all the same but for the seed collapse into one row, recorded as a group or not.
No TensorFlow here.
"""

from __future__ import annotations

import math
import re
import secrets
import statistics
import time

from fmnist.runs import store

GROUP_FILE = "group.json"
GROUP_ID = re.compile(r"g-\d{8}-\d{6}-[0-9a-f]{8}")
BASELINE = "baseline"  # What with_versus writes in the baseline's own row.
MAX_SEEDS = 10  # Runs one `--seeds` may queue.
MAX_SEED = 2**31 - 1
# The settings that make a group: every setting of the table but the seed.
SEEDLESS = ("model", "network", "dropout", "parameters", "augment", "early_stopping", "label_smoothing", "epochs",
            "batch_size", "learning_rate", "optimizer", "schedule", "images")  # fmt: skip
# What a group row averages: (its key, the key of its standard deviation).
AVERAGED = (("test_accuracy", "test_accuracy_sd"), ("test_loss", "test_loss_sd"), ("train_seconds", "train_seconds_sd"))


def new_group_id() -> str:
    """A sortable, unguessable group id: g-<UTC time>-<32 random bits>."""
    return "g-" + time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(4)


def write_group(run: store.Run, group_id: str) -> None:
    """Record that `run` belongs to the group `group_id` (RunsError when it cannot be written)."""
    if not GROUP_ID.fullmatch(group_id):
        raise ValueError(f"not a group id: {group_id!r}")
    run.write(GROUP_FILE, {"group": group_id})


def read_group(run: store.Run) -> str | None:
    """The group id recorded in a run's folder, or None (no group.json, or one that makes no sense)."""
    value = run.read(GROUP_FILE)
    group = value.get("group") if isinstance(value, dict) else None
    return group if isinstance(group, str) and GROUP_ID.fullmatch(group) else None


def parse_seeds(text: str) -> tuple[int, ...]:
    """`--seeds 0,1,2` as (0, 1, 2); ValueError, for a person, for anything else."""
    parts = [part.strip() for part in str(text).split(",")]
    if not any(parts):
        raise ValueError("--seeds needs a comma-separated list of whole numbers, e.g. 0,1,2")
    seeds = []
    for part in parts:
        if not re.fullmatch(r"\d+", part):
            raise ValueError(f"--seeds: {part!r} is not a whole number from 0 to {MAX_SEED} (use e.g. 0,1,2)")
        seed = int(part)
        if seed > MAX_SEED:
            raise ValueError(f"--seeds: {seed} is too large (at most {MAX_SEED})")
        if seed in seeds:
            raise ValueError(f"--seeds: {seed} is given twice")
        seeds.append(seed)
    if len(seeds) > MAX_SEEDS:
        raise ValueError(f"--seeds: at most {MAX_SEEDS} seeds at once, not {len(seeds)}")
    return tuple(seeds)


def repeat_seeds(base: int, count: int = 3) -> tuple[int, ...]:
    """`count` seeds from `base` on (base, base+1, ...), wrapping past the largest seed."""
    return tuple((base + i) % (MAX_SEED + 1) for i in range(count))


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) else None


def find_baseline(rows: list[dict], run_id: str | None) -> tuple[dict | None, str | None]:
    """(the baseline's row, None), or (None, why not): "missing" (no such run: deleted, or a wrong link),
    "unreadable" (its folder is damaged) or "unscored" (no test accuracy or training time yet)."""
    if not run_id:
        return None, None
    row = next((r for r in rows if r["run"] == run_id), None)
    if row is None:
        return None, "missing"
    if row.get("status") == "unreadable":
        return None, "unreadable"
    if _number(row.get("test_accuracy")) is None or not _number(row.get("train_seconds")):
        return None, "unscored"
    return row, None


def versus(row: dict, baseline: dict) -> tuple[float | None, float | None]:
    """(accuracy difference in percentage points, training time ratio) of `row` against `baseline`; None where
    either lacks the figure."""
    accuracy, base_accuracy = _number(row.get("test_accuracy")), _number(baseline.get("test_accuracy"))
    seconds, base_seconds = _number(row.get("train_seconds")), _number(baseline.get("train_seconds"))
    points = 100 * (accuracy - base_accuracy) if accuracy is not None and base_accuracy is not None else None
    ratio = seconds / base_seconds if seconds is not None and base_seconds else None
    return points, ratio


def points_text(points: float | None) -> str:
    """+0.8 pt, -1.2 pt, ±0.0 pt; "–" for None."""
    if points is None:
        return "–"
    rounded = round(points, 1)
    return "±0.0 pt" if rounded == 0 else f"{rounded:+.1f} pt"


def ratio_text(ratio: float | None) -> str:
    """1.4×, 0.62×; "–" for None."""
    if ratio is None:
        return "–"
    return f"{ratio:.2f}×" if ratio < 1 else f"{ratio:.1f}×"


def with_versus(rows: list[dict], baseline: dict | None) -> list[dict]:
    """The rows with "vs_accuracy" and "vs_time" texts against the baseline (the baseline itself: "baseline")."""
    if baseline is None:
        return rows
    out = []
    for row in rows:
        if row["run"] == baseline["run"] and row.get("n", 1) == 1:
            out.append({**row, "vs_accuracy": BASELINE, "vs_time": BASELINE})
            continue
        points, ratio = versus(row, baseline)
        out.append({**row, "vs_accuracy": points_text(points), "vs_time": ratio_text(ratio)})
    return out


def mean_sd(values) -> tuple[float | None, float | None]:
    """(mean, sample standard deviation) of the finite numbers among `values`; sd None for fewer than two."""
    numbers = [v for v in (_number(value) for value in values) if v is not None]
    if not numbers:
        return None, None
    return statistics.fmean(numbers), statistics.stdev(numbers) if len(numbers) >= 2 else None


def settings_key(row: dict) -> tuple:
    """What must be equal for two runs to be one group: every setting but the seed."""
    return tuple(repr(row.get(key)) for key in SEEDLESS)


def group_rows(rows: list[dict]) -> list[dict]:
    """Rows with the same settings but for the seed, collapsed: one row per group, in the order of its first row.

    A group row keeps the shared settings, "run" (its first, newest run), "runs" (every id), "n", "seeds"
    ("0, 1, 2"), "groups" (the group ids recorded), and the mean and sample sd of test accuracy, test loss
    and training time over the runs that have them. An unreadable row stays alone.
    """
    members: dict[tuple, list[dict]] = {}
    order: list[tuple] = []
    for row in rows:
        key = ("unreadable", row["run"]) if row.get("status") == "unreadable" else settings_key(row)
        if key not in members:
            members[key] = []
            order.append(key)
        members[key].append(row)
    grouped = []
    for key in order:
        runs = members[key]
        first = runs[0]
        row = {**first, "runs": [r["run"] for r in runs], "n": len(runs)}
        row["seeds"] = ", ".join(str(s) for s in sorted({r["seed"] for r in runs if r.get("seed") is not None}))
        row["groups"] = sorted({r["group"] for r in runs if r.get("group")})
        statuses = {r.get("status") for r in runs}
        row["status"] = statuses.pop() if len(statuses) == 1 else "mixed"
        for mean_key, sd_key in AVERAGED:
            row[mean_key], row[sd_key] = mean_sd(r.get(mean_key) for r in runs)
        grouped.append(row)
    return grouped


def band(curves: list[list[dict]]) -> list[dict]:
    """Mean and sample sd at each (series, x) of several runs' curves (rows of x, value, series, as
    fmnist.runs.compare.overlay makes them): rows (x, series, value, sd, low, high, n), by series then x."""
    points: dict[tuple, list[float]] = {}
    for curve in curves:
        for point in curve:
            points.setdefault((point["series"], point["x"]), []).append(point["value"])
    out = []
    for (series, x), values in sorted(points.items()):
        mean, sd = mean_sd(values)
        spread = sd or 0.0
        out.append(
            {"x": x, "series": series, "value": mean, "sd": sd, "low": mean - spread, "high": mean + spread, "n": len(values)}
        )
    return out


def mean_sd_text(mean: float | None, sd: float | None, digits: int = 4) -> str:
    """0.8200 ± 0.0200; 0.8200 for a group of one; "–" without a mean."""
    if mean is None:
        return "–"
    return f"{mean:.{digits}f}" if sd is None else f"{mean:.{digits}f} ± {sd:.{digits}f}"
