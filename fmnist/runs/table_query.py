"""What the runs page asks of the table's rows (fmnist.runs.table): the settings that differ, the search and the
filters. Plain rows in, plain rows out; nothing is read from disk here."""

from __future__ import annotations

import datetime
import math

from fmnist.runs.table import SETTINGS, UNREADABLE

SEARCHED = (*SETTINGS, "started_by")  # What the search box looks in, beside the run id.


def differing(rows: list[dict], keys=SETTINGS) -> list[str]:
    """The settings among `keys` (order kept) whose values are not all equal among the readable `rows`."""
    readable = [r for r in rows if r.get("status") != UNREADABLE]
    return [key for key in keys if len({_text(r.get(key)) for r in readable}) > 1]


def _text(value) -> str:
    """A value as a person searches or compares it: "" for None, "128" for 128, "0.001" for 1e-3."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if value == value else "nan"
    return str(value)


def created_date(row: dict) -> datetime.date | None:
    """The UTC day a run was created (run ids are UTC times too), or None."""
    created = row.get("created")
    if not isinstance(created, (int, float)) or not math.isfinite(created):
        return None
    try:
        return datetime.datetime.fromtimestamp(created, datetime.UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def filter_rows(rows: list[dict], query: str = "", models=(), statuses=(), sources=(), since=None, until=None,
                owners=()) -> list[dict]:  # fmt: skip
    """The rows that pass every filter given (an empty one passes all), order kept.

    query: a case-insensitive piece of the run id, of any setting's text or of the learner's name; models,
    statuses, sources, owners: the values allowed; since, until: datetime.date bounds (inclusive) on the UTC day
    the run was created. An unreadable row has no settings: only the query (on its id) and the statuses judge it.
    """
    needle = (query or "").strip().lower()
    models, statuses, sources, owners = set(models or ()), set(statuses or ()), set(sources or ()), set(owners or ())
    kept = []
    for r in rows:
        if statuses and r.get("status") not in statuses:
            continue
        if needle and needle not in r["run"].lower() and not any(needle in _text(r.get(key)).lower() for key in SEARCHED):
            continue
        if r.get("status") != UNREADABLE:
            if (models and r.get("model") not in models) or (sources and r.get("source") not in sources):
                continue
            if owners and r.get("owner") not in owners:
                continue
            if since is not None or until is not None:
                day = created_date(r)
                if day is None or (since is not None and day < since) or (until is not None and day > until):
                    continue
        kept.append(r)
    return kept
