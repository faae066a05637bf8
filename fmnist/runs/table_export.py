"""The runs table's rows (fmnist.runs.table) taken away: CSV and JSON text, both in COLUMNS order.

What the /runs page's downloads and `python -m fmnist runs --csv / --json` print.
"""

from __future__ import annotations

import csv
import io
import json
import math

from fmnist.runs.table import COLUMNS


def _plain(value):
    """A value JSON can hold: a number that is not finite becomes None."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def to_csv(rows: list[dict]) -> str:
    """The rows as CSV text: a header of COLUMNS, then one line per row; None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow(["" if _plain(r.get(key)) is None else r.get(key) for key in COLUMNS])
    return out.getvalue()


def to_json(rows: list[dict]) -> str:
    """The rows as one line of JSON: a list of objects with COLUMNS in that order; None is null."""
    return json.dumps([{key: _plain(r.get(key)) for key in COLUMNS} for r in rows], ensure_ascii=False)
