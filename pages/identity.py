"""Who this browser is: its owner secret, its display name, and teacher rights, for every page.

A Components v2 element of our own (assets/identity/) keeps a random secret and the display name in the
browser's localStorage (shared by its tabs, kept across reloads) and sends both here. `current_actor` turns them
into an fmnist.runs.owners.Actor, the identity the job manager and the runs store check; the server keeps only
an HMAC of the secret. Until the browser has answered (its first script run, or AppTest, which has no browser),
the session uses a random secret of its own. Teacher rights come only from a token that fmnist.runs.owners
verifies, never from a flag in the session state.

This module is imported by app.py (the sidebar) and the pages; it is not a page itself.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable

import streamlit as st

from fmnist.runs import owners
from fmnist.settings import PROJECT_DIR
from pages.navigation import t

ASSETS = PROJECT_DIR / "assets" / "identity"
BROWSER = "identity"  # The component's key: its state holds {"identity": {"secret", "name"}} from the browser.

# Passed inline (file contents, not paths), as pages/canvas.py does.
_mount = st.components.v2.component(
    "fmnist_identity",
    html=(ASSETS / "identity.html").read_text(encoding="utf-8"),
    js=(ASSETS / "identity.js").read_text(encoding="utf-8"),
)


def browser_identity() -> dict:
    """What the browser last sent: {"secret", "name"}, or {} before it has answered. A copy outlives a run that
    ended before the element was drawn (st.stop), which drops the element's own state."""
    value = (st.session_state.get(BROWSER) or {}).get("identity")
    if isinstance(value, dict):
        return value
    kept = st.session_state.get("browser_identity")
    return kept if isinstance(kept, dict) else {}


def owner_secret() -> str:
    """The browser's secret, or, until it has sent one, a random one of this session's."""
    sent = browser_identity().get("secret")
    if owners.valid_secret(sent):
        return sent
    if not owners.valid_secret(st.session_state.get("owner_secret")):
        st.session_state.owner_secret = secrets.token_hex(32)
    return st.session_state.owner_secret


def current_actor() -> owners.Actor:
    """This session's identity: its owner, display name and, with a token that verifies, teacher rights."""
    name = st.session_state.get("display_name")
    if name is None:
        name = browser_identity().get("name", "")
    return owners.actor(owner_secret(), name, st.session_state.get("teacher_token"))


def may_manage(owner: str) -> bool:
    """Whether this session may stop, pause, resume, cancel, delete or save a run of `owner` (a RunView's owner)."""
    return owners.may_manage(current_actor(), owner)


def owner_labeller() -> Callable[[str, str], str]:
    """owner_label for many runs at once: this session's identity is worked out once, not once per run."""
    mine = current_actor().owner

    def label(owner: str, name: str) -> str:
        if owner and owner == mine:
            return t("owner_you", name=name) if name else t("owner_you_plain")
        if owner == owners.CLI:
            return t("owner_cli")
        return name or t("owner_someone")

    return label


def owner_label(owner: str, name: str) -> str:
    """Who started a run, as plain text: "you", the command line, their display name, or someone."""
    return owner_labeller()(owner, name)


def _name_changed() -> None:
    st.session_state.display_name = owners.clean_name(st.session_state.display_name_input)
    st.session_state.display_name_input = st.session_state.display_name
    st.session_state.name_to_store = st.session_state.display_name


# Lets the learner type a display name once (kept in the browser) that is shown beside their runs.
def name_ui() -> None:
    stored = browser_identity().get("name")
    if "display_name" not in st.session_state and isinstance(stored, str):  # The browser's first answer.
        st.session_state.display_name = st.session_state.display_name_input = owners.clean_name(stored)
    st.sidebar.text_input(
        t("display_name"),
        key="display_name_input",
        max_chars=owners.NAME_LENGTH,
        placeholder=t("display_name_placeholder"),
        help=t("display_name_help"),
        on_change=_name_changed,
    )


def _unlock() -> None:
    password = st.session_state.get("teacher_password_input", "")
    st.session_state.teacher_password_input = ""  # Not kept: the field is empty again.
    attempt = owners.teacher_gate().attempt(password, session=current_actor().owner)
    if attempt.ok:
        st.session_state.teacher_token = attempt.token
        st.session_state.teacher_message = ("success", t("teacher_on"))
    elif attempt.refused:
        st.session_state.teacher_message = ("error", t("teacher_wait", seconds=max(1, round(attempt.wait))))
    else:
        st.session_state.teacher_message = ("error", t("teacher_wrong", seconds=max(1, round(attempt.wait))))


def _leave() -> None:
    st.session_state.pop("teacher_token", None)


# Lets the teacher unlock managing every run with the password (only when the server has one).
def teacher_ui() -> None:
    if not owners.teacher_enabled():
        return
    message = st.session_state.pop("teacher_message", None)
    if owners.is_teacher_token(st.session_state.get("teacher_token")):
        st.sidebar.caption(t("teacher_active"))
        st.sidebar.button(t("teacher_leave"), on_click=_leave, icon=":material/logout:", key="teacher_leave")
    else:
        with st.sidebar.expander(t("teacher"), icon=":material/school:", expanded=message is not None):
            st.text_input(t("teacher_password"), type="password", key="teacher_password_input", on_change=_unlock)
    if message is not None:
        (st.sidebar.success if message[0] == "success" else st.sidebar.error)(message[1])


# The sidebar's identity: the display name and the teacher's password.
def identity_ui() -> None:
    name_ui()
    teacher_ui()


def identity_element() -> None:
    """The unseen element that brings the browser's secret and name (and stores a changed name in the browser).

    app.py draws it after the page: the browser's answer reruns the app, and a rerun that interrupts the page's
    first run would lose the values that run gave its widgets through the session state (the Train form's)."""
    with st.sidebar:
        result = _mount(
            key=BROWSER,
            data={"name": st.session_state.pop("name_to_store", None)},
            default={"identity": None},
            on_identity_change=lambda: None,  # Declares the state value "identity"; its change reruns the app.
            width="content",
            height="content",
        )
    if isinstance(result.get("identity"), dict):
        st.session_state.browser_identity = result.get("identity")


def queue_line(view) -> str:
    """One run of the queue as plain text: "Lin · CNN · queued: position 3, starts in about 4 min"."""
    values = {"who": owner_label(view.owner, view.owner_name), "model": view.config.model.upper()}
    if view.status == "queued":
        return t("queue_waiting", position=view.position, minutes=max(1, math.ceil((view.starts_in or 0) / 60)), **values)
    return t("queue_training", status=t(f"status_{view.status}"), **values)


# Shows who is training and who waits, in order, with each learner's name as plain text (never Markdown).
def queue_ui(manager) -> None:
    views = manager.queue()
    with st.expander(t("queue_title", count=len(views)), icon=":material/groups:"):
        if not views:
            st.caption(t("queue_empty"))
        for view in views:
            st.text(queue_line(view))
