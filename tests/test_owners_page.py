"""Run owners on the pages, with AppTest: another browser sees a run read-only, the owner and the teacher see its
controls, a forged session is refused by the job manager, the per-learner limit and the teacher password in the
sidebar. Runs stay queued (no training slot), so no child process starts."""

import secrets

import pytest
from streamlit.testing.v1 import AppTest

from fmnist.model.config import TrainConfig
from fmnist.runs import jobs, owners, store, table
from tests.page_support import ENTRY, TIMEOUT, labelled, open_page, texts

pytestmark = pytest.mark.usefixtures("fresh_job_manager")
TINY = {"model": "mlp", "epochs": 1, "limit": 300}
PASSWORD = "correct horse battery staple"


@pytest.fixture
def manager(monkeypatch):
    """The server's job manager with no training slot: every run waits in the queue."""
    manager = jobs.get_manager()
    monkeypatch.setattr(manager, "max_trainings", 0)
    return manager


def browser(name: str = "") -> dict:
    """What the identity element of a browser sends: its secret and display name."""
    return {"identity": {"secret": secrets.token_hex(32), "name": name}}


def actor_of(identity: dict) -> owners.Actor:
    return owners.actor(identity["identity"]["secret"], identity["identity"]["name"])


def visit(page: str, identity: dict | None, run_id: str | None = None, **state) -> AppTest:
    """A session of the browser `identity` (None: one that has not answered yet) on `page`, as a link opens it."""
    app = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    if run_id:
        app.query_params["run"] = run_id
    if identity is not None:
        app.session_state["identity"] = identity
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    return open_page(app, page)


def buttons(app) -> list[str]:
    return [button.label for button in app.button]


def test_another_browser_sees_a_run_read_only_and_its_owner_can_cancel_it(manager):
    lin, max_ = browser("Lin <b>*x*</b>"), browser("Max")
    run_id = manager.submit(TrainConfig(**TINY), owner=actor_of(lin))
    other = visit("train", max_, run_id)
    assert "Cancel" not in buttons(other) and "You are watching this run" in texts(other.caption)
    assert "Queued: position 1" in texts(other.info)
    # The name is shown as plain text, as typed (cleaned), never as Markdown or HTML.
    assert "Started by: Lin <b>*x*</b>" in texts(other.text)
    assert "Lin <b>*x*</b> · MLP · queued: position 1" in texts(other.text)
    owner = visit("train", lin, run_id)
    assert "Started by: you (Lin <b>*x*</b>)" in texts(owner.text)
    labelled(owner.button, "Cancel").click().run()
    assert not owner.exception and manager.view(run_id).status == "cancelled"


def test_a_forged_session_is_refused_by_the_job_manager(manager):
    lin, max_ = browser("Lin"), browser("Max")
    run_id = manager.submit(TrainConfig(**TINY), owner=actor_of(lin))
    # A forged teacher token or a forged owner field in the session state gives no controls.
    forged = visit("train", max_, run_id, teacher_token="0" * 64, owner_secret=actor_of(lin).owner)
    assert "Cancel" not in buttons(forged)
    # A session that shows the owner's controls and then swaps its identity: the click is refused, every time.
    swapped = visit("train", lin, run_id)
    for _ in range(2):
        swapped.session_state["identity"] = max_
        labelled(swapped.button, "Cancel").click().run()
        assert not swapped.exception
        assert "Not allowed: this run belongs to someone else" in texts(swapped.error)
        assert manager.view(run_id).status == "queued"
        swapped.session_state["identity"] = lin
        swapped.run()


def test_a_learner_past_the_limit_is_told_the_limit(manager, monkeypatch):
    lin = browser("Lin")
    for _ in range(2):
        manager.submit(TrainConfig(**TINY), owner=actor_of(lin))
    app = visit("train", lin)
    labelled(app.button, "Start training").click().run()
    assert "You already have 2 runs queued or training" in texts(app.warning) and "run" not in app.query_params
    assert len(manager.active()) == 2


def sidebar():
    """The sidebar's identity part alone (AppTest keeps app.py's sidebar for one run only)."""
    from pages.identity import identity_ui

    identity_ui()


def test_the_teacher_password_unlocks_every_run(manager, monkeypatch):
    monkeypatch.setenv("FMNIST_TEACHER_PASSWORD", PASSWORD)
    monkeypatch.setattr(owners, "_GATE", owners.TeacherGate())  # A fresh count of wrong tries.
    lin, teacher = browser("Lin"), browser("Ms Wu")
    run_id = manager.submit(TrainConfig(**TINY), owner=actor_of(lin))
    app = AppTest.from_function(sidebar, default_timeout=TIMEOUT)
    app.session_state["identity"] = teacher
    app.run()
    password = app.text_input(key="teacher_password_input")
    assert password.proto.type == password.proto.PASSWORD  # Typed as dots, never shown.
    password.input("guess").run()
    assert "Wrong password. You can try again in 1 s." in texts(app.error) and "teacher_token" not in app.session_state
    app.text_input(key="teacher_password_input").input(PASSWORD).run()
    assert "Wait" in texts(app.error) or "wait" in texts(app.error)  # Too soon after a wrong try: not even checked.
    assert "teacher_token" not in app.session_state
    monkeypatch.setattr(owners, "_GATE", owners.TeacherGate())  # As if the wait were over.
    app.text_input(key="teacher_password_input").input(PASSWORD).run()
    assert "Teacher mode on" in texts(app.success) and "Teacher mode: you can stop" in texts(app.caption)
    assert PASSWORD not in repr(app.session_state)  # Only a token is kept, not the password.
    token = app.session_state["teacher_token"]
    page = visit("train", teacher, run_id, teacher_token=token)
    labelled(page.button, "Cancel").click().run()
    assert manager.view(run_id).status == "cancelled"
    labelled(app.button, "Leave teacher mode").click().run()
    assert "teacher_token" not in app.session_state and app.text_input(key="teacher_password_input")


def test_the_display_name_is_kept_by_the_browser_and_shown_as_text(manager):
    lin = browser("  Lin\u202e  ")
    app = AppTest.from_function(sidebar, default_timeout=TIMEOUT)
    app.session_state["identity"] = lin
    app.run()
    assert app.text_input(key="display_name_input").value == "Lin"  # What the browser kept, cleaned.
    app.text_input(key="display_name_input").input("Lin Wei").run()
    assert app.session_state["display_name"] == "Lin Wei"


def test_the_runs_page_offers_delete_only_to_the_owner(manager):
    lin, max_ = browser("Lin"), browser("Max")
    run = store.create(TrainConfig(**TINY).resolved(), "page", owner=actor_of(lin).owner, owner_name="Lin")
    run.update_status(status="failed", error="boom")
    rows = [row["run"] for row in table.rows()]
    selection = {"selection": {"rows": [rows.index(run.id)], "columns": [], "cells": []}}
    other = visit("runs", max_)
    other.session_state["runs_table_0"] = selection
    other.run()
    assert "Started by: Lin" in texts(other.text) and "You are watching this run" in texts(other.caption)
    with pytest.raises(KeyError):
        other.button(key=f"delete_{run.id}")
    owner = visit("runs", lin)
    owner.session_state["runs_table_0"] = selection
    owner.run()
    owner.button(key=f"delete_{run.id}").click().run()
    assert not owner.exception
    with pytest.raises(store.NoSuchRun):
        store.get(run.id)
