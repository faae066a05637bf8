"""Matplotlib figures for Fashion-MNIST: the tutorial's plots and a few more.

Everything here uses the object-oriented API (`Figure` + `FigureCanvasAgg`),
never pyplot, so figures can be built from many threads of a web server.
Chinese class names render through a CJK fallback font when one is installed
(Debian: `fonts-noto-cjk`); without one they render as empty boxes, silently.
"""

from __future__ import annotations

import contextlib
import functools
import io
import warnings
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# CJK families we look for, best first (Simplified Chinese shapes before Japanese ones).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
    "AR PL UMing CN",
)
# Font files of the Debian packages, added by hand when matplotlib's font cache predates them.
CJK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
# Tutorial colours: predicted bar red, true bar blue, other bars grey.
GREY, RED, BLUE, NEUTRAL = "#777777", "red", "blue", "black"


def _find_cjk_family() -> str | None:
    """Return the first CJK font family matplotlib knows, registering Debian's files if needed."""
    known = {font.name for font in font_manager.fontManager.ttflist}
    if not any(family in known for family in CJK_FAMILIES):
        for path in CJK_FILES:
            if Path(path).exists():
                font_manager.fontManager.addfont(path)
        known = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


CJK_FONT = _find_cjk_family()
# The settings every figure here is built and rendered with; matplotlib's global rcParams stay untouched.
# Matplotlib falls back glyph by glyph along the font list, so Latin text keeps DejaVu Sans.
STYLE = {"font.family": ["DejaVu Sans", CJK_FONT]} if CJK_FONT is not None else {}


@contextlib.contextmanager
def _styled():
    """Build or render a figure with STYLE; without a CJK font, Chinese names render as boxes, quietly."""
    with matplotlib.rc_context(STYLE), warnings.catch_warnings():
        if CJK_FONT is None:
            # One warning per missing glyph would only be noise.
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        yield


def styled(build):
    """Decorator for functions that build a Figure: texts are created with STYLE (fonts are fixed at creation)."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with _styled():
            return build(*args, **kwargs)

    return wrapper


def _new_figure(figsize: tuple[float, float], layout: str | None = "constrained") -> Figure:
    """Create a figure with its own Agg canvas, independent of pyplot."""
    fig = Figure(figsize=figsize, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def _no_ticks(ax) -> None:
    """Hide ticks and grid the way the tutorial does for image panels."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def _probabilities(probabilities) -> np.ndarray:
    """Return the probabilities as a 1-D float array, or raise a helpful ValueError."""
    array = np.asarray(probabilities, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"probabilities must be a non-empty 1-D array, got shape {array.shape}.")
    return array


def _image(image) -> np.ndarray:
    """Return the image as a 2-D array, or raise a helpful ValueError."""
    array = np.asarray(image)
    if array.ndim != 2:
        raise ValueError(f"image must be 2-D (height, width), got shape {array.shape}.")
    return array


@styled
def image_with_colorbar(image, title: str | None = None) -> Figure:
    """Show one image with a colorbar, as the tutorial does for train_images[0] (uint8 or 0..1 floats)."""
    fig = _new_figure((5, 4))
    ax = fig.subplots()
    image = _image(image)
    # The colour scale shows the full pixel range: 0..255 for integers, 0..1 for preprocessed floats.
    top = 1.0 if image.dtype.kind == "f" and image.max(initial=0) <= 1 else 255
    shown = ax.imshow(image, vmin=0, vmax=top)
    fig.colorbar(shown, ax=ax)
    ax.grid(False)
    if title:
        ax.set_title(title)
    return fig


@styled
def image_grid(images, labels, class_names, rows: int = 5, cols: int = 5, predicted=None) -> Figure:
    """Draw the tutorial's grid of images with class names below; with predicted, wrong ones say "pred (true)" in red."""
    count = min(len(images), rows * cols)
    if len(labels) < count or (predicted is not None and len(predicted) < count):
        raise ValueError("labels (and predicted, if given) need one entry per image shown.")
    fig = _new_figure((2 * cols, 2 * rows + 0.2))
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for i, ax in enumerate(axes):
        if i >= count:
            fig.delaxes(ax)
            continue
        _no_ticks(ax)
        ax.imshow(_image(images[i]), cmap="binary")
        true_name = class_names[int(labels[i])]
        if predicted is None:
            ax.set_xlabel(true_name)
        elif int(predicted[i]) == int(labels[i]):
            ax.set_xlabel(true_name, color=BLUE)
        else:
            ax.set_xlabel(f"{class_names[int(predicted[i])]} ({true_name})", color=RED)
    return fig


