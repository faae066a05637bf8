"""Train: the tutorial's build, compile, fit and evaluate steps, with live progress and a Stop button."""

import numpy as np
import pandas as pd
import streamlit as st

from fmnist import curves, plots, registry, training
from fmnist.evaluation import evaluate
from pages.common import class_names, dataset, format_seconds, language, session_png, session_predictor, t

BATCH_SIZES = (16, 32, 64, 128, 256, 512)
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
FORM_DEFAULTS = {"optimizer": "adam", "validation_split": 0.1, "limit": 60000, "seed": 0}

st.title(t("train_title"))
st.markdown(t("train_intro"))

if "job" not in st.session_state:
    st.session_state.job = None
    st.session_state.job_number = 0
if "train_model" not in st.session_state:
    st.session_state.train_model = "mlp"
for key, value in {**training.DEFAULTS[st.session_state.train_model], **FORM_DEFAULTS}.items():
    st.session_state.setdefault(f"train_{key}", value)


def apply_model_defaults() -> None:
    """Put the chosen model's default epochs, batch size and learning rate into the form."""
    for key, value in training.DEFAULTS[st.session_state.train_model].items():
        st.session_state[f"train_{key}"] = value


# Lets the user choose the model and how to train it; returns a TrainConfig when "Start training" is pressed.
# Only the button is disabled during a run: disabling a widget gives it a new identity, which resets its value.
def config_ui(running: bool) -> training.TrainConfig | None:
    st.radio(
        t("model"),
        training.ARCHITECTURES,
        format_func={m: t(f"model_{m}") for m in training.ARCHITECTURES}.get,
        key="train_model",
        on_change=apply_model_defaults,
        horizontal=True,
    )
    defaults = training.DEFAULTS[st.session_state.train_model]
    with st.form("train_form"):
        row = st.columns(4)
        epochs = row[0].number_input(t("epochs"), 1, 100, key="train_epochs")
        batch_size = row[1].selectbox(t("batch_size"), sorted({*BATCH_SIZES, defaults["batch_size"]}), key="train_batch_size")
        learning_rate = row[2].select_slider(
            t("learning_rate"), sorted({*LEARNING_RATES, defaults["learning_rate"]}), key="train_learning_rate"
        )
        optimizer = row[3].selectbox(t("optimizer"), training.OPTIMIZERS, key="train_optimizer")
        row = st.columns(4)
        validation_split = row[0].slider(t("validation_split"), 0.0, 0.5, step=0.05, key="train_validation_split")
        limit = row[1].number_input(t("subset"), 10, 60000, step=1000, key="train_limit")
        seed = row[2].number_input(t("seed"), 0, 2**31 - 1, key="train_seed")
        submitted = row[3].form_submit_button(t("start"), type="primary", disabled=running)
    if not submitted:
        return None
    return training.TrainConfig(
        model=st.session_state.train_model,
        epochs=int(epochs),
        batch_size=int(batch_size),
        learning_rate=float(learning_rate),
        optimizer=optimizer,
        validation_split=float(validation_split),
        limit=None if limit >= 60000 else int(limit),
        seed=int(seed),
    )


def start(config: training.TrainConfig) -> None:
    """Start a run for this session; a busy trainer or a bad setting becomes a message."""
    try:
        job = training.TrainingJob(config, dataset()).start()
    except training.TrainerBusy as error:
        st.warning(str(error), icon=":material/hourglass_top:")
        return
    except ValueError as error:
        st.error(str(error))
        return
    st.session_state.job = job
    st.session_state.job_number += 1
    st.session_state.stopping = False
    st.rerun()


def request_stop() -> None:
    """Ask this session's run to stop after the current batch, and give it a moment to end before the page redraws."""
    st.session_state.job.stop()
    st.session_state.stopping = True
    st.session_state.job.wait(timeout=1.5)


# Shows where a run stands: epoch, batch, samples per second and time left.
def progress_ui(snapshot, config) -> None:
    p = snapshot.progress
    if not p.steps_per_epoch:
        st.progress(0.0, text=t("starting"))
        return
    done = p.epoch * p.steps_per_epoch + p.batch
    epoch = min(p.epoch + (1 if p.batch else 0), config.epochs)
    text = t(
        "progress",
        epoch=epoch,
        epochs=config.epochs,
        batch=p.batch or p.steps_per_epoch,
        steps=p.steps_per_epoch,
        speed=f"{p.samples_per_second:,.0f}",
        eta=format_seconds(p.eta),
    )
    st.progress(min(1.0, done / (config.epochs * p.steps_per_epoch)), text=text)


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


