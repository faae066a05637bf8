"""Runs: every training run kept, compared side by side, explained as code and taken away."""

import pandas as pd
import streamlit as st

from fmnist.charts import vega
from fmnist.export import codegen, formats
from fmnist.runs import compare, owners, store, table
from pages.identity import current_actor, may_manage, owner_label, queue_ui
from pages.navigation import class_names, t
from pages.resources import job_manager
from pages.runs_table import baseline_ui, downloads_ui, filters_ui, selectable, table_ui

st.title(t("runs_title"))
st.markdown(t("runs_intro"))


@st.cache_data(max_entries=32, show_spinner=False)
def export_bytes(run_id: str, format: str) -> bytes:
    """A run's model exported in `format` (made once per run and format, when a download is asked for)."""
    return formats.to_bytes(compare.load_model(run_id), format)


# Shows test accuracy against training time for every evaluated run, beside people, the tutorial and the best run.
def scatter_ui(rows: list[dict], selected: list[str]) -> None:
    scored = [{**r, "selected": r["run"] in selected} for r in rows if r["test_accuracy"] is not None and r["train_seconds"]]
    if not scored:
        st.info(t("runs_no_scores"))
        return
    references = [{"label": t("human_accuracy"), "accuracy": compare.HUMAN_ACCURACY}]
    best = compare.best(rows)
    references.append({"label": t("best_run", run=best["run"]), "accuracy": best["test_accuracy"]})
    tutorial = compare.tutorial_baseline()
    if tutorial:
        references.append({"label": t("tutorial_recipe"), "accuracy": tutorial["test_accuracy"]})
    titles = {
        field: t(field)
        for field in ("run", "model", "epochs_run", "batch_size", "learning_rate", "test_accuracy", "train_seconds")
    }
    spec = vega.accuracy_time(scored, references, tutorial_seconds=tutorial["train_seconds"] if tutorial else None, titles=titles)
    st.vega_lite_chart(spec, width="stretch")
    st.caption(
        t(
            "scatter_caption",
            human=f"{compare.HUMAN_ACCURACY:.1%}",
            tutorial=f"{tutorial['test_accuracy']:.2%}" if tutorial else "–",
        )
    )


# The lines and bands of one metric: each selected run, each selected group's mean with its mean ± sd band, and the
# baseline's run, dashed, whatever else is selected. Histories are read for these runs only.
def curve_rows(items: list[list[str]], baseline: dict | None, metric: str, by: str) -> tuple[list[dict], list[dict]]:
    series = {"train": t("series_train"), "validation": t("series_validation")}
    lines, bands = [], []
    shown = [runs for runs in items if not (baseline and runs == [baseline["run"]])]
    if baseline:
        shown.append([baseline["run"]])
    for runs in shown:
        is_baseline = bool(baseline) and runs == [baseline["run"]]
        if len(runs) == 1:
            label = t("runs_baseline_label", run=runs[0]) if is_baseline else runs[0]
            points = compare.overlay(runs, metric, by)
        else:
            label = t("runs_group_label", run=runs[0], n=len(runs))
            points = compare.group_overlay(runs, metric, by)
            bands += [
                {"label": label, "x": p["x"], "low": p["low"], "high": p["high"], "series": series[p["series"]]} for p in points
            ]
        lines += [{"label": label, "x": p["x"], "value": p["value"], "series": series[p["series"]], "baseline": is_baseline}
                  for p in points]  # fmt: skip
    return lines, bands


# Overlays the loss and accuracy curves of the selected runs and groups, by step or by epoch, and their accuracy per class.
def compare_ui(items: list[list[str]], baseline: dict | None) -> None:
    st.subheader(t("compare"))
    by = st.radio(t("compare_by"), ("step", "epoch"), format_func=lambda v: t(f"by_{v}"), horizontal=True, key="compare_by")
    titles = {"run": t("run"), "kind": t("runs_line_kind"), "series": t("runs_series"), "run_kind": t("runs_kind_run"),
              "baseline_kind": t("runs_kind_baseline"), "train": t("series_train"), "validation": t("series_validation")}  # fmt: skip
    for column, metric in zip(st.columns(2), ("loss", "accuracy"), strict=True):
        lines, bands = curve_rows(items, baseline, metric, by)
        column.markdown(f"**{t(metric)}**")
        if not lines:
            column.caption(t("no_data_yet"))
            continue
        spec = vega.run_curves(
            lines, bands, x_title=t(f"by_{by}"), y_title=t(metric), titles=titles, points=by == "epoch", height=300
        )
        column.vega_lite_chart(spec, width="stretch")
    if any(len(runs) > 1 for runs in items):
        st.caption(t("runs_band_caption"))
    singles = [runs[0] for runs in items if len(runs) == 1]
    per_class = pd.DataFrame(compare.per_class(singles))
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
    owner, owner_name = store.get(run_id).owner()
    st.text(f"{t('started_by')}: {owner_label(owner, owner_name)}")  # A learner's name is untrusted: plain text only.
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
    if may_manage(owner):  # Someone else's run: read-only here (the runs store refuses a forged delete too).
        delete_ui(run_id)
    else:
        st.caption(t("read_only"))


# Lets the user delete a run after confirming it.
def delete_ui(run_id: str) -> None:
    with st.popover(t("delete_run"), icon=":material/delete:"):
        st.warning(t("delete_confirm", run=run_id))
        if st.button(t("delete_yes"), type="primary", key=f"delete_{run_id}"):
            try:
                compare.delete(run_id, actor=current_actor())
            except owners.NotAllowed:
                st.error(t("not_allowed"), icon=":material/block:")
            except (store.RunsError, compare.ExperimentsError) as error:
                st.error(str(error))
            else:
                st.toast(t("deleted", run=run_id))
                st.session_state.runs_table_version += 1  # A new table: the old selection pointed at this run.
                st.rerun()


queue_ui(job_manager())
rows = table.rows()  # Settings and final figures only: no run's history is read for the table.
if not rows:
    st.info(t("runs_none"))
    st.stop()
baseline = baseline_ui(rows)
shown = filters_ui(rows)
items = table_ui(shown, len(rows), baseline)
selected = [run for runs in items for run in runs]
downloads_ui(shown)
scatter_ui([r for r in shown if selectable(r)], selected)
if items:
    compare_ui(items, baseline)  # Curves and per-class accuracy are read for the selected runs (and the baseline) only.
if len(selected) == 1:
    run_tools_ui(next(r for r in rows if r["run"] == selected[0]))
elif not selected:
    st.caption(t("runs_pick_one"))
