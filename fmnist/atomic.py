"""Atomic files: written through a temporary file in the same folder, then moved into place.

A reader sees either the old file or the whole new one, never a half-written
file, even when the writer is killed midway. Every module that writes a file
others read (the data cache, the model registry, run records) goes through here.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, write, mode: int = 0o644) -> str:
    """Call `write(tmp_path)` on a temporary file beside `path`, sync it, move it into place; return its sha256.

    The checksum is of the temporary file, taken before the rename, so it always
    describes the bytes this call wrote, whatever another writer does afterwards.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, mode)
        digest = hashlib.sha256()
        with open(tmp, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def write_bytes(path: Path, data: bytes) -> str:
    """Atomically replace `path` with `data`; return its sha256."""
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_json(path: Path, value) -> str:
    """Atomically replace `path` with `value` as indented UTF-8 JSON; return its sha256."""
    return write_bytes(path, (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
