"""Train: what a run predicted after each epoch (fmnist.runs.epoch_records), for pages/train.py.

While the run trains, its live view shows the latest epoch's 5×5 grid of the first 25 test images;
once it has ended, a slider replays the grid and the confusion matrix epoch by epoch.
"""

import numpy as np
import streamlit as st

from fmnist.charts import figures
from fmnist.runs import epoch_records, store
from pages.display import confusion_chart
from pages.navigation import class_names, language, t
from pages.resources import dataset, job_manager


def records_of(run_id: str) -> epoch_records.EpochRecords:
    """The run's per-epoch records; none for an old run, one that ended early, or a damaged file."""
    try:
        run = store.get(run_id, job_manager().root)
    except store.NoSuchRun:
        return epoch_records.empty()
    return epoch_records.read(run.path / epoch_records.FILE)


def grid_png(run_id: str, records: epoch_records.EpochRecords, position: int) -> bytes:
    """The probe grid after the epoch at `position`, drawn once per run, epoch and language for every session:
    all who watch a run (a shared link, a class) see the same picture, and the server draws it once."""
    return shared_grid_png(run_id, int(records.epochs[position]), language(), records)


# Keyed by run, epoch and language (a run's record of an epoch never changes once written); the records
# themselves are not hashed.
@st.cache_data(max_entries=64, show_spinner=False)
def shared_grid_png(run_id: str, epoch: int, lang: str, _records: epoch_records.EpochRecords) -> bytes:
    images = dataset().test_images[_records.probe_indices]
    probabilities = _records.probabilities[_records.position(epoch)]
    return figures.figure_png(figures.probe_grid(images, probabilities, _records.probe_labels, class_names(lang)))


def right_count(records: epoch_records.EpochRecords, position: int) -> int:
    return int((records.probabilities[position].argmax(axis=1) == records.probe_labels).sum())


# Shows the latest finished epoch's guesses for the first 25 test images (called by the live fragment every second).
def live_grid_ui(run_id: str) -> None:
    records = records_of(run_id)
    with st.container(key="epochs_live"):
        st.subheader(t("epochs_live_title"))
        if not len(records):
            st.caption(t("epochs_live_waiting"))
            return
        last = len(records) - 1
        st.image(grid_png(run_id, records, last), width=620)
        count = len(records.probe_labels)
        st.caption(t("epochs_live_caption", epoch=int(records.epochs[last]), right=right_count(records, last), count=count))


# Shows the confusion matrix as it stood after one epoch, with the accuracy on its images (and the change).
def confusion_ui(records: epoch_records.EpochRecords, position: int) -> None:
    matrix = records.confusion[position]
    total = int(matrix.sum())
    key = "epochs_confusion_validation" if records.confusion_source == "validation" else "epochs_confusion_test"
    accuracy = np.trace(matrix) / max(total, 1)
    previous = records.confusion[position - 1] if position else None
    delta = None if previous is None else f"{accuracy - np.trace(previous) / max(int(previous.sum()), 1):+.2%}"
    title, score = st.columns([3, 1], vertical_alignment="center")
    title.markdown(f"**{t(key, count=f'{total:,}')}**")
    score.metric(t("epochs_accuracy"), f"{accuracy:.2%}", delta)
    st.vega_lite_chart(confusion_chart(matrix, width=560, height=460), width="content")


# Lets the user drag through the epochs of an ended run and see the grid and the confusion matrix at each one.
@st.fragment
def replay_ui(run_id: str) -> None:
    records = records_of(run_id)
    with st.container(key="epochs_replay"):
        st.subheader(t("epochs_replay_title"))
        if not len(records):
            st.caption(t("epochs_none"))
            return
        epochs = records.epochs.tolist()
        chosen = epochs[-1]
        if len(epochs) > 1:
            st.caption(t("epochs_replay_intro"))
            chosen = st.slider(t("epochs_slider"), epochs[0], epochs[-1], value=epochs[-1], key=f"replay_epoch_{run_id}")
        position = records.position(chosen)
        epoch = epochs[position]
        st.image(grid_png(run_id, records, position), width=620)
        count = len(records.probe_labels)
        st.caption(t("epochs_grid_caption", epoch=epoch, epochs=epochs[-1], right=right_count(records, position), count=count))
        confusion_ui(records, position)
