"""Who may manage a run: its owner, the teacher, or the command line.

A run belongs to whoever started it. A browser proves who it is with a random secret it keeps (pages/identity.py
makes 32 random bytes in the browser's localStorage); the server never stores that secret, only its HMAC-SHA256
under a key of its own (`.owners.key` in the runs folder, readable by the server's user only). That hash is the
run's `owner` in its status.json, beside the display name its learner chose (`owner_name`, untrusted text,
cleaned by `clean_name`). Runs started by `python -m fmnist` belong to "cli".

An `Actor` is the identity asking to act. `may_manage` says whether it may stop, pause, resume, cancel, delete
or save a run; `require` refuses with `NotAllowed` and logs the refusal (never a secret: an owner is named by
the first characters of its hash). The teacher (`$FMNIST_TEACHER_PASSWORD`) and the command line (the server's
operator, who has its files anyway) may manage every run.

The teacher's password is checked by `TeacherGate`: in constant time, never logged, with a growing wait after
wrong tries, per session and for the whole server. A right password gives a teacher token (an HMAC of the
password under the server key) that the page keeps in its session state; `actor()` turns a token back into
teacher rights only if it verifies, so a forged session state gains nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from fmnist import settings
from fmnist.runs.store import RunsError

logger = logging.getLogger(__name__)

CLI = "cli"  # The owner of runs started by the command line.
LEARNER = "learner:"  # Prefix of a browser's owner: LEARNER + 32 hex digits of its secret's HMAC.
KEY_FILE = ".owners.key"
NAME_LENGTH = 32  # Characters of a display name that are kept.
SECRET = re.compile(r"[A-Za-z0-9_-]{32,128}")  # What a browser's secret looks like (base64url or hex).
ACTIONS = ("stop", "pause", "resume", "cancel", "delete", "save")


class NotAllowed(RunsError):
    """The acting identity may not manage this run (it is someone else's)."""

    def __init__(self, action: str, run_id: str):
        self.action, self.run_id = action, run_id
        super().__init__(
            f"Not allowed: run {run_id} belongs to someone else. Only the browser that started it, or the teacher, "
            f"can {action} it; you can watch it and read its results."
        )


@dataclass(frozen=True)
class Actor:
    """An identity asking to act on runs: an owner ("cli" or a learner's hash), its display name, teacher rights."""

    owner: str
    name: str = ""
    teacher: bool = False

    @property
    def label(self) -> str:
        """How the log names this identity: never a secret, only the start of an owner's hash."""
        return ("teacher, " if self.teacher else "") + describe(self.owner)


COMMAND_LINE = Actor(CLI)


def describe(owner: str | None) -> str:
    """An owner as the log names it."""
    if not owner:
        return "nobody (an older run)"
    return f"learner {owner[len(LEARNER) : len(LEARNER) + 8]}" if owner.startswith(LEARNER) else owner


_KEYS: dict[Path, bytes] = {}  # Read once per runs folder and process.


def server_key(root: Path | None = None) -> bytes:
    """The server's HMAC key, made once (32 random bytes, mode 0600) in the runs folder; RunsError if it cannot be."""
    root = Path(root) if root is not None else settings.runs_dir()
    path = root / KEY_FILE
    if path in _KEYS and path.is_file():
        return _KEYS[path]
    _KEYS[path] = key = _read_or_make_key(root, path)
    return key


def _read_or_make_key(root: Path, path: Path) -> bytes:
    try:
        root.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as f:
                f.write(os.urandom(32))
                f.flush()
                os.fsync(f.fileno())
        for _ in range(50):  # Another process may have created it a moment ago and be writing it.
            key = path.read_bytes()
            if len(key) == 32:
                return key
            time.sleep(0.01)
    except OSError as error:
        raise RunsError(f"The runs folder's owner key cannot be read or made ({error.strerror or error}).") from error
    raise RunsError(f"The owner key {path} is damaged (not 32 bytes): remove it, and every run's owner is forgotten.")


def owner_of(secret: str, root: Path | None = None) -> str:
    """A browser's owner id: the HMAC-SHA256 of its secret under the server key (the secret is never stored)."""
    digest = hmac.new(server_key(root), secret.encode("ascii"), hashlib.sha256).hexdigest()
    return LEARNER + digest[:32]


def valid_secret(secret) -> bool:
    return isinstance(secret, str) and SECRET.fullmatch(secret) is not None


def clean_name(text) -> str:
    """A display name as untrusted text: control and format characters (bidi overrides, zero widths) become
    spaces, runs of spaces one, at most NAME_LENGTH characters; anything that is not a string is no name."""
    if not isinstance(text, str):
        return ""
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text[: 4 * NAME_LENGTH])
    return " ".join(text.split())[:NAME_LENGTH].strip()


