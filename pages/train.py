"""Train: the tutorial's build, compile, fit and evaluate steps, with live progress, Stop, Pause and a queue.

Every run trains in a child process of the server's job manager and is named in this page's URL
(?run=<id>), so a reload, another tab or a shared link shows it again.
"""

import math

import pandas as pd
import streamlit as st

from fmnist.export import snippets_train
from fmnist.model.config import TrainConfig
from fmnist.runs import curves, jobs, owners, store
from pages import train_epochs
from pages.attached_run import attached_run_id, run_view
from pages.code_view import show_code
from pages.display import format_seconds
from pages.identity import current_actor, may_manage, owner_label, queue_ui
from pages.navigation import language, t
from pages.resources import job_manager
from pages.train_form import config_ui, current_config, describe_network
from pages.train_results import evaluation_of, outcome_ui, prediction_grid_ui, save_ui, scores_ui
from pages.train_seeds import seeds_note_ui, start_seeds

CHARTS_EVERY = 2.0  # seconds between two redraws of the live curves and grid (the progress: every second)

st.title(t("train_title"))
st.markdown(t("train_intro"))


def start(config: TrainConfig) -> None:
    """Queue a run for this session and name it in the URL; a full queue or a bad setting becomes a message."""
    try:
        run_id = job_manager().submit(config, source="page", owner=current_actor())
    except jobs.TooManyRuns as error:
        st.warning(t("too_many_runs", limit=error.limit), icon=":material/hourglass_top:")
        return
    except jobs.QueueFull:
        st.warning(t("queue_full", count=job_manager().max_queue), icon=":material/hourglass_top:")
        return
    except (ValueError, store.RunsError) as error:
        st.error(str(error))
        return
    st.session_state.train_run = run_id
    st.query_params["run"] = run_id
    st.rerun()


def control(action: str, run_id: str) -> None:
    """Stop, pause, resume or cancel a run (a second press, or one after the end, does nothing); the job manager
    refuses it unless this session owns the run or is the teacher, and the page says so."""
    try:
        getattr(job_manager(), action)(run_id, current_actor())
    except owners.NotAllowed:
        st.session_state.run_refusal = t("not_allowed")
    except store.NoSuchRun:
        pass


# Says once that the job manager refused what this session asked (the run is someone else's).
def refusal_ui() -> None:
    refusal = st.session_state.pop("run_refusal", None)
    if refusal:
        st.error(refusal, icon=":material/block:")


# Shows where a run stands: epoch, batch, samples per second and time left.
def progress_ui(view) -> None:
    p = view.progress
    if not p.steps_per_epoch:
        st.progress(0.0, text=t("starting"))
        return
    epoch, batch, fraction = p.position(view.config.epochs)
    speed = f"{p.samples_per_second:,.0f}"
    text = t(
        "progress",
        epoch=epoch,
        epochs=view.config.epochs,
        batch=batch,
        steps=p.steps_per_epoch,
        speed=speed,
        eta=format_seconds(p.eta),
    )
    st.progress(min(1.0, fraction), text=text)


def curve_spec(metric: str, labels: list[str]) -> dict:
    """A Vega-Lite chart of one metric: per-batch line, smoothed line, per-epoch training and validation points.

    A plain spec (no Altair objects) keeps each redraw cheap while the training thread competes for the CPU.
    """
    legend = {"orient": "bottom", "columns": 2, "labelLimit": 200}
    scale = {"domain": labels, "range": ["#aec7e8", "#1f77b4", "#08306b", "#ff7f0e"]}
    color = {"field": "series", "type": "nominal", "title": None, "legend": legend, "scale": scale}
    encoding = {
        "x": {"field": "step", "type": "quantitative", "title": t("step")},
        "y": {"field": "value", "type": "quantitative", "title": t(metric), "scale": {"zero": False}},
        "color": color,
    }

    def only(*names):
        return [{"filter": {"field": "series", "oneOf": list(names)}}]

    return {
        "height": 260,
        "encoding": encoding,
        "layer": [
            {"mark": {"type": "line", "strokeWidth": 1}, "transform": only(labels[0])},
            {"mark": {"type": "line", "strokeWidth": 2}, "transform": only(labels[1])},
            {"mark": {"type": "line", "point": True, "strokeDash": [4, 3]}, "transform": only(*labels[2:])},
        ],
    }


