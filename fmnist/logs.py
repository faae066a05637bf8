"""Logging for the app and the command line: whole tracebacks go to the log, people see one clear line.

Every module logs through `logging.getLogger(__name__)` (so under "fmnist"); `configure()` gives the
"fmnist" logger one handler on stderr, which is the server's log when the app runs under
`streamlit run`. The level comes from FMNIST_LOG_LEVEL (default INFO).
"""

from __future__ import annotations

import logging
import sys

from fmnist import settings

FORMAT = "%(asctime)s %(levelname)s %(name)s [pid %(process)d]: %(message)s"


class StderrHandler(logging.StreamHandler):
    """A handler that writes to whatever sys.stderr is at the time of each record (tests swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass  # Always the current sys.stderr.


def configure(level: str | None = None) -> logging.Logger:
    """Set up the "fmnist" logger once per process (calling it again changes nothing but the level)."""
    logger = logging.getLogger("fmnist")
    name = (level or settings.log_level()).upper()
    logger.setLevel(getattr(logging, name, logging.INFO))
    if not any(isinstance(handler, StderrHandler) for handler in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
    return logger
