"""The project's folders and the FMNIST_* environment variables, read in one place."""

from __future__ import annotations

from pathlib import Path

# The repository's root: assets/, the default runs/ and models/ folders live under it.
PROJECT_DIR = Path(__file__).resolve().parent.parent
