"""What the AppTest page tests share: the app's entry point, opening a page, reading its texts, and waiting on a run."""

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fmnist.runs import jobs

ROOT = Path(__file__).resolve().parent.parent
# AppTest starts every run as a fresh server would, before any st.navigation call, so a page opened with
# switch_page runs on its own (Streamlit's legacy multipage mode: no app.py, no sidebar); the sidebar is
# checked on the home page, and tests/e2e checks that a real server routes every page through app.py.
ENTRY = ROOT / "app.py"
TIMEOUT = 60
RUN_DEADLINE = 180  # Seconds for a tiny run in a child process (it imports TensorFlow first).


def open_page(app: AppTest, name: str) -> AppTest:
    app.switch_page(f"pages/{name}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def labelled(widgets, label: str):
    """The one widget of `widgets` with this label."""
    [widget] = [widget for widget in widgets if widget.label == label]
    return widget


def attached_view(app: AppTest):
    """The run named in the page's URL, as the job manager sees it."""
    run_id = app.query_params["run"]
    return jobs.get_manager().view(run_id[0] if isinstance(run_id, list) else run_id)


def wait_for_run(app: AppTest, condition=lambda view: view.ended, timeout: float = RUN_DEADLINE):
    """Rerun the page until the run in its URL meets `condition`, as the live fragment would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = attached_view(app)
        if condition(view):
            app.run()
            assert not app.exception, [e.value for e in app.exception]
            return view
        time.sleep(0.3)
    pytest.fail(f"the run is still {attached_view(app).status} after {timeout} s")