def actor(secret, name="", teacher_token=None, root: Path | None = None) -> Actor | None:
    """The identity of a browser from its secret, its display name and the session's teacher token, or None for a
    secret that is not one. A token counts only if it verifies against the current password."""
    if not valid_secret(secret):
        return None
    return Actor(owner_of(secret, root), clean_name(name), is_teacher_token(teacher_token, root))


def may_manage(who: Actor | None, owner: str | None) -> bool:
    """Whether `who` may stop, pause, resume, cancel, delete or save a run owned by `owner`."""
    if who is None:
        return False
    if who.teacher or who.owner == CLI:
        return True
    return bool(owner) and who.owner.startswith(LEARNER) and hmac.compare_digest(who.owner, owner)


def require(who: Actor | None, action: str, run_id: str, owner: str | None) -> None:
    """Raise NotAllowed (and log it, without a secret) unless `who` may `action` the run owned by `owner`."""
    if may_manage(who, owner):
        return
    logger.warning(
        "Refused to %s run %s for %s: it belongs to %s.",
        action,
        run_id,
        who.label if who else "an unknown browser",
        describe(owner),
    )
    raise NotAllowed(action, run_id)


# The teacher.


def teacher_enabled() -> bool:
    return settings.teacher_password() is not None


def _teacher_token(password: str, root: Path | None) -> str:
    return hmac.new(server_key(root), b"teacher\0" + password.encode("utf-8"), hashlib.sha256).hexdigest()


def is_teacher_token(token, root: Path | None = None) -> bool:
    """Whether `token` was given for the current teacher password (a changed or unset password ends it)."""
    password = settings.teacher_password()
    if password is None or not isinstance(token, str):
        return False
    return hmac.compare_digest(token, _teacher_token(password, root))


@dataclass
class Attempt:
    """What a try of the teacher password gave: a token, or how many seconds to wait before the next try."""

    token: str | None = None
    wait: float = 0.0
    refused: bool = False  # Not checked at all: the try came during a wait.

    @property
    def ok(self) -> bool:
        return self.token is not None


@dataclass
class TeacherGate:
    """Checks the teacher password, slowing down wrong tries: after the n-th wrong try of a session the next is
    refused for min(MAX_WAIT, 2 ** (n - 1)) s; after GLOBAL_FREE wrong tries across the server within
    GLOBAL_WINDOW s, every session waits too (so new sessions do not buy new tries)."""

    clock: object = time.monotonic
    MAX_WAIT = 60.0
    GLOBAL_FREE = 10
    GLOBAL_WINDOW = 900.0
    _sessions: dict = field(default_factory=dict)  # session -> (wrong tries, not before)
    _global: list = field(default_factory=list)  # times of recent wrong tries
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, session: str) -> float:
        """Seconds before `session` may try again (0 when it may now)."""
        with self._lock:
            return self._wait(session, self.clock())

    def _wait(self, session: str, now: float) -> float:
        self._global[:] = [t for t in self._global if now - t < self.GLOBAL_WINDOW]
        _, not_before = self._sessions.get(session, (0, 0.0))
        extra = len(self._global) - self.GLOBAL_FREE
        global_not_before = self._global[-1] + min(self.MAX_WAIT, 2.0**extra) if extra >= 0 else 0.0
        return max(0.0, not_before - now, global_not_before - now)

    def attempt(self, password, session: str, root: Path | None = None) -> Attempt:
        """Check `password` for `session` (any stable label of the asker, e.g. its owner id)."""
        expected = settings.teacher_password()
        with self._lock:
            now = self.clock()
            wait = self._wait(session, now)
            if expected is None or wait > 0:
                return Attempt(wait=wait, refused=True)
            given = password.encode("utf-8") if isinstance(password, str) else b""
            if hmac.compare_digest(given, expected.encode("utf-8")):
                self._sessions.pop(session, None)
                logger.info("Teacher rights given to %s.", describe(session))
                return Attempt(token=_teacher_token(expected, root))
            tries = self._sessions.get(session, (0, 0.0))[0] + 1
            self._sessions[session] = (tries, now + min(self.MAX_WAIT, 2.0 ** (tries - 1)))
            self._global.append(now)
            logger.warning("Wrong teacher password from %s (%d wrong tries).", describe(session), tries)
            return Attempt(wait=self._wait(session, now))


_GATE = TeacherGate()


def teacher_gate() -> TeacherGate:
    """This server process's gate (its counts of wrong tries are shared by every session)."""
    return _GATE