# Redraws the progress and the curves every second while the run trains, and offers "Stop".
@st.fragment(run_every=1.0)
def live_ui(job) -> None:
    snapshot = job.snapshot()
    if snapshot.status not in ("queued", "running"):
        st.rerun()  # The whole page reruns once, to show the outcome and the evaluation.
    progress_ui(snapshot, job.config)
    stopping = st.session_state.get("stopping", False)
    st.button(t("stopping") if stopping else t("stop"), on_click=request_stop, disabled=stopping, icon=":material/stop:")
    curves_ui(snapshot.history)


# Says how the run ended: finished, stopped (the model is kept) or failed (with the reason).
def outcome_ui(job) -> None:
    history = job.snapshot().history
    if job.status == "finished":
        st.success(t("finished", epochs=len(history["epoch"]), seconds=format_seconds(job.train_seconds)))
    elif job.status == "stopped":
        st.warning(t("stopped", batches=len(history["step"]), epoch=max(1, len(history["epoch"]))), icon=":material/stop_circle:")
    else:
        st.error(job.error or t("failed"))


def evaluation_of(job):
    """The test-set evaluation of this session's model, computed once per run."""
    cached = st.session_state.get("evaluation")
    if cached is None or cached[0] is not job:
        with st.spinner(t("evaluating")):
            ds = dataset()
            cached = (job, evaluate(session_predictor(), ds.test_images, ds.test_labels))
        st.session_state.evaluation = cached
    return cached[1]


# Shows the test accuracy and loss, the confusion matrix and the accuracy of each class.
def scores_ui(job, evaluation) -> None:
    st.subheader(t("evaluation"))
    row = st.columns(4)
    row[0].metric(t("test_accuracy"), f"{evaluation.accuracy:.2%}")
    row[1].metric(t("test_loss"), f"{evaluation.loss:.3f}")
    row[2].metric(t("epochs_run"), len(job.snapshot().history["epoch"]))
    row[3].metric(t("train_time"), format_seconds(job.train_seconds))
    left, right = st.columns([3, 2])
    normalize = left.toggle(t("normalize"), key="normalize_confusion")
    key = (st.session_state.job_number, "confusion", normalize, language())
    left.image(session_png(key, lambda: plots.confusion_matrix(evaluation.confusion, class_names(), normalize)), width=560)
    per_class = pd.DataFrame({t("class"): class_names(), t("accuracy"): evaluation.per_class_accuracy})
    right.dataframe(
        per_class,
        hide_index=True,
        height=35 * 11 + 3,
        column_config={t("accuracy"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
    )


# Shows the tutorial's 5×3 grid of test images with their predicted probabilities, optionally only mistakes.
def prediction_grid_ui(evaluation) -> None:
    st.subheader(t("predictions"))
    mistakes = st.toggle(t("mistakes_only"), key="mistakes_only")
    indices = evaluation.mistakes[:15] if mistakes else np.arange(15)
    if not len(indices):
        st.info(t("no_mistakes"))
        return
    ds = dataset()
    key = (st.session_state.job_number, "grid", mistakes, language())
    png = session_png(
        key,
        lambda: plots.prediction_grid(
            ds.test_images[indices], evaluation.probabilities[indices], ds.test_labels[indices], class_names()
        ),
    )
    st.image(png, width=900)
    st.caption(t("grid_mistakes", count=len(evaluation.mistakes)) if mistakes else t("grid_first"))


# Lets the user save the trained model under a name so that every session can use it.
def save_ui(job, evaluation) -> None:
    st.subheader(t("save_title"))
    with st.form("save_form"):
        name = st.text_input(t("model_name"), placeholder="my-model", max_chars=64, help=t("model_name_help"))
        if st.form_submit_button(t("save"), icon=":material/save:"):
            try:
                metadata = job.metadata(evaluation, made_by="Fashion-MNIST Studio (train page)")
                info = registry.save(job.model, name.strip(), metadata)
            except registry.RegistryError as error:
                st.error(str(error))
            else:
                st.success(t("saved", name=info.name))


job = st.session_state.job
running = job is not None and not job.done
config = config_ui(running)
if config is not None:
    start(config)
if job is not None:
    st.caption(
        t("run_config", **{**job.config.to_dict(), "model": job.config.model.upper(), "limit": f"{job.config.limit or 60000:,}"})
    )
    if running:
        live_ui(job)
    else:
        outcome_ui(job)
        curves_ui(job.snapshot().history)
        if job.status in ("stopped", "finished") and job.model is not None:
            evaluation = evaluation_of(job)
            scores_ui(job, evaluation)
            prediction_grid_ui(evaluation)
            save_ui(job, evaluation)
