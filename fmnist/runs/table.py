"""The table of every run: one plain row per run folder (what differs, the search and the filters over those rows:
fmnist.runs.table_query; as CSV and JSON: fmnist.runs.table_export).

A row holds a run's settings (SETTINGS) and how it ended (RESULTS), in COLUMNS order. Building it reads only
the small files of a run (config.json, status.json, group.json if any, evaluation.json when status.json lacks
the test metrics), never history.json: the runs that ended record their epoch count and final metrics in
status.json. Only a run still training, or one recorded before its epoch count was kept, falls back to its own
history for that count.

A folder that cannot be read (a missing or invalid config.json or status.json, a config with unknown fields or
values of the wrong type, a status that is not a known one) becomes an "unreadable" row that keeps its id and
says why in "error", logged once at WARNING: one damaged or hand-edited folder never hides the others.
No TensorFlow here.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import types
import typing
from dataclasses import fields
from pathlib import Path

from fmnist.model.config import ARCHITECTURES, STATUSES, TrainConfig, architecture_settings, parameter_count
from fmnist.runs import groups, owners, store
from fmnist.settings import runs_dir

logger = logging.getLogger(__name__)

SETTINGS = (
    "model", "network", "dropout", "parameters", "augment", "early_stopping", "label_smoothing", "epochs",
    "batch_size", "learning_rate", "optimizer", "schedule", "images", "seed",
)  # fmt: skip
# "owner" is who may manage the run (fmnist.runs.owners: an HMAC of a browser's secret, which names no one, or
# "cli"); "started_by" the display name that browser gave, as cleaned text.
# The final metrics: the test set's from the evaluation, the last epoch's training and validation ones.
METRICS = ("test_accuracy", "test_loss", "train_accuracy", "train_loss", "val_accuracy", "val_loss")
RESULTS = ("status", "epochs_run", "train_seconds", *METRICS, "created", "source", "owner", "started_by", "group", "error")
COLUMNS = ("run", *SETTINGS, *RESULTS)
UNREADABLE = "unreadable"

# The folders (full paths) already reported as unreadable, with why: each is logged once per process, not at every rerun.
_warned: set[tuple[str, str]] = set()
# The files a row is built from. Each is written whole through fmnist.atomic (a new inode every time), so one whose
# inode, size and change time are unchanged holds what it held: `rows` keeps each folder's row with those
# signatures and rereads only the folders that changed (/runs reruns at every click, with hundreds of runs).
ROW_FILES = ("config.json", "status.json", groups.GROUP_FILE, "evaluation.json", "history.json")
_kept: dict[str, dict[str, tuple[tuple, dict]]] = {}  # runs folder -> run id -> (signature, row)


class Unreadable(Exception):
    """A run folder whose records cannot be read or make no sense; the message says why, in one line."""


def _read_json(path: Path, name: str):
    """A JSON file of a run folder; Unreadable when it is missing, not a file, not UTF-8 or not JSON."""
    try:
        return json.loads((path / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Unreadable(f"{name} is missing") from None
    except IsADirectoryError:
        raise Unreadable(f"{name} is a folder, not a file") from None
    except UnicodeDecodeError:
        raise Unreadable(f"{name} is not UTF-8 text") from None
    except ValueError as error:
        raise Unreadable(f"{name} is not valid JSON ({error.__class__.__name__})") from None
    except OSError as error:
        raise Unreadable(f"{name} cannot be read ({error.strerror or error})") from None


def _matches(value, kind) -> bool:
    """Whether a JSON value fits a TrainConfig field's type (bool is not a number; a list stands for a tuple)."""
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        return any(_matches(value, arm) for arm in typing.get_args(kind))
    if kind is type(None):
        return value is None
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is str:
        return isinstance(value, str)
    if typing.get_origin(kind) is tuple:
        item = typing.get_args(kind)[0]
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    return False


@functools.cache
def _config_types() -> dict:
    hints = typing.get_type_hints(TrainConfig)
    return {field.name: hints[field.name] for field in fields(TrainConfig)}


def _config(path: Path) -> TrainConfig:
    values = _read_json(path, "config.json")
    if not isinstance(values, dict):
        raise Unreadable("config.json does not hold an object")
    kinds = _config_types()
    unknown = sorted(set(values) - set(kinds))
    if unknown:
        raise Unreadable(f"config.json has an unknown setting: {unknown[0]}")
    for key, value in values.items():
        if not _matches(value, kinds[key]):
            raise Unreadable(f"config.json: {key} has a value of the wrong type ({value!r:.40})")
    if values.get("model", "mlp") not in ARCHITECTURES:
        raise Unreadable(f"config.json names an unknown model ({values['model']!r:.40})")
    try:
        return TrainConfig.from_dict(values)
    except (TypeError, ValueError, KeyError) as error:
        raise Unreadable(f"config.json makes no sense ({error})") from None


