"""The drawing canvas: a Streamlit Components v2 element of our own (HTML, CSS and JavaScript in assets/canvas/).

It sends its value the moment a stroke ends (a PNG of the drawing, the stroke count and the strokes), and while
a stroke is drawn the drawing so far about every 100 ms (marked live); each value reruns only the fragment it
sits in, so the prediction follows the pen. fmnist.data.drawing checks and decodes that value.

This module is imported by pages/inputs.py; it is not a page itself.
"""

from __future__ import annotations

import streamlit as st

from fmnist.data import drawing
from fmnist.settings import PROJECT_DIR

ASSETS = PROJECT_DIR / "assets" / "canvas"

# Passed inline (file contents, not paths): asset paths are only served for components of installed packages.
_mount = st.components.v2.component(
    "fmnist_drawing_canvas",
    html=(ASSETS / "canvas.html").read_text(encoding="utf-8"),
    css=(ASSETS / "canvas.css").read_text(encoding="utf-8"),
    js=(ASSETS / "canvas.js").read_text(encoding="utf-8"),
)


def drawing_canvas(stroke_width: int, labels: dict[str, str], key: str = "canvas") -> drawing.Drawing:
    """Show the canvas; return its drawing (raises drawing.DrawingError for a value that cannot be read).

    `labels` names the buttons and the canvas: {"undo": ..., "redo": ..., "reset": ..., "canvas": ...}.
    """
    # The strokes this session's canvas last sent go back with the data, so a canvas the browser had to build
    # anew (a remount) shows them again and sends them; a canvas that is still there keeps its own, which may be
    # newer. Streamlit forgets a widget's state in a run that does not show it (Draw -> Upload -> Draw), so the
    # strokes are also kept under a key of their own.
    kept = f"{key}_kept_paths"
    known = (st.session_state.get(key) or {}).get("drawing")
    paths = drawing.paths_of(known) or st.session_state.get(kept, [])
    result = _mount(
        key=key,
        data={"width": stroke_width, "paths": paths, "known": known is not None, **labels},
        default={"drawing": None},
        on_drawing_change=lambda: None,  # Declares the state value "drawing"; its change reruns the fragment.
        width="content",
        height="content",
    )
    if result.get("drawing") is not None:  # None: a canvas just built that has sent nothing yet.
        # Only the finished strokes: a stroke in progress is not handed back to a canvas built anew.
        st.session_state[kept] = drawing.paths_of(result.get("drawing"))
    return drawing.decode(result.get("drawing"))
