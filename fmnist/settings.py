"""The project's folders and the FMNIST_* environment variables, read in one place.

Every variable the app reads is declared once in `VARIABLES`: its name, its default as a person would
write it, what it does, and the parser that turns its text into a value or says clearly why it cannot.
The accessors below read the environment at each call, so a variable set after import (a test, a
child process's own environment) takes effect. `python -m fmnist.settings` prints the table the
README shows.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# The repository's root: assets/, the default runs/ and models/ folders live under it.
PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Variable:
    """One environment variable: `parse` takes its text (None when unset) and returns its value or raises ValueError."""

    name: str
    default: str
    meaning: str
    parse: Callable[[str | None], object]

    def value(self):
        return self.parse(os.environ.get(self.name))


def folder(default: Callable[[], Path]) -> Callable[[str | None], Path]:
    """A folder, `~` expanded; unset means `default()` (a set but empty value is the current folder)."""
    return lambda text: Path(default() if text is None else text).expanduser()


def optional_folder(text: str | None) -> Path | None:
    """A folder, `~` expanded, or None when unset or empty."""
    return Path(text).expanduser() if text else None


def only(on: str) -> Callable[[str | None], bool]:
    """True only when the variable is exactly `on`; unset or any other value is False."""
    return lambda text: text == on


def unless(off: str) -> Callable[[str | None], bool]:
    """True unless the variable is exactly `off`; unset or any other value is True."""
    return lambda text: text != off


def whole(name: str, default: int, minimum: int | None = None, positive: bool = False) -> Callable[[str | None], int]:
    """A whole number, at least `minimum` if given; unset or blank means `default`. A bad value is a ValueError
    that names the variable (with `positive`, one wording for both faults, as the models folder's limits say it)."""

    def parse(text: str | None) -> int:
        value = (text or "").strip()
        if not value:
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if positive and (number is None or number < minimum):
            raise ValueError(f"{name} must be a positive whole number, not {value!r}.")
        if number is None:
            raise ValueError(f"{name} must be a whole number, not {value!r}.")
        if minimum is not None and number < minimum:
            raise ValueError(f"{name} must be at least {minimum}, not {number}.")
        return number

    return parse


def strict_whole(name: str, default: int) -> Callable[[str | None], int]:
    """A whole number; unset means `default`, but a set value must be one, an empty one too."""

    def parse(text: str | None) -> int:
        if text is None:
            return default
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {text!r}.") from None

    return parse


def secret_text(text: str | None) -> str | None:
    """A secret as given, or None when unset or empty; never shown (the table prints only its default)."""
    return text or None


def choice(name: str, options: tuple[str, ...]) -> Callable[[str | None], str]:
    """One of `options`; unset or blank means the first. Any other value is a ValueError that names the variable."""

    def parse(text: str | None) -> str:
        value = (text or "").strip().lower() or options[0]
        if value not in options:
            raise ValueError(f"{name} must be one of {', '.join(options)}, not {text!r}.")
        return value

    return parse


def level(text: str | None) -> str:
    """The name of a logging level; unset, empty or unknown names mean INFO."""
    name = (text or "INFO").upper()
    return name if isinstance(logging.getLevelName(name), int) else "INFO"


VARIABLES: tuple[Variable, ...] = (
    Variable("FMNIST_DATA_DIR", "(unset)",
             "a folder holding the four Fashion-MNIST `.gz` files, searched before `/usr/share/datasets/fashion-mnist` "
             "and `~/.keras/datasets/fashion-mnist`", optional_folder),
    Variable("FMNIST_ALLOW_DOWNLOAD", "`0`",
             "`1` lets Keras download the dataset when no folder has it", only("1")),
    Variable("FMNIST_CACHE_DIR", "`~/.cache/fmnist`",
             "decoded arrays and the maps of `/inspect`", folder(lambda: Path.home() / ".cache" / "fmnist")),
    Variable("FMNIST_MODEL_DIR", "`models/`",
             "saved models", folder(lambda: PROJECT_DIR / "models")),
    Variable("FMNIST_MAX_MODELS", "`100`",
             "the most saved models (the shipped one does not count)", whole("FMNIST_MAX_MODELS", 100, 1, positive=True)),
    Variable("FMNIST_MAX_MODEL_BYTES", "`500000000`",
             "the most bytes saved models may take", whole("FMNIST_MAX_MODEL_BYTES", 500 * 10**6, 1, positive=True)),
    Variable("FMNIST_RUNS_DIR", "`runs/`",
             "training runs, one folder each", folder(lambda: PROJECT_DIR / "runs")),
    Variable("FMNIST_MAX_TRAININGS", "`1`",
             "runs that train at once, per server process; later ones queue in FIFO order",
             whole("FMNIST_MAX_TRAININGS", 1, 1)),
    Variable("FMNIST_BACKEND", "`local`",
             "where runs train: `local`, a child process each; `ray`, a Ray actor each on the cluster at `RAY_ADDRESS` "
             "(unset: a local Ray the server starts)", choice("FMNIST_BACKEND", ("local", "ray"))),
    Variable("FMNIST_MAX_QUEUE", "`40`",
             "runs that may wait; past it, a start is refused with a message", whole("FMNIST_MAX_QUEUE", 40, 0)),
    Variable("FMNIST_MAX_RUNS_PER_LEARNER", "`2`",
             "runs one browser may have queued or training at once (the teacher and the command line: no limit)",
             whole("FMNIST_MAX_RUNS_PER_LEARNER", 2, 1)),
    Variable("FMNIST_TEACHER_PASSWORD", "(unset)",
             "typed once in the sidebar, lets that browser manage every run; unset or empty: no teacher mode",
             secret_text),
    Variable("FMNIST_MAX_TRAIN_SECONDS", "`1800`",
             "a longer run is stopped and keeps its weights", whole("FMNIST_MAX_TRAIN_SECONDS", 1800, 1)),
    Variable("FMNIST_TRAIN_THREADS", "all cores",
             "TensorFlow threads of each training process (`0`: all cores)", whole("FMNIST_TRAIN_THREADS", 0)),
    Variable("FMNIST_TRAIN_NICE", "`19`",
             "the nice value of each training process and of its scheduling group", strict_whole("FMNIST_TRAIN_NICE", 19)),
    Variable("FMNIST_TRAIN_IDLE", "`1`",
             "`0` keeps training processes out of Linux's `SCHED_IDLE` class", unless("0")),
    Variable("FMNIST_WARM_UP", "`1`",
             "`0`: the server does not load the shipped model in the background at start", unless("0")),
    Variable("FMNIST_LOG_LEVEL", "`INFO`",
             'the level of the "fmnist" logger', level),
)  # fmt: skip

_BY_NAME = {variable.name: variable for variable in VARIABLES}


def read(name: str):
    """The parsed value of the declared variable `name`, read now."""
    return _BY_NAME[name].value()


def data_dir() -> Path | None:
    return read("FMNIST_DATA_DIR")


def allow_download() -> bool:
    return read("FMNIST_ALLOW_DOWNLOAD")


def cache_dir() -> Path:
    """The folder that holds the decoded `.npy` cache and other cached results."""
    return read("FMNIST_CACHE_DIR")


def model_dir() -> Path:
    """The folder that holds saved models."""
    return read("FMNIST_MODEL_DIR")


def max_models() -> int:
    return read("FMNIST_MAX_MODELS")


def max_model_bytes() -> int:
    return read("FMNIST_MAX_MODEL_BYTES")


def runs_dir() -> Path:
    """The folder that holds run records."""
    return read("FMNIST_RUNS_DIR")


def max_trainings() -> int:
    return read("FMNIST_MAX_TRAININGS")


def backend() -> str:
    """Where training runs: "local" (child processes) or "ray" (fmnist.runs.ray_backend)."""
    return read("FMNIST_BACKEND")


def max_queue() -> int:
    return read("FMNIST_MAX_QUEUE")


def max_runs_per_learner() -> int:
    return read("FMNIST_MAX_RUNS_PER_LEARNER")


def teacher_password() -> str | None:
    """The teacher's password, or None when teacher mode is off."""
    return read("FMNIST_TEACHER_PASSWORD")


def max_train_seconds() -> int:
    return read("FMNIST_MAX_TRAIN_SECONDS")


def train_threads() -> int:
    """TensorFlow's intra-op threads for a training process: the variable, or every core when it is 0."""
    return read("FMNIST_TRAIN_THREADS") or (os.cpu_count() or 1)


def train_nice() -> int:
    return read("FMNIST_TRAIN_NICE")


def train_idle() -> bool:
    return read("FMNIST_TRAIN_IDLE")


def warm_up() -> bool:
    return read("FMNIST_WARM_UP")


def log_level() -> str:
    return read("FMNIST_LOG_LEVEL")


def markdown_table() -> str:
    """The variables as a Markdown table, as the README shows them."""
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    rows += [f"| `{v.name}` | {v.default} | {v.meaning} |" for v in VARIABLES]
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
