"""Train: what a run that has ended shows, for pages/train.py: how it ended, its test-set evaluation (scores,
confusion matrix, accuracy per class), the tutorial's grid of predictions, and Save for who may manage it."""

import contextlib

import pandas as pd
import streamlit as st

from fmnist import registry
from fmnist.charts import figures
from fmnist.runs import owners, store
from pages.display import confusion_chart, format_seconds, session_png
from pages.identity import current_actor
from pages.navigation import class_names, language, t
from pages.resources import dataset, job_manager, run_model


# Says how the run ended: finished, stopped (the model is kept), cancelled, or failed (with the reason).
def outcome_ui(view) -> None:
    history = view.history
    if view.status == "finished":
        st.success(t("finished", epochs=len(history["epoch"]), seconds=format_seconds(view.train_seconds)))
        with contextlib.suppress(store.NoSuchRun):
            status = store.get(view.id, job_manager().root).status()
            if status.get("early_stopped_at"):
                st.info(
                    t("early_stopped", stopped=status["early_stopped_at"], best=status["best_epoch"]), icon=":material/timer_off:"
                )
    elif view.status == "stopped":
        st.warning(
            t("stopped", batches=history["step"][-1] if history["step"] else 0, epoch=max(1, len(history["epoch"]))),
            icon=":material/stop_circle:",
        )
        if view.note:
            st.caption(t("time_limit", seconds=format_seconds(job_manager().max_seconds)))
    elif view.status == "cancelled":
        st.info(t("cancelled"))
    else:
        st.error(view.error or t("failed"))


def evaluation_of(view):
    """The test-set evaluation the run's child recorded, or None when the run has none."""
    try:
        return store.get(view.id, job_manager().root).recorded_evaluation()
    except store.NoSuchRun:
        return None


# Shows the test accuracy and loss, the confusion matrix and the accuracy of each class.
def scores_ui(view, evaluation) -> None:
    st.subheader(t("evaluation"))
    row = st.columns(4)
    row[0].metric(t("test_accuracy"), f"{evaluation.accuracy:.2%}")
    row[1].metric(t("test_loss"), f"{evaluation.loss:.3f}")
    row[2].metric(t("epochs_run"), len(view.history["epoch"]))
    row[3].metric(t("train_time"), format_seconds(view.train_seconds))
    left, right = st.columns([3, 2])
    normalize = left.toggle(t("normalize"), key="normalize_confusion")
    with left:
        st.vega_lite_chart(confusion_chart(evaluation.confusion, normalize, width=560, height=460), width="content")
    per_class = pd.DataFrame({t("class"): class_names(), t("accuracy"): evaluation.per_class_accuracy})
    right.dataframe(
        per_class,
        hide_index=True,
        height=35 * 11 + 3,
        column_config={t("accuracy"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
    )


# Shows the tutorial's 5×3 grid of test images with their predicted probabilities, optionally only mistakes.
def prediction_grid_ui(view, evaluation) -> None:
    st.subheader(t("predictions"))
    mistakes = st.toggle(t("mistakes_only"), key="mistakes_only")
    indices, probabilities = evaluation.grid(mistakes)
    if not len(indices):
        st.info(t("no_mistakes"))
        return
    ds = dataset()
    key = (view.id, "grid", mistakes, language())
    png = session_png(
        key,
        lambda: figures.prediction_grid(ds.test_images[indices], probabilities, ds.test_labels[indices], class_names()),
    )
    st.image(png, width=900)
    st.caption(t("grid_mistakes", count=evaluation.mistake_count) if mistakes else t("grid_first"))


# Lets the user save the trained model under a name so that every session can use it.
def save_ui(view) -> None:
    st.subheader(t("save_title"))
    with st.form("save_form"):
        name = st.text_input(t("model_name"), placeholder="my-model", max_chars=64, help=t("model_name_help"))
        if st.form_submit_button(t("save"), icon=":material/save:"):
            try:
                run = store.get(view.id, job_manager().root)
                owners.require(current_actor(), "save", view.id, run.owner()[0])
                metadata = store.registry_metadata(run, made_by="Fashion-MNIST Studio (train page)")
                info = registry.save(run_model(view.id), name.strip(), metadata)
            except owners.NotAllowed:
                st.error(t("not_allowed"), icon=":material/block:")
            except (registry.RegistryError, store.RunsError) as error:
                st.error(str(error))
            else:
                st.success(t("saved", name=info.name))
