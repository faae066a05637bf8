"""Saved models on disk: atomic save, list, load with checksum, and the shipped default.

A saved model is a pair in the models folder (`$FMNIST_MODEL_DIR`, default
`models/` in the project): `<name>.keras` and `<name>.json`, the metadata that
records how it was made and the SHA-256 of the `.keras` file. Both are written
to a temporary file first and moved into place with `os.replace`, the `.keras`
before the `.json`: a model is listed only once its metadata exists, so a
process killed mid-save leaves no half model. Loading goes through a validated
name only, checks the checksum and uses Keras's `safe_mode`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_NAME = "default"
DEFAULT_DIR = PROJECT_DIR / "assets" / "models"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class RegistryError(Exception):
    """A model cannot be saved or loaded; the message says why, for a person."""


@dataclass(frozen=True)
class ModelInfo:
    """One listed model: its name, where it lives, its metadata, and whether it is the shipped one."""

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
        parts = [self.metadata.get("architecture", "?")]
        if accuracy is not None:
            parts.append(f"{accuracy:.1%}")
        return f"{self.name} ({', '.join(parts)})"


def model_dir() -> Path:
    """The folder that holds saved models."""
    return Path(os.environ.get("FMNIST_MODEL_DIR", PROJECT_DIR / "models")).expanduser()


def validate_name(name: str) -> str:
    """Return `name` if it can name a saved model, else raise RegistryError saying what is allowed."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or ".." in name or name.endswith("."):
        raise RegistryError(
            "A model name is 1 to 64 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit (no spaces, slashes or '..')."
        )
    return name


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _paths(folder: Path, name: str) -> tuple[Path, Path]:
    return folder / f"{name}.keras", folder / f"{name}.json"


def _read_info(folder: Path, name: str, read_only: bool) -> ModelInfo | None:
    keras_path, json_path = _paths(folder, name)
    try:
        metadata = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(metadata, dict) or not keras_path.is_file():
        return None
    return ModelInfo(name, keras_path, metadata, read_only)


def list_models() -> list[ModelInfo]:
    """The shipped default first, then saved models by name; incomplete pairs are left out."""
    found = []
    default = _read_info(DEFAULT_DIR, DEFAULT_NAME, read_only=True)
    if default is not None:
        found.append(default)
    folder = model_dir()
    if folder.is_dir():
        for json_path in sorted(folder.glob("*.json")):
            name = json_path.stem
            if name == DEFAULT_NAME or not NAME_PATTERN.fullmatch(name) or ".." in name:
                continue
            info = _read_info(folder, name, read_only=False)
            if info is not None:
                found.append(info)
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


def _write_atomic(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then move it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _without_optimizer(model):
    """A copy that holds only the weights: a saved model is for prediction, and a third the size."""
    if getattr(model, "optimizer", None) is None:
        return model
    # Built from the architecture alone: clone_model would copy the compiled optimizer too.
    copy = model.__class__.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def save(model, name: str, metadata: dict, overwrite: bool = False) -> ModelInfo:
    """Save a Keras model as `name` with its metadata; the sha256 and creation time are added."""
    validate_name(name)
    if name == DEFAULT_NAME:
        raise RegistryError(f'"{DEFAULT_NAME}" is the shipped model and cannot be replaced; choose another name.')
    folder = model_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise RegistryError(f"The models folder {folder} cannot be created.") from None
    keras_path, json_path = _paths(folder, name)
    if not overwrite and json_path.exists():
        raise RegistryError(f'A model called "{name}" already exists; choose another name.')
    return write_pair(model, keras_path, {**metadata, "name": name})


def write_pair(model, keras_path: Path, metadata: dict) -> ModelInfo:
    """Atomically write `model` to `keras_path` (ending in .keras) and its metadata beside it."""
    keras_path = Path(keras_path)
    if keras_path.suffix != ".keras":
        raise RegistryError(f"A model file must end in .keras, not {keras_path.name}.")
    json_path = keras_path.with_suffix(".json")
    try:
        _write_atomic(keras_path, lambda tmp: _without_optimizer(model).save(tmp))
        record = dict(metadata)
        record.setdefault("name", keras_path.stem)
        record.setdefault("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
        record["sha256"] = file_sha256(keras_path)
        text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
        _write_atomic(json_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as error:
        raise RegistryError(f"The model {keras_path.name} could not be written ({error.strerror or 'disk error'}).") from None
    return ModelInfo(record["name"], keras_path, record, read_only=False)


def load(name: str):
    """Load the listed model `name` after checking its checksum, with Keras's safe_mode."""
    return load_info(get(name))


def info_for_path(path: Path) -> ModelInfo:
    """A model file given by path (command line only): it needs its metadata `.json` beside it."""
    path = Path(path)
    if path.suffix != ".keras" or not path.is_file():
        raise RegistryError(f"{path} is not a .keras model file.")
    info = _read_info(path.parent, path.stem, read_only=True)
    if info is None:
        raise RegistryError(f"{path} has no readable metadata file {path.with_suffix('.json').name} beside it.")
    return info


def load_info(info: ModelInfo):
    """Load a listed model (see `load`)."""
    expected = info.metadata.get("sha256")
    if not expected or file_sha256(info.path) != expected:
        raise RegistryError(f'The file of model "{info.name}" does not match its recorded checksum; it will not be loaded.')
    import keras  # Imported lazily: TensorFlow is slow to start.

    try:
        return keras.saving.load_model(info.path, compile=False, safe_mode=True)
    except Exception:
        raise RegistryError(f'The model "{info.name}" could not be loaded; its file may be damaged.') from None


def delete(name: str) -> None:
    """Remove a saved model (never the shipped default)."""
    info = get(name)
    if info.read_only:
        raise RegistryError(f'"{name}" is the shipped model and cannot be deleted.')
    _, json_path = _paths(model_dir(), name)
    json_path.unlink(missing_ok=True)  # Metadata first: the model stops being listed at once.
    info.path.unlink(missing_ok=True)
