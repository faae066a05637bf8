"""Vega-Lite chart specifications (plain dicts): the browser draws them, so no figure is rendered here.

The Predict page redraws its probability bars after every stroke on the canvas; a matplotlib figure
turned into a PNG costs tens of milliseconds there, a spec with ten numbers costs nothing.
"""

from __future__ import annotations

import numpy as np

# The tutorial's plot_value_array colours (as in fmnist.charts.figures): other bars grey, predicted red, true blue.
# Without a true label (a drawing, an upload) nothing is right or wrong: the predicted bar is neutral.
GREY, RED, BLUE, NEUTRAL = "#777777", "red", "blue", "black"


def bar_colours(probabilities, true_label: int | None = None) -> list[str]:
    """The colour of each bar: grey; the predicted bar red (neutral without a true label); the true bar blue."""
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.shape != (10,):
        raise ValueError(f"Expected 10 probabilities, got shape {probabilities.shape}.")
    colours = [GREY] * 10
    colours[int(np.argmax(probabilities))] = RED if true_label is not None else NEUTRAL
    if true_label is not None:
        colours[int(true_label)] = BLUE
    return colours


def probability_bars(probabilities, class_names, true_label: int | None = None, height: int = 220) -> dict:
    """The tutorial's value array as a Vega-Lite bar chart, with a percentage above every bar of at least 1%."""
    colours = bar_colours(probabilities, true_label)
    values = [
        {"name": name, "p": float(p), "colour": colour, "label": f"{100 * p:.0f}%" if p >= 0.01 else ""}
        for name, p, colour in zip(class_names, np.asarray(probabilities, dtype=float), colours)
    ]
    x = {"field": "name", "type": "nominal", "sort": list(class_names), "title": None,
         "axis": {"labelAngle": -45, "labelAlign": "right", "labelFontSize": 12}}  # fmt: skip
    y = {"field": "p", "type": "quantitative", "scale": {"domain": [0, 1.12]}, "axis": None}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": values},
        "height": height,
        "encoding": {"x": x, "y": y},
        "layer": [
            {
                "mark": {"type": "bar"},
                "encoding": {
                    "color": {"field": "colour", "type": "nominal", "scale": None, "legend": None},
                    "tooltip": [{"field": "name", "title": " "}, {"field": "p", "format": ".1%", "title": "p"}],
                },
            },
            {"mark": {"type": "text", "dy": -7, "fontSize": 11, "color": "#333333"}, "encoding": {"text": {"field": "label"}}},
        ],
        # A white card as the figure was, readable in the light and the dark theme alike.
        "config": {"background": "white", "view": {"stroke": None}, "axis": {"labelColor": "#333333", "domainColor": "#999999"}},
    }
