"""The models folder's mechanics for fmnist.registry: its lock, the leftovers of killed saves, and its quota.

`RegistryError` is defined here so that every module of the package raises it; use it as `registry.RegistryError`.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
from pathlib import Path

from fmnist import settings

# The lock file every save and delete holds (see `locked`); it stays, empty, in the folder.
LOCK_NAME = ".fmnist-models.lock"


class RegistryError(Exception):
    """A model cannot be saved or loaded; the message says why, for a person."""


def limits() -> tuple[int, int]:
    """The most saved models and the most bytes they may take: $FMNIST_MAX_MODELS, $FMNIST_MAX_MODEL_BYTES."""
    try:
        return settings.max_models(), settings.max_model_bytes()
    except ValueError as error:
        raise RegistryError(str(error)) from None


@contextlib.contextmanager
def locked(folder: Path):
    """Hold the folder's exclusive lock, creating the folder if needed; threads and processes alike wait for it.

    An `flock` on a lock file rather than an O_EXCL reservation file: it is as
    atomic, and the kernel releases it when its holder dies, so a killed save
    never leaves a name blocked (a reservation file would outlive its writer).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise RegistryError(f"The models folder {folder} cannot be written ({error.strerror or 'disk error'}).") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # Closing releases the lock.


def remove_leftovers(folder: Path, stem: str | None = None) -> None:
    """Delete temporary files of killed saves (named by fmnist.atomic), of all models or the one called `stem`.

    Call it holding the lock, when no save runs.
    """
    stem = "*" if stem is None else glob.escape(stem)
    for pattern in (f".{stem}.weights.*.tmp.npz", f".{stem}.*.tmp.json"):
        for path in folder.glob(pattern):
            path.unlink(missing_ok=True)


def check_quota(sizes: dict[str, int], new_bytes: int) -> None:
    """Raise RegistryError if one more model of `new_bytes` does not fit beside the others (name -> bytes)."""
    max_models, max_bytes = limits()
    if len(sizes) + 1 > max_models:
        raise RegistryError(
            f"The models folder is full: it holds {len(sizes)} models, the most allowed (FMNIST_MAX_MODELS). "
            "Delete a model before saving another."
        )
    used = sum(sizes.values())
    if used + new_bytes > max_bytes:
        raise RegistryError(
            f"The models folder is full: its models take {used / 1e6:.1f} MB and this one needs {new_bytes / 1e6:.1f} MB, "
            f"over the {max_bytes / 1e6:.0f} MB allowed (FMNIST_MAX_MODEL_BYTES). Delete a model before saving another."
        )
