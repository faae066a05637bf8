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


def level(text: str | None) -> str:
    """The name of a logging level; unset, empty or unknown names mean INFO."""
    name = (text or "INFO").upper()
    return name if isinstance(logging.getLevelName(name), int) else "INFO"


VARIABLES: tuple[Variable, ...] = (
    Variable("FMNIST_DATA_DIR", "(none)",
             "A folder searched first for the four Fashion-MNIST `.gz` files, before the Debian package's folder and "
             "Keras's cache.", optional_folder),
    Variable("FMNIST_ALLOW_DOWNLOAD", "0",
             "`1` lets Keras download Fashion-MNIST when no folder has it; any other value never downloads.",
             only("1")),
    Variable("FMNIST_CACHE_DIR", "`~/.cache/fmnist`",
             "The folder for the decoded dataset (`.npy`) and the Inspect page's cached embeddings.",
             folder(lambda: Path.home() / ".cache" / "fmnist")),
    Variable("FMNIST_MODEL_DIR", "`models/`",
             "The folder of saved models (each a `.weights.npz` and a `.json`).", folder(lambda: PROJECT_DIR / "models")),
    Variable("FMNIST_MAX_MODELS", "100",
             "The most models the models folder may hold (the shipped default does not count).",
             whole("FMNIST_MAX_MODELS", 100, 1, positive=True)),
    Variable("FMNIST_MAX_MODEL_BYTES", "500000000",
             "The most bytes the saved models may take together.",
             whole("FMNIST_MAX_MODEL_BYTES", 500 * 10**6, 1, positive=True)),
    Variable("FMNIST_RUNS_DIR", "`runs/`",
             "The folder of training run records (one folder per run).", folder(lambda: PROJECT_DIR / "runs")),
    Variable("FMNIST_MAX_TRAININGS", "1",
             "How many runs the server trains at once (at least 1).", whole("FMNIST_MAX_TRAININGS", 1, 1)),
    Variable("FMNIST_MAX_QUEUE", "8",
             "How many more runs may wait in the queue (0: none wait).", whole("FMNIST_MAX_QUEUE", 8, 0)),
    Variable("FMNIST_MAX_TRAIN_SECONDS", "1800",
             "A run training longer than this many seconds is stopped and keeps its weights.",
             whole("FMNIST_MAX_TRAIN_SECONDS", 1800, 1)),
    Variable("FMNIST_TRAIN_THREADS", "0",
             "TensorFlow's threads in a training process; 0 or empty: one per core.",
             whole("FMNIST_TRAIN_THREADS", 0)),
    Variable("FMNIST_TRAIN_NICE", "19",
             "The nice value of a training process and its scheduling group (19: the lowest priority).",
             strict_whole("FMNIST_TRAIN_NICE", 19)),
    Variable("FMNIST_TRAIN_IDLE", "1",
             "`0` keeps a training process out of Linux's idle scheduling class; any other value puts it there.",
             unless("0")),
    Variable("FMNIST_WARM_UP", "1",
             "`0` stops the server from loading the default model in the background as it starts.",
             unless("0")),
    Variable("FMNIST_LOG_LEVEL", "INFO",
             "The level of the app's log on stderr: DEBUG, INFO, WARNING or ERROR.", level),
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


def max_queue() -> int:
    return read("FMNIST_MAX_QUEUE")


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
    rows = ["| variable | default | what it does |", "| --- | --- | --- |"]
    rows += [f"| `{v.name}` | {v.default} | {v.meaning} |" for v in VARIABLES]
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
