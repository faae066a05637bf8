"""Runs: every training run kept, compared side by side, explained as code and taken away."""

import altair as alt
import pandas as pd
import streamlit as st

from fmnist.export import codegen, formats
from fmnist.runs import compare, store
from pages.display import format_seconds
from pages.navigation import class_names, t

st.title(t("runs_title"))
st.markdown(t("runs_intro"))


@st.cache_data(max_entries=32, show_spinner=False)
def export_bytes(run_id: str, format: str) -> bytes:
    """A run's model exported in `format` (made once per run and format, when a download is asked for)."""
    return formats.to_bytes(compare.load_model(run_id), format)


# Lets the user pick runs in the table of every run; returns the ids of the selected rows.
def table_ui(rows: list[dict]) -> list[str]:
    frame = pd.DataFrame(rows)
    frame["train_time"] = [format_seconds(s) if s else "–" for s in frame["train_seconds"]]
    frame["status"] = [t(f"status_{s}") for s in frame["status"]]
    columns = {
        "run": t("run"), "model": t("model"), "network": t("network"), "parameters": t("parameters_short"),
        "status": t("status"), "epochs_run": t("epochs_run"), "epochs": t("epochs"), "batch_size": t("batch_size"), "learning_rate": t("learning_rate"), "optimizer": t("optimizer"),
        "dropout": t("dropout"), "augment": t("augment_short"), "early_stopping": t("early_stopping_short"), "label_smoothing": t("label_smoothing_short"), "images": t("subset"), "train_time": t("train_time"), "test_accuracy": t("test_accuracy"), "source": t("source"),
    }  # fmt: skip
    state = st.dataframe(
        frame[list(columns)].rename(columns=columns),
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        key=f"runs_table_{st.session_state.setdefault('runs_table_version', 0)}",
        column_config={t("test_accuracy"): st.column_config.NumberColumn(format="%.4f")},
    )
    st.caption(t("runs_select_hint"))
    return [rows[i]["run"] for i in state.selection.rows if i < len(rows)]


# Shows test accuracy against training time for every evaluated run, beside people, the tutorial and the best run.
def scatter_ui(rows: list[dict], selected: list[str]) -> None:
    scored = pd.DataFrame([r for r in rows if r["test_accuracy"] is not None and r["train_seconds"]])
    if scored.empty:
        st.info(t("runs_no_scores"))
        return
    scored["selected"] = scored["run"].isin(selected)
    points = (
        alt.Chart(scored)
        .mark_circle(size=90)
        .encode(
            x=alt.X("train_seconds:Q", title=t("train_seconds"), scale=alt.Scale(zero=False)),
            y=alt.Y("test_accuracy:Q", title=t("test_accuracy"), scale=alt.Scale(zero=False)),
            color=alt.Color("model:N", title=t("model")),
            stroke=alt.condition("datum.selected", alt.value("black"), alt.value(None)),
            tooltip=[
                "run",
                "model",
                "epochs_run",
                "batch_size",
                "learning_rate",
                alt.Tooltip("test_accuracy:Q", format=".4f"),
                "train_seconds",
            ],
        )
    )
    references = [{"label": t("human_accuracy"), "accuracy": compare.HUMAN_ACCURACY}]
    best = compare.best(rows)
    references.append({"label": t("best_run", run=best["run"]), "accuracy": best["test_accuracy"]})
    tutorial = compare.tutorial_baseline()
    layers = [points]
    if tutorial:
        references.append({"label": t("tutorial_recipe"), "accuracy": tutorial["test_accuracy"]})
        layers.append(alt.Chart(pd.DataFrame([tutorial])).mark_rule(strokeDash=[2, 2], color="grey").encode(x="train_seconds:Q"))
    lines = (
        alt.Chart(pd.DataFrame(references))
        .mark_rule(strokeDash=[6, 4])
        .encode(y="accuracy:Q", color=alt.Color("label:N", title=None, scale=alt.Scale(scheme="set1")))
    )
    st.altair_chart(alt.layer(*layers, lines).resolve_scale(color="independent").properties(height=320), width="stretch")
    st.caption(
        t(
            "scatter_caption",
            human=f"{compare.HUMAN_ACCURACY:.1%}",
            tutorial=f"{tutorial['test_accuracy']:.2%}" if tutorial else "–",
        )
    )


