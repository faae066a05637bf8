"""The Runs page's table of every run: search and filters above it, only the settings that differ among the selected
runs, and the filtered runs as CSV and JSON downloads.

`build_frame` is a plain function of rows and a selection (no widgets), so tests can check what the table hides.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from fmnist.model.config import STATUSES
from fmnist.runs import table
from pages import i18n
from pages.navigation import t

UNREADABLE = "unreadable"
# The table's columns in display order, each with the key of its header's words.
HEADERS = {
    "run": "run", "model": "model", "network": "network", "parameters": "parameters_short", "status": "status",
    "epochs_run": "epochs_run", "epochs": "epochs", "batch_size": "batch_size", "learning_rate": "learning_rate",
    "optimizer": "optimizer", "schedule": "schedule", "dropout": "dropout", "augment": "augment_short",
    "early_stopping": "early_stopping_short", "label_smoothing": "label_smoothing_short", "images": "subset",
    "seed": "seed", "train_seconds": "train_seconds", "test_accuracy": "test_accuracy", "created": "runs_created",
    "source": "source", "error": "runs_error",
}  # fmt: skip
HIGHLIGHT = "background-color: #fff3b0"  # The differing cells of the selected rows.


def selectable(row: dict) -> bool:
    """Whether a row's run can be compared: an unreadable folder has no config nor curves to show."""
    return row.get("status") != UNREADABLE


def build_frame(rows: list[dict], selected: list[str], only_differs: bool) -> tuple[pd.DataFrame, list[str]]:
    """The table of `rows` (columns named by row keys, in HEADERS order) and the settings that differ among the
    `selected` run ids; with `only_differs` and two or more selected, the settings they all share are left out."""
    chosen = [row for row in rows if row["run"] in selected and selectable(row)]
    differing = table.differing(chosen) if len(chosen) >= 2 else []
    columns = list(HEADERS)
    if only_differs and len(chosen) >= 2:
        columns = [c for c in columns if c not in table.SETTINGS or c in differing]
    frame = pd.DataFrame(rows, columns=list(HEADERS))[columns]
    # True types, so that st.dataframe's own sorting orders numbers as numbers and times as times.
    for column in ("parameters", "epochs_run", "epochs", "batch_size", "images", "seed"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    for column in ("learning_rate", "dropout", "label_smoothing", "train_seconds", "test_accuracy"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["created"] = pd.to_datetime(pd.to_numeric(frame["created"], errors="coerce"), unit="s")
    return frame, differing


def status_text(status: str) -> str:
    key = f"status_{status}"
    return t(key) if key in i18n.STRINGS["en"] else str(status)


def source_text(source: str) -> str:
    key = f"runs_source_{source}"
    return t(key) if key in i18n.STRINGS["en"] else str(source or "–")


def filters_changed() -> None:
    # A new table, since the selection is kept as row positions; the runs still shown stay selected (table_ui).
    st.session_state.runs_table_version = st.session_state.get("runs_table_version", 0) + 1


# The search box and the filters on model, status, source and date; returns the rows that match.
def filters_ui(rows: list[dict]) -> list[dict]:
    query = st.text_input(t("runs_search"), placeholder=t("runs_search_placeholder"), key="runs_query", on_change=filters_changed)
    columns = st.columns(4)
    present = {row["status"] for row in rows}
    statuses = [s for s in (*STATUSES, UNREADABLE) if s in present]
    models = columns[0].multiselect(
        t("model"), sorted({r["model"] for r in rows if r["model"]}), key="runs_models", on_change=filters_changed,
        placeholder=t("runs_any"),
    )  # fmt: skip
    chosen_statuses = columns[1].multiselect(
        t("status"), statuses, format_func=status_text, key="runs_statuses", on_change=filters_changed,
        placeholder=t("runs_any"),
    )  # fmt: skip
    sources = columns[2].multiselect(
        t("source"), sorted({r["source"] for r in rows if r["source"]}), format_func=source_text, key="runs_sources",
        on_change=filters_changed, placeholder=t("runs_any"),
    )  # fmt: skip
    dates = columns[3].date_input(
        t("runs_created"), value=[], key="runs_dates", on_change=filters_changed, help=t("runs_dates_help")
    )
    since = dates[0] if len(dates) >= 1 else None
    until = dates[1] if len(dates) == 2 else since
    if isinstance(dates, dt.date):  # A single date, should the widget ever return one.
        since = until = dates
    return table.filter_rows(
        rows, query=query, models=models, statuses=chosen_statuses, sources=sources, since=since, until=until
    )


# The table of the filtered runs; returns the ids of the selected rows that can be compared.
def table_ui(rows: list[dict], total: int) -> list[str]:
    key = f"runs_table_{st.session_state.setdefault('runs_table_version', 0)}"
    remembered = st.session_state.get("runs_selected", [])
    default = [i for i, row in enumerate(rows) if row["run"] in remembered]
    state = st.session_state.get(key)
    positions = list(state["selection"]["rows"]) if state else default
    selected = [rows[i]["run"] for i in positions if i < len(rows) and selectable(rows[i])]
    only_differs = st.toggle(t("runs_only_differs"), value=True, key="runs_only_differs", help=t("runs_only_differs_help"))
    frame, differing = build_frame(rows, selected, only_differs)
    frame["status"] = [status_text(s) for s in frame["status"]]
    frame["source"] = [source_text(s) if isinstance(s, str) and s else None for s in frame["source"]]
    data = frame.rename(columns={c: t(h) for c, h in HEADERS.items()})
    if differing:
        marked = {t(HEADERS[c]) for c in differing if c in frame}
        chosen = {i for i, row in enumerate(rows) if row["run"] in selected}

        def highlight(shown: pd.DataFrame) -> pd.DataFrame:
            return pd.DataFrame(
                [[HIGHLIGHT if i in chosen and c in marked else "" for c in shown.columns] for i in range(len(shown))],
                index=shown.index, columns=shown.columns,
            )  # fmt: skip

        data = data.style.apply(highlight, axis=None)
    state = st.dataframe(
        data,
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        key=key,
        placeholder="–",
        selection_default={"selection": {"rows": default, "columns": []}} if default else None,
        column_config={
            t("test_accuracy"): st.column_config.NumberColumn(format="%.4f"),
            t("train_seconds"): st.column_config.NumberColumn(format="%.1f"),
            t("runs_created"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )
    selected = [rows[i]["run"] for i in state.selection.rows if i < len(rows) and selectable(rows[i])]
    st.session_state.runs_selected = selected
    caption = t("runs_shown", shown=len(rows), total=total) + " " + t("runs_select_hint")
    if any(not selectable(rows[i]) for i in state.selection.rows if i < len(rows)):
        caption += " " + t("runs_unreadable_skipped")
    st.caption(caption)
    return selected


# The filtered runs (all of them when nothing is filtered) as one CSV and one JSON file.
def downloads_ui(rows: list[dict]) -> None:
    stem = f"fmnist-runs-{dt.date.today():%Y%m%d}"
    left, right = st.columns(2)
    left.download_button(
        t("runs_download_csv"), lambda: table.to_csv(rows), file_name=f"{stem}.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="runs_csv",
    )  # fmt: skip
    right.download_button(
        t("runs_download_json"), lambda: table.to_json(rows), file_name=f"{stem}.json", mime="application/json",
        icon=":material/download:", on_click="ignore", key="runs_json",
    )  # fmt: skip