def plot_image(ax, probabilities, true_label, image, class_names) -> None:
    """Draw the tutorial's plot_image on ax; with true_label None the label omits "(true)" and is black."""
    probabilities = _probabilities(probabilities)
    _no_ticks(ax)
    ax.imshow(_image(image), cmap="binary")
    predicted = int(np.argmax(probabilities))
    text = f"{class_names[predicted]} {100 * np.max(probabilities):2.0f}%"
    if true_label is None:
        ax.set_xlabel(text, color=NEUTRAL)
    else:
        color = BLUE if predicted == int(true_label) else RED
        ax.set_xlabel(f"{text} ({class_names[int(true_label)]})", color=color)


def plot_value_array(ax, probabilities, true_label=None, class_names=None) -> None:
    """Draw the tutorial's plot_value_array on ax: grey bars, predicted red, true blue (blue wins).

    Without a true label (a drawing, an upload) nothing is right or wrong: the predicted bar is neutral.
    """
    probabilities = _probabilities(probabilities)
    positions = range(len(probabilities))
    ax.grid(False)
    ax.set_yticks([])
    bars = ax.bar(positions, probabilities, color=GREY)
    ax.set_ylim(0, 1)
    bars[int(np.argmax(probabilities))].set_color(RED if true_label is not None else NEUTRAL)
    if true_label is not None:
        bars[int(true_label)].set_color(BLUE)
    if class_names is None:
        ax.set_xticks(list(positions))
    else:
        ax.set_xticks(list(positions), list(class_names), rotation=45, ha="right", rotation_mode="anchor")


@styled
def prediction_grid(images, probabilities, true_labels, class_names, rows: int = 5, cols: int = 3) -> Figure:
    """Draw the tutorial's grid of image and value-array pairs (2*cols columns); true_labels may be None."""
    count = min(len(images), len(probabilities), rows * cols)
    fig = _new_figure((2 * 2 * cols, 2 * rows), layout="tight")
    axes = np.asarray(fig.subplots(rows, 2 * cols)).reshape(rows, 2 * cols)
    for i in range(rows * cols):
        image_ax, bars_ax = axes[i // cols, 2 * (i % cols)], axes[i // cols, 2 * (i % cols) + 1]
        if i >= count:
            fig.delaxes(image_ax)
            fig.delaxes(bars_ax)
            continue
        true_label = None if true_labels is None else true_labels[i]
        plot_image(image_ax, probabilities[i], true_label, images[i], class_names)
        plot_value_array(bars_ax, probabilities[i], true_label)
    return fig


@styled
def probe_grid(images, probabilities, true_labels, class_names, rows: int = 5, cols: int = 5) -> Figure:
    """Draw a rows×cols grid of plot_image panels: "predicted NN%" over "(true)", blue when right, red when wrong."""
    count = min(len(images), len(probabilities), rows * cols)
    # A fixed layout: the panels and their two-line labels always take the same room, and the constrained
    # layout engine would cost this grid half of its drawing time (it is drawn live, at every epoch).
    fig = _new_figure((1.6 * cols, 2.0 * rows), layout=None)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    fig.subplots_adjust(left=0.02, right=0.98, top=1 - 0.1 / rows, bottom=0.3 / rows, wspace=0.25, hspace=0.45)
    for i, ax in enumerate(axes):
        if i >= count:
            fig.delaxes(ax)
            continue
        plot_image(ax, probabilities[i], true_labels[i], images[i], class_names)
        # Two lines, so that the labels stay legible in small panels (and long Chinese names fit).
        ax.set_xlabel(ax.get_xlabel().replace(" (", "\n(", 1), fontsize=10)
    return fig


@styled
def probability_bars(probabilities, class_names, true_label=None) -> Figure:
    """Draw one value array with class names and a percentage above every bar of at least 1%."""
    probabilities = _probabilities(probabilities)
    fig = _new_figure((6.4, 3.6))
    ax = fig.subplots()
    plot_value_array(ax, probabilities, true_label, class_names)
    labels = [f"{100 * p:.0f}%" if p >= 0.01 else "" for p in probabilities]
    ax.bar_label(ax.containers[0], labels=labels, padding=2, fontsize=9)
    # Headroom keeps the label of a bar at 100% inside the axes.
    ax.set_ylim(0, 1.12)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return fig


@styled
def mean_images(images, labels, class_names) -> Figure:
    """Draw one row with the mean image of each class."""
    images, labels = np.asarray(images), np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"need one label per image, got {len(images)} images and {len(labels)} labels.")
    fig = _new_figure((1.5 * len(class_names), 2.0))
    axes = np.atleast_1d(fig.subplots(1, len(class_names)))
    for class_id, ax in enumerate(axes):
        _no_ticks(ax)
        ax.set_title(class_names[class_id], fontsize=10)
        members = images[labels == class_id]
        if len(members):
            ax.imshow(members.mean(axis=0), cmap="binary")
    return fig


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes with the Agg canvas."""
    buffer = io.BytesIO()
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    with _styled():  # Tick labels made while drawing get the same fonts.
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