def _number(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _status(path: Path) -> dict:
    status = _read_json(path, "status.json")
    if not isinstance(status, dict):
        raise Unreadable("status.json does not hold an object")
    if status.get("status") not in STATUSES:
        raise Unreadable(f"status.json has an unknown status ({status.get('status')!r:.40})")
    for key in ("created", "train_seconds", *METRICS):
        if not _number(status.get(key)):
            raise Unreadable(f"status.json: {key} is not a number")
    if "epochs_run" in status and not (isinstance(status["epochs_run"], int) and not isinstance(status["epochs_run"], bool)):
        raise Unreadable("status.json: epochs_run is not a whole number")
    for key in ("source", "error"):
        if not (status.get(key) is None or isinstance(status[key], str)):
            raise Unreadable(f"status.json: {key} is not text")
    return status


@functools.cache
def _network(model: str, layers: tuple) -> tuple[str, object, int | None]:
    """(network text, dropout, parameter count) of a model's network settings; the same few repeat in most tables."""
    try:
        settings = architecture_settings(model, dict(layers))
        parameters = parameter_count(model, settings)
    except (TypeError, ValueError, KeyError):  # A hand-edited config.json: the row still shows the rest.
        return "", None, None
    widths = settings.get("hidden_units") or settings.get("filters") or ()
    # The network builder's layers: "128" (hidden widths) or "32-64 / 128" (filters per block / dense units).
    text = (
        "-".join(map(str, widths))
        + ((" BN↓" if settings.get("norm_after_pool") else " BN") if settings.get("batch_norm") else "")
        + (f" / {settings['dense_units']}" if "dense_units" in settings else "")
    )
    return text, settings.get("dropout"), parameters


def _epochs_run(run: store.Run, status: dict) -> int:
    """Epochs trained: from status.json; only a run without that count (still training, or older) reads its history."""
    if "epochs_run" in status:
        return status["epochs_run"]
    if status["status"] in ("queued", "cancelled"):
        return 0
    history = run.read("history.json", {})
    epochs = history.get("history", {}).get("epoch") if isinstance(history, dict) else None
    return len(epochs) if isinstance(epochs, list) else 0


def _metrics(run: store.Run, status: dict) -> dict:
    """METRICS from status.json, where a run that ended records them. A stopped or finished run recorded before
    status.json kept its test loss (or accuracy) reads them from its small evaluation.json; the last epoch's
    training and validation metrics of such a run stay empty (its history is not read)."""
    metrics = {key: status.get(key) for key in METRICS}  # Numbers or None (_status checked them).
    if None in (metrics["test_accuracy"], metrics["test_loss"]) and status["status"] in ("stopped", "finished"):
        evaluation = run.read("evaluation.json")
        evaluation = evaluation if isinstance(evaluation, dict) else {}
        for key, field in (("test_accuracy", "accuracy"), ("test_loss", "loss")):
            if metrics[key] is None and _number(evaluation.get(field)):  # None stays None.
                metrics[key] = evaluation.get(field)
    return metrics


def row(run: store.Run) -> dict:
    """One run as a table row (COLUMNS); Unreadable when its folder cannot be read or makes no sense."""
    config, status = _config(run.path), _status(run.path)
    layers = tuple(sorted(config.architecture().items()))
    try:
        network, dropout, parameters = _network(config.model, layers)
    except TypeError:  # Settings that cannot be cached (unhashable) cannot be a network either.
        network, dropout, parameters = "", None, None
    return {
        "run": run.id,
        "model": config.model,
        "network": network,
        "dropout": dropout,
        "parameters": parameters,
        "augment": config.augment,
        "early_stopping": config.early_stopping,
        "label_smoothing": config.label_smoothing,
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "learning_rate": config.learning_rate,
        "optimizer": config.optimizer,
        "schedule": config.schedule,
        "images": config.limit or 60000,
        "seed": config.seed,
        "status": status["status"],
        "epochs_run": _epochs_run(run, status),
        "train_seconds": status.get("train_seconds"),
        **_metrics(run, status),
        "created": status.get("created"),
        "source": status.get("source", ""),
        "owner": status["owner"] if isinstance(status.get("owner"), str) else "",
        "started_by": owners.clean_name(status["owner_name"]) if isinstance(status.get("owner_name"), str) else "",
        "group": groups.read_group(run),
        "error": status.get("error"),
    }


def unreadable_row(run_id: str, why: str) -> dict:
    return {**dict.fromkeys(COLUMNS), "run": run_id, "status": UNREADABLE, "error": why}


def rows(root=None) -> list[dict]:
    """Every run folder, newest first, as a row; a damaged one as an "unreadable" row. Reads no history.json
    (but for a run still training, or one recorded before status.json kept its epoch count)."""
    root = Path(root) if root is not None else runs_dir()
    try:
        with os.scandir(root) as entries:
            names = sorted((e.name for e in entries if store.is_run_id(e.name) and e.is_dir()), reverse=True)
    except OSError:
        return []
    kept, fresh = _kept.get(str(root), {}), {}
    for name in names:
        signature = _signature(root / name)
        built = kept[name][1] if name in kept and kept[name][0] == signature else _row_or_unreadable(root, name)
        fresh[name] = (signature, built)
    _kept[str(root)] = fresh  # Folders gone since are forgotten.
    return [dict(built) for _, built in fresh.values()]  # Copies: callers add keys (a baseline's differences).


def _row_or_unreadable(root: Path, name: str) -> dict:
    try:
        return row(store.Run(name, root / name))
    except Unreadable as error:
        why = str(error)
    except Exception as error:  # Values no check above foresaw: still one row, never a broken page or CSV.
        why = f"its records make no sense ({error.__class__.__name__}: {error})".splitlines()[0]
    if (str(root / name), why) not in _warned:
        _warned.add((str(root / name), why))
        logger.warning("Run %s is unreadable: %s", name, why)
    return unreadable_row(name, why)


def _signature(path: Path) -> tuple:
    """Each ROW_FILES file's (inode, size, change time), or None where it is missing."""
    signature = []
    for name in ROW_FILES:
        try:
            info = os.stat(path / name)
        except OSError:
            signature.append(None)
        else:
            signature.append((info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
    return tuple(signature)
