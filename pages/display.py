"""Small helpers for what the pages show: enlarged pixels, figures as PNG kept per session, durations, and the
confusion matrix in the chosen language."""

from __future__ import annotations

import numpy as np
import streamlit as st

from fmnist.charts import figures, vega
from pages.navigation import class_names, t


def session_png(key, build) -> bytes:
    """PNG bytes of the figure `build()` makes, kept in this session under `key` (for per-session results)."""
    kept = st.session_state.setdefault("figure_pngs", {})
    if key not in kept:
        if len(kept) >= 16:
            kept.clear()
        kept[key] = figures.figure_png(build())
    return kept[key]


def enlarge(image: np.ndarray, scale: int = 8) -> np.ndarray:
    """A 28×28 image in [0, 1] (or uint8) as uint8 pixels `scale` times larger, with hard pixel edges."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        image = (np.clip(image, 0, 1) * 255).round().astype(np.uint8)
    return np.kron(image, np.ones((scale, scale), dtype=np.uint8))


def format_seconds(seconds: float | None) -> str:
    """A duration for people: "42 s", "3:05" or "1:02:09"; "–" when unknown."""
    if seconds is None or not np.isfinite(seconds):
        return "–"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def confusion_chart(matrix, normalize: bool = False, selection: str | None = None, width: int | None = None, height: int = 420):
    """The confusion matrix (fmnist.charts.vega.confusion_matrix) with the chosen language's class names and titles."""
    titles = {"predicted": t("predicted_class"), "true": t("true_class"), "count": t("count"), "share": t("confusion_share")}
    return vega.confusion_matrix(
        matrix, class_names(), normalize=normalize, titles=titles, selection=selection, width=width, height=height
    )
