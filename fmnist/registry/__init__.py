"""Saved models on disk: weights and architecture settings, checksummed, saved atomically, listed cheaply.

A saved model is a pair in the models folder (`$FMNIST_MODEL_DIR`, default
`models/` in the project): `<name>.weights.npz`, the weights as plain numpy
arrays, and `<name>.json`, the architecture's name, how the model was made
(config, metrics, seed, time) and the sha256 of the weights file. Loading
rebuilds the architecture with `fmnist.model.architectures.build` and sets the weights (fmnist.registry.loading); no
Keras config is ever read from disk, so a file from a shared folder cannot
make the server run code (Keras's `safe_mode` has been bypassed more than once).
The weights file is read without pickles, and only arrays of the shapes the
architecture expects, so a hostile file cannot make it allocate more either.

Every save and delete holds an exclusive lock on the folder (`flock` on its
`.fmnist-models.lock`), so checking a name and writing it are one step: of two
sessions saving one name, exactly one wins. The kernel drops the lock when its
holder dies, so a killed save never leaves a name blocked. The weights go to a
temporary file that is hashed before `os.replace`, then the metadata likewise:
a model is listed only once its metadata exists, and the recorded checksum is
always that of the bytes this save wrote. (A save killed while it replaces a
model, between the two renames, leaves new weights beside old metadata: loading
then reports a damaged file, never the wrong weights.)
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fmnist import atomic
from fmnist.atomic import file_sha256  # noqa: F401 (callers use registry.file_sha256)
from fmnist.registry import weights_file
from fmnist.registry.folder import RegistryError, check_quota, locked, remove_leftovers
from fmnist.registry.loading import DamagedModel, RefusedModel, load_info  # noqa: F401 (callers catch registry.DamagedModel)
from fmnist.registry.weights_file import WEIGHTS_SUFFIX
from fmnist.settings import PROJECT_DIR, model_dir

DEFAULT_NAME = "default"
DEFAULT_DIR = PROJECT_DIR / "assets" / "models"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# The version of the storage format, recorded in every metadata file.
FORMAT = "fmnist-weights-1"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelInfo:
    """One listed model: its name, its weights file, its metadata, and whether it is the shipped one."""

    name: str
    path: Path
    metadata: dict
    read_only: bool

    @property
    def test_accuracy(self) -> float | None:
        return self.metadata.get("metrics", {}).get("test_accuracy")

    @property
    def label(self) -> str:
        """A short description for a selector: name, architecture and accuracy."""
        accuracy = self.test_accuracy
        parts = [str(self.metadata.get("architecture", "?"))]
        if accuracy is not None:
            parts.append(f"{accuracy:.1%}")
        return f"{self.name} ({', '.join(parts)})"


def is_valid_name(name) -> bool:
    """Whether `name` can name a saved model (the listing shows only such names)."""
    return isinstance(name, str) and bool(NAME_PATTERN.fullmatch(name)) and ".." not in name and not name.endswith(".")


def validate_name(name: str) -> str:
    """Return `name` if it can name a saved model, else raise RegistryError saying what is allowed."""
    if not is_valid_name(name):
        raise RegistryError(
            "A model name is 1 to 64 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit (no spaces, slashes or '..')."
        )
    return name


def _paths(folder: Path, name: str) -> tuple[Path, Path]:
    return folder / f"{name}{WEIGHTS_SUFFIX}", folder / f"{name}.json"


def _read_metadata(json_path: Path):
    """The parsed metadata file, or None if it is missing or not JSON."""
    try:
        return json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _read_info(folder: Path, name: str, read_only: bool) -> ModelInfo | None:
    weights_path, json_path = _paths(folder, name)
    metadata = _read_metadata(json_path)
    if not isinstance(metadata, dict) or not weights_path.is_file():
        return None
    return ModelInfo(name, weights_path, metadata, read_only)


# The listing's cache: metadata path -> (inode, mtime_ns, size, ModelInfo or None). A metadata file is read
# again only when it was replaced or changed, so pages can list models on every rerun.
_cache: dict[Path, tuple[int, int, int, ModelInfo | None]] = {}
_cache_lock = threading.Lock()


def _cached_info(folder: Path, name: str, read_only: bool, stat: os.stat_result) -> ModelInfo | None:
    json_path = _paths(folder, name)[1]
    key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        cached = _cache.get(json_path)
    if cached is not None and cached[:3] == key:
        return cached[3]
    info = _read_info(folder, name, read_only)
    with _cache_lock:
        _cache[json_path] = (*key, info)
    return info


def _saved(folder: Path) -> dict[str, os.stat_result]:
    """Saved models in `folder` whose weights file exists: valid name -> stat of its metadata file."""
    try:
        entries = {entry.name: entry for entry in os.scandir(folder)}
    except (FileNotFoundError, NotADirectoryError):
        return {}
    found = {}
    for file_name, entry in entries.items():
        name = file_name[: -len(".json")]
        if not file_name.endswith(".json") or name == DEFAULT_NAME or not is_valid_name(name):
            continue
        if f"{name}{WEIGHTS_SUFFIX}" in entries:
            with contextlib.suppress(FileNotFoundError):  # Deleted while we looked.
                found[name] = entry.stat()
    return found


def list_models() -> list[ModelInfo]:
    """The shipped default first, then saved models by name; incomplete pairs and invalid names are left out."""
    found = []
    try:
        default = _cached_info(DEFAULT_DIR, DEFAULT_NAME, True, (DEFAULT_DIR / f"{DEFAULT_NAME}.json").stat())
    except OSError:
        default = None
    if default is not None:
        found.append(default)
    folder = model_dir()
    saved = _saved(folder)
    for name in sorted(saved):
        info = _cached_info(folder, name, False, saved[name])
        if info is not None:
            found.append(info)
    with _cache_lock:  # Forget files that are gone, so the cache never outgrows the folder.
        for path in [p for p in _cache if p.parent == folder and p.stem not in saved]:
            del _cache[path]
    return found


def get(name: str) -> ModelInfo:
    """The listed model called `name`; RegistryError if there is none."""
    validate_name(name)
    if name == DEFAULT_NAME:
        info = _read_info(DEFAULT_DIR, DEFAULT_NAME, read_only=True)
    else:
        info = _read_info(model_dir(), name, read_only=False)
    if info is None:
        raise RegistryError(f'There is no saved model called "{name}".')
    return info


def _size(folder: Path, name: str, json_stat: os.stat_result) -> int:
    """The bytes a saved model takes: its metadata and its weights."""
    try:
        return json_stat.st_size + _paths(folder, name)[0].stat().st_size
    except OSError:
        return json_stat.st_size


def _architecture(model, metadata: dict) -> tuple[str, dict]:
    """The architecture name to record (the metadata's, else the model's own name: models.build names them) and the
    network builder's settings (the metadata's, else the defaults)."""
    architecture = metadata.get("architecture") or getattr(model, "name", None)
    from fmnist.model import architectures  # Imported lazily: it imports Keras.

    if architecture not in architectures.BUILDERS:
        raise RegistryError(
            f'This model cannot be saved: its architecture "{architecture}" is not one fmnist.model.architectures builds.'
        )
    try:
        settings = architectures.architecture_settings(architecture, metadata.get("architecture_settings"))
        architectures.check_architecture(architecture, settings)
    except (TypeError, ValueError) as error:
        raise RegistryError(f"This model cannot be saved: {error}") from None
    return architecture, {key: list(value) if isinstance(value, tuple) else value for key, value in settings.items()}


def save(model, name: str, metadata: dict, overwrite: bool = False) -> ModelInfo:
    """Save a Keras model as `name` with its metadata; the sha256, format and creation time are added."""
    validate_name(name)
    if name == DEFAULT_NAME:
        raise RegistryError(f'"{DEFAULT_NAME}" is the shipped model and cannot be replaced; choose another name.')
    folder = model_dir()
    architecture, settings = _architecture(model, metadata)
    arrays = weights_file.check_layout(model.get_weights(), architecture, RegistryError, settings)
    weights_path, json_path = _paths(folder, name)
    with locked(folder):
        remove_leftovers(folder)
        if not overwrite and json_path.exists():
            raise RegistryError(f'A model called "{name}" already exists; choose another name.')
        sizes = {other: _size(folder, other, stat) for other, stat in _saved(folder).items() if other != name}
        check_quota(sizes, weights_file.size_estimate(arrays))
        record = {**metadata, "name": name, "architecture": architecture, "architecture_settings": settings}
        return _write(arrays, weights_path, json_path, record)


def write_pair(model, path: Path, metadata: dict) -> ModelInfo:
    """Atomically write `model` to `path` (ending in .weights.npz, or the .json) and its metadata beside it.

    Used by `python -m fmnist train --out`: no quota applies outside the models folder.
    """
    path = Path(path)
    stem = _stem(path)
    if stem is None:
        raise RegistryError(
            f"A model is saved as NAME{WEIGHTS_SUFFIX} with NAME.json beside it; give a path ending in "
            f"{WEIGHTS_SUFFIX}, not {path.name}."
        )
    if not stem:
        raise RegistryError(f"{path} has no name before {WEIGHTS_SUFFIX}.")
    architecture, settings = _architecture(model, metadata)
    arrays = weights_file.check_layout(model.get_weights(), architecture, RegistryError, settings)
    weights_path, json_path = _paths(path.parent, stem)
    with locked(path.parent):
        remove_leftovers(path.parent, stem)
        record = {"name": stem, **metadata, "architecture": architecture, "architecture_settings": settings}
        return _write(arrays, weights_path, json_path, record)


def _write(arrays, weights_path: Path, json_path: Path, metadata: dict) -> ModelInfo:
    """Write the weights, then the metadata that names their checksum; the caller holds the folder's lock."""
    record = dict(metadata)
    try:
        record["sha256"] = atomic.write_atomic(weights_path, lambda tmp: weights_file.write(tmp, arrays))
        record["format"] = FORMAT
        record.setdefault("created", datetime.now(UTC).isoformat(timespec="seconds"))
        atomic.write_json(json_path, record)
    except OSError as error:
        raise RegistryError(f"The model {record['name']} could not be written ({error.strerror or 'disk error'}).") from None
    return ModelInfo(record["name"], weights_path, record, read_only=False)