# Overlays the loss and accuracy curves of the selected runs, by step or by epoch, and their accuracy per class.
def compare_ui(selected: list[str]) -> None:
    st.subheader(t("compare"))
    by = st.radio(t("compare_by"), ("step", "epoch"), format_func=lambda v: t(f"by_{v}"), horizontal=True, key="compare_by")
    for column, metric in zip(st.columns(2), ("loss", "accuracy"), strict=True):
        frame = pd.DataFrame(compare.overlay(selected, metric, by))
        column.markdown(f"**{t(metric)}**")
        if frame.empty:
            column.caption(t("no_data_yet"))
            continue
        chart = alt.Chart(frame).mark_line(point=by == "epoch").encode(
            x=alt.X("x:Q", title=t(f"by_{by}")), y=alt.Y("value:Q", title=t(metric), scale=alt.Scale(zero=False)),
            color=alt.Color("run:N", title=t("run")), strokeDash=alt.StrokeDash("series:N", title=None),
        )  # fmt: skip
        column.altair_chart(chart.properties(height=260), width="stretch")
    per_class = pd.DataFrame(compare.per_class(selected))
    if not per_class.empty:
        names = class_names()
        table = per_class.pivot(index="class_id", columns="run", values="accuracy")
        table.index = [names[i] for i in table.index]
        st.markdown(f"**{t('per_class_title')}**")
        styled = table.style.format("{:.1%}")
        if len(table.columns) > 1:
            styled = styled.highlight_max(axis=1, color="#c7e9c0")
        st.dataframe(styled, width="stretch")


# For one run: open it on the Train page, read and download its code, download its model, or delete it.
def run_tools_ui(row: dict) -> None:
    run_id = row["run"]
    st.subheader(t("run_tools", run=run_id))
    st.page_link("pages/train.py", label=t("open_in_train"), icon=":material/model_training:", query_params={"run": run_id})
    config = store.get(run_id).config().resolved()
    script = codegen.script(config, origin=f"Generated by Fashion-MNIST Studio from run {run_id}.", filename=f"train_{run_id}.py")
    with st.expander(t("show_code"), icon=":material/code:"):
        st.caption(t("code_caption"))
        st.code(script, language="python", line_numbers=True)
    row_buttons = st.columns(4)
    row_buttons[0].download_button(
        t("download_code"), script, file_name=f"train_{run_id}.py", mime="text/x-python", icon=":material/download:"
    )
    if row["status"] in ("finished", "stopped"):
        for column, format in zip(row_buttons[1:], formats.FORMATS, strict=True):
            column.download_button(
                t(f"download_{format}"), lambda f=format: export_bytes(run_id, f), file_name=f"{run_id}{formats.SUFFIXES[format]}",
                mime="application/octet-stream", icon=":material/download:", on_click="ignore",
            )  # fmt: skip
    delete_ui(run_id)


# Lets the user delete a run after confirming it.
def delete_ui(run_id: str) -> None:
    with st.popover(t("delete_run"), icon=":material/delete:"):
        st.warning(t("delete_confirm", run=run_id))
        if st.button(t("delete_yes"), type="primary", key=f"delete_{run_id}"):
            try:
                compare.delete(run_id)
            except (store.RunsError, compare.ExperimentsError) as error:
                st.error(str(error))
            else:
                st.toast(t("deleted", run=run_id))
                st.session_state.runs_table_version += 1  # A new table: the old selection pointed at this run.
                st.rerun()


rows = compare.table()
if not rows:
    st.info(t("runs_none"))
    st.stop()
selected = table_ui(rows)
scatter_ui(rows, selected)
if selected:
    compare_ui(selected)
if len(selected) == 1:
    run_tools_ui(next(r for r in rows if r["run"] == selected[0]))
elif not selected:
    st.caption(t("runs_pick_one"))
