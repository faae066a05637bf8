"""The run a session shows: the one named in the URL (?run=), else the last one it started.

The Train page shows it; Predict and "Inside the model" offer its model (unsaved) beside the saved ones.
"""

from __future__ import annotations

import streamlit as st

from fmnist.runs import store
from pages.resources import job_manager, run_predictor


def attached_run_id() -> str | None:
    """The run this session shows: the one named in the URL (?run=), else the last one it started."""
    return st.query_params.get("run") or st.session_state.get("train_run")


def run_view(run_id):
    """The run's state, or None for a forged, unknown or deleted id."""
    try:
        return job_manager().view(run_id)
    except store.NoSuchRun:
        return None


def session_job():
    """The run attached to this session (URL or last started) once it ended with a model, else None."""
    run_id = attached_run_id()
    view = run_view(run_id) if run_id else None
    return view if view is not None and view.has_model else None


def session_predictor():
    """A Predictor for the model of the run attached to this session or URL (unsaved), or None."""
    job = session_job()
    return None if job is None else run_predictor(job.id)
