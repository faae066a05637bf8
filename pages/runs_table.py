"""The Runs page's table of every run: search and filters above it, only the settings that differ among the selected
runs, and the filtered runs as CSV and JSON downloads.

`build_frame` is a plain function of rows and a selection (no widgets), so tests can check what the table hides.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from fmnist.model.config import STATUSES
from fmnist.runs import groups, owners, table, table_export, table_query
from pages import i18n
from pages.identity import owner_labeller
from pages.navigation import t

UNREADABLE = "unreadable"
# The table's columns in display order, each with the key of its header's words.
HEADERS = {
    "run": "run", "model": "model", "network": "network", "parameters": "parameters_short", "status": "status",
    "test_accuracy": "test_accuracy", "vs_accuracy": "runs_vs_accuracy", "test_loss": "test_loss",
    "train_seconds": "train_seconds", "vs_time": "runs_vs_time", "epochs_run": "epochs_run", "epochs": "epochs",
    "batch_size": "batch_size", "learning_rate": "learning_rate", "optimizer": "optimizer", "schedule": "schedule",
    "dropout": "dropout", "augment": "augment_short", "early_stopping": "early_stopping_short",
    "label_smoothing": "label_smoothing_short", "images": "subset", "seed": "seed", "created": "runs_created",
    "source": "source", "started_by": "started_by", "group": "runs_group", "error": "runs_error",
}  # fmt: skip
VERSUS = ("vs_accuracy", "vs_time")  # Shown only against a baseline.
# The columns of a group of runs ("Group by settings"): its size and seeds, mean ± sd of the results (beside the
# baseline's), then the settings.
GROUP_HEADERS = {
    "run": "run", "n": "runs_n", "seeds": "runs_seeds", "test_accuracy": "runs_accuracy_mean", "vs_accuracy": "runs_vs_accuracy",
    "train_seconds": "runs_seconds_mean", "vs_time": "runs_vs_time", "test_loss": "runs_loss_mean", "model": "model",
    "network": "network", "parameters": "parameters_short", "status": "status", "epochs": "epochs", "batch_size": "batch_size",
    "learning_rate": "learning_rate", "optimizer": "optimizer", "schedule": "schedule", "dropout": "dropout",
    "augment": "augment_short", "early_stopping": "early_stopping_short", "label_smoothing": "label_smoothing_short",
    "images": "subset",
}  # fmt: skip
HIGHLIGHT = "background-color: #fff3b0"  # The differing cells of the selected rows.


def selectable(row: dict) -> bool:
    """Whether a row's run can be compared: an unreadable folder has no config nor curves to show."""
    return row.get("status") != UNREADABLE