# Shows loss and accuracy per batch (raw and smoothed) with the per-epoch training and validation values.
def curves_ui(history: dict) -> None:
    if not history["step"]:
        st.caption(t("no_data_yet"))
        return
    labels = {"batch": t("per_batch"), "smoothed": t("smoothed"), "train": t("train_epoch"), "validation": t("validation_epoch")}
    for column, metric in zip(st.columns(2), ("loss", "accuracy")):
        rows = curves.chart_rows(history, metric)
        frame = pd.DataFrame({"step": rows["step"], "value": rows["value"], "series": [labels[s] for s in rows["series"]]})
        column.markdown(f"**{t(metric)}**")
        column.vega_lite_chart(frame, curve_spec(metric, [labels[s] for s in curves.SERIES]))


# Says which run this is and where it stands: queued, training, paused, or how it ended.
def status_ui(view) -> None:
    st.caption(t("run_status", run=view.id, status=t(f"status_{view.status}")), help=t("run_link_help"))
    st.text(f"{t('started_by')}: {owner_label(view.owner, view.owner_name)}")  # A learner's name is untrusted: plain text only.


# While a run waits, shows its place in the queue and lets the user cancel it.
def queued_ui(view) -> None:
    minutes = max(1, math.ceil((view.starts_in or 0) / 60))
    st.info(t("queued", position=view.position, minutes=minutes), icon=":material/hourglass_top:")
    if view.unavailable:  # The details are in the server's log; visitors get the plain words.
        st.warning(t("backend_unavailable"), icon=":material/cloud_off:")
    if may_manage(view.owner):
        st.button(t("cancel"), on_click=control, args=("cancel", view.id), icon=":material/cancel:")
    else:
        st.caption(t("read_only"))


# Redraws where the run stands every second while it waits or trains, and offers Cancel, Stop, Pause and Resume.
@st.fragment(run_every=1.0)
def live_ui(run_id: str) -> None:
    view = run_view(run_id)
    if view is None or view.ended:
        st.rerun()  # The whole page reruns once, to show the outcome and the evaluation.
    status_ui(view)
    refusal_ui()
    if view.status == "queued":
        queued_ui(view)
        return
    progress_ui(view)
    if view.status == "paused":
        st.info(t("paused", batches=view.history["step"][-1] if view.history["step"] else 0), icon=":material/pause_circle:")
    if not may_manage(view.owner):  # Someone else's run: watched live, read-only.
        st.caption(t("read_only"))
        return
    buttons = st.columns([1, 1, 6])
    buttons[0].button(t("stop"), on_click=control, args=("stop", run_id), icon=":material/stop:", key="stop")
    if view.status == "paused":
        buttons[1].button(t("resume"), on_click=control, args=("resume", run_id), icon=":material/play_arrow:", key="resume")
    else:
        buttons[1].button(t("pause"), on_click=control, args=("pause", run_id), icon=":material/pause:", key="pause")


# Redraws the curves and the latest epoch's grid every CHARTS_EVERY seconds while the run trains: they are the
# page's costly part (two charts of a few hundred points, a 5×5 picture), for the browser and the server alike,
# and a second more changes little in them. (Each fragment reruns the whole page once the run has ended.)
@st.fragment(run_every=CHARTS_EVERY)
def live_charts_ui(run_id: str) -> None:
    view = run_view(run_id)
    if view is None or view.ended:
        st.rerun()  # As in live_ui: the whole page shows the outcome.
    if view.status == "queued":
        return
    curves_ui(view.history)
    train_epochs.live_grid_ui(run_id)


run_id = attached_run_id()
view = run_view(run_id) if run_id else None
if run_id and view is None:
    st.error(t("no_such_run"), icon=":material/link_off:")
    st.session_state.pop("train_run", None)
elif view is not None:
    st.session_state.train_run = run_id
    st.query_params["run"] = run_id  # Also after a switch of pages, which drops the URL's query.
# Only a run this session manages keeps its form busy: a learner watching someone else's run can start their own.
config = config_ui(busy=view is not None and not view.ended and may_manage(view.owner))
seeds_note_ui()
if (form_config := current_config()[0]) is not None:
    show_code(snippets_train.train(form_config, language()), key="code_train")
if config is not None:
    start_seeds(config) if st.session_state.get("train_repeat_seeds") else start(config)
queue_ui(job_manager())
if view is not None:
    config_text = {**view.config.to_dict(), "model": view.config.model.upper(), "limit": f"{view.config.limit or 60000:,}"}
    st.caption(t("run_config", **config_text))
    st.caption(describe_network(view.config))
    if not view.ended:
        live_ui(view.id)
        live_charts_ui(view.id)
    else:
        status_ui(view)
        outcome_ui(view)
        curves_ui(view.history)
        if view.status != "cancelled":
            train_epochs.replay_ui(view.id)
        evaluation = evaluation_of(view) if view.has_model else None
        if evaluation is not None:
            scores_ui(view, evaluation)
            prediction_grid_ui(view, evaluation)
        if view.has_model and may_manage(view.owner):
            save_ui(view)