def load(name: str):
    """Load the listed model `name`: check its checksum, rebuild its architecture, set its weights."""
    return load_info(get(name))


def _stem(path: Path) -> str | None:
    """NAME of a path to NAME.weights.npz or NAME.json; None for any other file name."""
    if path.name.endswith(WEIGHTS_SUFFIX):
        return path.name[: -len(WEIGHTS_SUFFIX)]
    return path.stem if path.suffix == ".json" else None


def info_for_path(path: Path) -> ModelInfo:
    """A model given by path (command line only): its weights file or its metadata `.json`, with the other beside it."""
    path = Path(path)
    stem = _stem(path)
    if stem is None:
        raise RegistryError(f"{path} is not a model: give its {WEIGHTS_SUFFIX} or .json file.")
    info = _read_info(path.parent, stem, read_only=True)
    if info is None:
        raise RegistryError(f"{path.parent / stem}{WEIGHTS_SUFFIX} and {stem}.json beside it are not both there and readable.")
    return info


def delete(name: str) -> None:
    """Remove a saved model (never the shipped default)."""
    info = get(name)
    if info.read_only:
        raise RegistryError(f'"{name}" is the shipped model and cannot be deleted.')
    folder = model_dir()
    weights_path, json_path = _paths(folder, name)
    with locked(folder):
        json_path.unlink(missing_ok=True)  # Metadata first: the model stops being listed at once.
        weights_path.unlink(missing_ok=True)