def build_frame(rows: list[dict], selected: list[str], only_differs: bool) -> tuple[pd.DataFrame, list[str]]:
    """The table of `rows` (columns named by row keys, in HEADERS order) and the settings that differ among the
    `selected` run ids; with `only_differs` and two or more selected, the settings they all share are left out."""
    chosen = [row for row in rows if row["run"] in selected and selectable(row)]
    differing = table_query.differing(chosen) if len(chosen) >= 2 else []
    columns = list(HEADERS)
    if only_differs and len(chosen) >= 2:
        columns = [c for c in columns if c not in table.SETTINGS or c in differing]
    if not any("vs_accuracy" in row for row in rows):
        columns = [c for c in columns if c not in VERSUS]
    frame = pd.DataFrame(rows, columns=list(HEADERS))[columns]
    # True types, so that st.dataframe's own sorting orders numbers as numbers and times as times.
    for column in ("parameters", "epochs_run", "epochs", "batch_size", "images", "seed"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    for column in ("learning_rate", "dropout", "label_smoothing", "train_seconds", "test_accuracy", "test_loss"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["created"] = pd.to_datetime(pd.to_numeric(frame["created"], errors="coerce"), unit="s")
    return frame, differing


def build_group_frame(
    grouped: list[dict], selected: list[str] = (), only_differs: bool = False
) -> tuple[pd.DataFrame, list[str]]:
    """The table of groups (fmnist.runs.groups.group_rows): results as "mean ± sd" texts, in GROUP_HEADERS order,
    and the settings that differ among the `selected` groups (by their first run); with `only_differs` and two or
    more selected, the settings they all share are left out, as in build_frame."""
    chosen = [row for row in grouped if row["run"] in selected and selectable(row)]
    differing = [c for c in table_query.differing(chosen) if c in GROUP_HEADERS] if len(chosen) >= 2 else []
    columns = [c for c in GROUP_HEADERS if c not in VERSUS or any(c in row for row in grouped)]
    if only_differs and len(chosen) >= 2:
        columns = [c for c in columns if c not in table.SETTINGS or c in differing]
    frame = pd.DataFrame(grouped, columns=list(GROUP_HEADERS))[columns]
    for key, digits in (("test_accuracy", 4), ("test_loss", 4), ("train_seconds", 1)):
        frame[key] = [groups.mean_sd_text(row.get(key), row.get(f"{key}_sd"), digits) for row in grouped]
    for column in ("n", "parameters", "epochs", "batch_size", "images"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    return frame, differing


def members(row: dict) -> list[str]:
    """The runs of a table row: a group's runs, or the row's own run."""
    return list(row.get("runs") or [row["run"]])


def status_text(status: str) -> str:
    key = f"status_{status}"
    return t(key) if key in i18n.STRINGS["en"] else str(status)


def source_text(source: str) -> str:
    key = f"runs_source_{source}"
    return t(key) if key in i18n.STRINGS["en"] else str(source or "–")


def filters_changed() -> None:
    # A new table, since the selection is kept as row positions; the runs still shown stay selected (table_ui).
    st.session_state.runs_table_version = st.session_state.get("runs_table_version", 0) + 1


def owner_names(rows: list[dict]) -> dict[str, str]:
    """Each owner of `rows` (newest first) with its label: "you", "the command line", or the name they last gave;
    two owners who gave the same name are told apart by the start of their (pseudonymous) owner id."""
    named, label_of = {}, owner_labeller()
    for row in rows:
        if row.get("owner") and row["owner"] not in named:
            named[row["owner"]] = label_of(row["owner"], row.get("started_by") or "")
    counts = {label: list(named.values()).count(label) for label in named.values()}
    short = {owner: owner.removeprefix(owners.LEARNER)[:6] for owner in named}
    return {owner: label if counts[label] == 1 else f"{label} · {short[owner]}" for owner, label in named.items()}


# The search box and the filters on model, status, source, who started the run and date; returns the rows that match.
def filters_ui(rows: list[dict]) -> list[dict]:
    query = st.text_input(t("runs_search"), placeholder=t("runs_search_placeholder"), key="runs_query", on_change=filters_changed)
    columns = st.columns(5)
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
    labels = owner_names(rows)
    chosen_owners = columns[3].multiselect(
        t("started_by"), list(labels), format_func=labels.get, key="runs_owners", on_change=filters_changed,
        placeholder=t("runs_any"),
    )  # fmt: skip
    dates = columns[4].date_input(
        t("runs_created"), value=[], key="runs_dates", on_change=filters_changed, help=t("runs_dates_help")
    )
    since = dates[0] if len(dates) >= 1 else None
    until = dates[1] if len(dates) == 2 else since
    if isinstance(dates, dt.date):  # A single date, should the widget ever return one.
        since = until = dates
    return table_query.filter_rows(
        rows, query=query, models=models, statuses=chosen_statuses, sources=sources, since=since, until=until,
        owners=chosen_owners,
    )  # fmt: skip


# The table of the filtered runs, each row or, grouped by settings, each group; returns the runs of every selected row
# that can be compared (one list per row). Against a baseline, each row shows its accuracy and time beside it.
def table_ui(rows: list[dict], total: int, baseline: dict | None = None) -> list[list[str]]:
    toggles = st.columns(2)
    only_differs = toggles[0].toggle(
        t("runs_only_differs"), value=True, key="runs_only_differs", help=t("runs_only_differs_help")
    )
    grouped = toggles[1].toggle(t("runs_group_by"), key="runs_group_by", help=t("runs_group_by_help"))
    version = st.session_state.setdefault("runs_table_version", 0)
    if grouped:
        shown, key = groups.group_rows(rows), f"runs_groups_{version}"
    else:
        shown, key = rows, f"runs_table_{version}"
    shown = groups.with_versus(shown, baseline)
    remembered = set(st.session_state.get("runs_selected", []))
    default = [i for i, row in enumerate(shown) if remembered & set(members(row))]
    state = st.session_state.get(key)
    positions = list(state["selection"]["rows"]) if state else default
    selected = [shown[i]["run"] for i in positions if i < len(shown) and selectable(shown[i])]
    if grouped:
        frame, differing = build_group_frame(shown, selected, only_differs)
        headers = GROUP_HEADERS
    else:
        frame, differing = build_frame(shown, selected, only_differs)
        headers = HEADERS
        frame["source"] = [source_text(s) if isinstance(s, str) and s else None for s in frame["source"]]
        # Who started each run, as plain text ("you", a learner's name): never the owner id itself.
        label_of = owner_labeller()
        frame["started_by"] = [label_of(r["owner"], r["started_by"] or "") if r.get("owner") else None for r in shown]
    frame["status"] = [status_text(s) for s in frame["status"]]
    for column in VERSUS:  # The baseline's own row says so, in the chosen language.
        if column in frame:
            frame[column] = frame[column].replace(groups.BASELINE, t("runs_kind_baseline"))
    data = frame.rename(columns={c: t(h) for c, h in headers.items()})
    if differing:
        marked = {t(headers[c]) for c in differing if c in frame}
        chosen = {i for i, row in enumerate(shown) if row["run"] in selected}

        def highlight(table_shown: pd.DataFrame) -> pd.DataFrame:
            return pd.DataFrame(
                [[HIGHLIGHT if i in chosen and c in marked else "" for c in table_shown.columns] for i in range(len(table_shown))],
                index=table_shown.index, columns=table_shown.columns,
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
            t("test_loss"): st.column_config.NumberColumn(format="%.4f"),
            t("train_seconds"): st.column_config.NumberColumn(format="%.1f"),
            t("runs_created"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )
    picked = [shown[i] for i in state.selection.rows if i < len(shown) and selectable(shown[i])]
    st.session_state.runs_selected = [run for row in picked for run in members(row)]
    caption = t("runs_shown", shown=len(rows), total=total) + " " + t("runs_select_hint")
    if grouped:
        caption = t("runs_groups_shown", groups=len(shown), shown=len(rows), total=total) + " " + t("runs_select_hint")
    if any(not selectable(shown[i]) for i in state.selection.rows if i < len(shown)):
        caption += " " + t("runs_unreadable_skipped")
    st.caption(caption)
    return [members(row) for row in picked]


# Pin one run as the baseline, kept in the URL (?baseline=<id>); returns its row, or None. A baseline that cannot
# serve (deleted, damaged, not scored yet) gets a note, and the page goes on without one.
def baseline_ui(rows: list[dict]) -> dict | None:
    # The URL names the baseline; a switch of pages drops the URL's query, so the session keeps it too.
    wanted = st.query_params.get("baseline") or st.session_state.get("runs_baseline_kept")
    baseline, problem = groups.find_baseline(rows, wanted)
    if wanted:
        st.query_params["baseline"] = wanted
    if problem:
        st.warning(t(f"runs_baseline_{problem}", run=wanted), icon=":material/push_pin:")
    scored = [row for row in rows if groups.find_baseline([row], row["run"])[0] is not None]
    labels = {row["run"]: f"{row['run']} · {row['model']} · {row['test_accuracy']:.4f}" for row in scored}
    st.session_state.runs_baseline = baseline["run"] if baseline else None  # The URL decides, before the widget.

    def pinned() -> None:
        st.session_state.runs_baseline_kept = st.session_state.runs_baseline
        if st.session_state.runs_baseline:
            st.query_params["baseline"] = st.session_state.runs_baseline
        else:
            st.query_params.pop("baseline", None)

    st.selectbox(
        t("runs_baseline"), [None, *labels], format_func=lambda run: labels.get(run, t("runs_baseline_none")),
        key="runs_baseline", on_change=pinned, help=t("runs_baseline_help"), placeholder=t("runs_baseline_none"),
    )  # fmt: skip
    return baseline


# The filtered runs (all of them when nothing is filtered) as one CSV and one JSON file.
def downloads_ui(rows: list[dict]) -> None:
    stem = f"fmnist-runs-{dt.date.today():%Y%m%d}"
    left, right = st.columns(2)
    left.download_button(
        t("runs_download_csv"), lambda: table_export.to_csv(rows), file_name=f"{stem}.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="runs_csv",
    )  # fmt: skip
    right.download_button(
        t("runs_download_json"), lambda: table_export.to_json(rows), file_name=f"{stem}.json", mime="application/json",
        icon=":material/download:", on_click="ignore", key="runs_json",
    )  # fmt: skip
