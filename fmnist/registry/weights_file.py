"""A model's weights as a plain numpy archive (`.weights.npz`), read back only as the arrays an architecture expects.

The archive holds one `.npy` array per weight, in the order of `model.get_weights()`.
Reading never unpickles and never trusts the file's sizes: every array's header must
name exactly the shape and dtype that the freshly built architecture has, and then
only that many bytes are read. Anything else is refused before it is allocated.
"""

from __future__ import annotations

import functools
import json
import zipfile
import zlib

import numpy as np

WEIGHTS_SUFFIX = ".weights.npz"
# Room for an array's .npy header (magic, version, a short Python-literal header, padding).
HEADER_BYTES = 256


class DamagedWeights(Exception):
    """The weights file cannot be read: it is not a whole archive of arrays."""


class RefusedWeights(Exception):
    """The weights file is readable but does not fit the architecture; the message says how, for a person."""


def _member(index: int) -> str:
    return f"weight_{index:03d}"


def write(path, arrays: list[np.ndarray]) -> None:
    """Write `arrays` in order to the archive at `path` (uncompressed: weights barely compress)."""
    with open(path, "wb") as f:
        np.savez(f, **{_member(i): np.ascontiguousarray(a) for i, a in enumerate(arrays)})


def size_estimate(arrays: list[np.ndarray]) -> int:
    """About how many bytes `write` takes for `arrays` (for the registry's quota)."""
    return sum(a.nbytes + HEADER_BYTES for a in arrays)


def layout(architecture: str, settings: dict | None = None) -> tuple[tuple[tuple[int, ...], str], ...]:
    """(shape, dtype) of each weight of a freshly built `architecture` with the network builder's `settings`."""
    return _layout(architecture, json.dumps(settings or {}, sort_keys=True, default=list))


@functools.lru_cache(maxsize=64)
def _layout(architecture: str, settings: str) -> tuple[tuple[tuple[int, ...], str], ...]:
    from fmnist.model import architectures  # Imported lazily: it imports Keras.

    return tuple((tuple(w.shape), w.dtype.str) for w in architectures.build(architecture, json.loads(settings)).get_weights())


def check_layout(arrays: list[np.ndarray], architecture: str, error=ValueError, settings: dict | None = None) -> list[np.ndarray]:
    """Return `arrays` as numpy arrays if they are the weights of `architecture` (built with `settings`), else raise
    `error` saying why."""
    arrays = [np.asarray(a) for a in arrays]
    found = tuple((tuple(a.shape), a.dtype.str) for a in arrays)
    if found != layout(architecture, settings):
        raise error(f'This model cannot be saved: its weights are not those of the "{architecture}" architecture.')
    return arrays


def read(path, like: list[np.ndarray]) -> list[np.ndarray]:
    """The arrays of the archive at `path`, which must match `like` (a fresh model's weights) in number, shape, dtype."""
    names = [f"{_member(i)}.npy" for i in range(len(like))]
    arrays = []
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.namelist()
            if sorted(members) != names:
                raise RefusedWeights(f"its weights file holds {len(members)} arrays where the architecture has {len(like)}")
            for index, (name, expected) in enumerate(zip(names, like, strict=True)):
                with archive.open(name) as f:
                    arrays.append(_read_array(f, index, expected))
    except RefusedWeights:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, KeyError, ValueError,
            NotImplementedError) as error:  # fmt: skip
        raise DamagedWeights(str(error)) from error
    return arrays


def _read_array(f, index: int, expected: np.ndarray) -> np.ndarray:
    """Read one .npy member after checking that its header names the expected shape and dtype."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(f)
    else:
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(f)
    if tuple(shape) != tuple(expected.shape) or dtype != expected.dtype:
        raise RefusedWeights(
            f"weight {index} has shape {tuple(shape)} ({dtype}) where the architecture needs "
            f"{tuple(expected.shape)} ({expected.dtype})"
        )
    data = f.read(expected.nbytes)
    if len(data) != expected.nbytes:
        raise DamagedWeights(f"weight {index} is cut short")
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape[::-1]).T if fortran_order else array.reshape(shape)
