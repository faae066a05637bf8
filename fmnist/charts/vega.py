"""Vega-Lite chart specifications (plain dicts): the browser draws them, so no figure is rendered here.

The Predict page redraws its probability bars after every stroke on the canvas, where rendering a matplotlib
figure to a PNG would be the slow part and a spec of ten numbers costs next to nothing. The confusion matrix
is a spec too, the one chart of it that every page shows, so a click on a cell can select it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def probability_rows(probabilities, class_names, true_label: int | None = None) -> list[dict]:
    """The bars' data: one row per class, in class order, with its colour and its label (a percentage from 1%)."""
    colours = bar_colours(probabilities, true_label)
    return [
        {"name": name, "p": float(p), "colour": colour, "label": f"{100 * p:.0f}%" if p >= 0.01 else ""}
        for name, p, colour in zip(class_names, np.asarray(probabilities, dtype=float), colours)
    ]


def probability_bars_spec(class_names, height: int = 220) -> dict:
    """The tutorial's value array as a Vega-Lite bar chart of `probability_rows`, without the data.

    The same spec for every drawing: Streamlit's chart then only swaps its data when a stroke changes the
    probabilities, where a new spec would make the browser build the whole chart again at each update."""
    x = {"field": "name", "type": "nominal", "sort": list(class_names), "title": None,
         "axis": {"labelAngle": -45, "labelAlign": "right", "labelFontSize": 12}}  # fmt: skip
    y = {"field": "p", "type": "quantitative", "scale": {"domain": [0, 1.12]}, "axis": None}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
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


def probability_bars(probabilities, class_names, true_label: int | None = None, height: int = 220) -> dict:
    """The bar chart with its data inside: one self-contained spec (plain JSON)."""
    rows = probability_rows(probabilities, class_names, true_label)
    return {**probability_bars_spec(class_names, height), "data": {"values": rows}}


# The confusion matrix's titles when a page gives none (the pages pass their own, in the chosen language).
CONFUSION_TITLES = {"predicted": "Predicted", "true": "True", "count": "Count", "share": "Share of the row"}
# Where on the colour scale (0 to 1) a cell's number turns from black to white, readable on the darker blues.
WHITE_TEXT_FROM = 0.6


def confusion_cells(matrix, class_names: Sequence[str]) -> list[dict]:
    """One row per cell: class ids and names, the count and its share of the row (of the true class's images)."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] != len(class_names):
        raise ValueError(f"matrix must be square with one row per class name, got shape {matrix.shape}.")
    totals = matrix.sum(axis=1)
    cells = []
    for (true, predicted), count in np.ndenumerate(matrix):
        share = float(count / totals[true]) if totals[true] else 0.0
        names = {"true_name": class_names[true], "predicted_name": class_names[predicted]}
        cells.append({"true": true, "predicted": predicted, **names, "count": int(count), "share": share})
    return cells


def confusion_matrix(
    matrix,
    class_names: Sequence[str],
    *,
    normalize: bool = False,
    titles: Mapping[str, str] | None = None,
    selection: str | None = None,
    width: int | None = None,
    height: int = 420,
) -> dict:
    """The confusion matrix as a heat map: rows true, columns predicted, each cell's number written in it.

    The number is the count, or with `normalize` the cell's share of its row. Counts are coloured on a
    symmetric-log scale, so that the few images of a rare confusion still show against the diagonal's many.
    With `selection`, a click picks a cell: a point selection of that name over the fields "true" and
    "predicted" (class ids), which Streamlit reports as the chart's selection; the other cells fade.
    """
    titles = {**CONFUSION_TITLES, **(titles or {})}
    cells = confusion_cells(matrix, class_names)
    field = "share" if normalize else "count"
    top = max((cell[field] for cell in cells), default=0) or 1
    if normalize:
        scale = {"scheme": "blues", "domain": [0, 1]}
        white_from = WHITE_TEXT_FROM
    else:
        scale = {"type": "symlog", "scheme": "blues", "domain": [0, top]}
        white_from = float(np.expm1(WHITE_TEXT_FROM * np.log1p(top)))  # Vega's symlog: log1p(x), constant 1.
    for cell in cells:
        cell["label"] = f"{cell['share']:.2f}" if normalize else str(cell["count"])
    names = list(class_names)
    x = {"field": "predicted_name", "type": "nominal", "sort": names, "title": titles["predicted"],
         "axis": {"labelAngle": -45, "labelOverlap": False}}  # fmt: skip
    y = {"field": "true_name", "type": "nominal", "sort": names, "title": titles["true"]}
    tooltip = [
        {"field": "true_name", "title": titles["true"]},
        {"field": "predicted_name", "title": titles["predicted"]},
        {"field": "count", "title": titles["count"]},
    ] + ([{"field": "share", "title": titles["share"], "format": ".1%"}] if normalize else [])
    squares = {
        "mark": "rect",
        "encoding": {"color": {"field": field, "type": "quantitative", "scale": scale, "legend": None}, "tooltip": tooltip},
    }
    if selection:
        squares["params"] = [{"name": selection, "select": {"type": "point", "fields": ["true", "predicted"], "on": "click"}}]
        squares["encoding"]["opacity"] = {"condition": {"param": selection, "value": 1.0}, "value": 0.5}
    numbers = {
        "mark": {"type": "text", "fontSize": 11},
        "encoding": {
            "text": {"field": "label"},
            "color": {"condition": {"test": f"datum.{field} > {white_from}", "value": "white"}, "value": "black"},
        },
    }
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": cells},
        "height": height,
        "encoding": {"x": x, "y": y},
        "layer": [squares, numbers],
    }
    if width is not None:
        spec["width"] = width
    return spec


# The runs compared on /runs: a solid line per run or group mean, the baseline dashed, a group's band faint.
RUN_DASH, BASELINE_DASH = [1, 0], [6, 4]
BAND_OPACITY = 0.18


def run_curves(
    lines: Sequence[Mapping],
    bands: Sequence[Mapping] = (),
    *,
    x_title: str = "step",
    y_title: str = "value",
    titles: Mapping[str, str] | None = None,
    points: bool = False,
    height: int = 260,
) -> dict:
    """Overlaid curves of runs as one Vega-Lite spec.

    `lines`: rows (label, x, value, series, baseline): a run's curve or a group's mean, coloured by label; the
    rows with a true "baseline" are drawn dashed (strokeDash), the others solid; a "validation" series is
    fainter than "train". `bands`: rows (label, x, low, high, series), each group's mean ± sd as an area of its
    label's colour. `titles` names the legends ("run", "kind", "series"), the two kinds of line ("run_kind",
    "baseline_kind") and the two series as the rows name them ("train", "validation"); English by default.
    """
    titles = {"run": "Run", "kind": "Line", "series": "Series", "run_kind": "run", "baseline_kind": "baseline",
              "train": "train", "validation": "validation", **(titles or {})}  # fmt: skip
    kinds = [titles["run_kind"], titles["baseline_kind"]]
    values = [{**row, "kind": kinds[1] if row.get("baseline") else kinds[0]} for row in lines]
    x = {"field": "x", "type": "quantitative", "title": x_title}
    # An explicit scheme: the theme's default palette starts with two blues, too alike for two runs side by side.
    colour = {"field": "label", "type": "nominal", "title": titles["run"], "scale": {"scheme": "tableau10"}}
    layers = []
    if bands:
        layers.append({
            "data": {"values": [dict(row) for row in bands]},
            "mark": {"type": "area", "opacity": BAND_OPACITY},
            "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}, "color": colour,
                         "detail": {"field": "series"}},
        })  # fmt: skip
    layers.append({
        "data": {"values": values},
        "mark": {"type": "line", "point": points},
        "encoding": {
            "x": x,
            "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": False}},
            "color": colour,
            # No legend of its own: the baseline's label says so.
            "strokeDash": {"field": "kind", "type": "nominal", "title": titles["kind"], "legend": None,
                           "scale": {"domain": kinds, "range": [RUN_DASH, BASELINE_DASH]}},
            "opacity": {"field": "series", "type": "nominal", "title": titles["series"],
                        "scale": {"domain": [titles["train"], titles["validation"]], "range": [1.0, 0.5]}},
            "detail": {"field": "series"},
            "tooltip": [{"field": "label", "title": titles["run"]}, {"field": "series"}, {"field": "x", "title": x_title},
                        {"field": "value", "title": y_title, "format": ".4f"}],
        },
    })  # fmt: skip
    # Legends under the chart: run ids are long and the charts sit two to a row.
    legend = {"orient": "bottom", "direction": "vertical", "labelLimit": 400}
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "height": height, "layer": layers,
            "config": {"legend": legend}}  # fmt: skip


# The fields of a run that the accuracy-against-time chart shows in its tooltip, in order.
SCATTER_TOOLTIP = ("run", "model", "epochs_run", "batch_size", "learning_rate", "test_accuracy", "train_seconds")


def accuracy_time(
    runs: Sequence[Mapping],
    references: Sequence[Mapping] = (),
    *,
    tutorial_seconds: float | None = None,
    titles: Mapping[str, str] | None = None,
    height: int = 320,
) -> dict:
    """Test accuracy against training time, one point per run, as one Vega-Lite spec.

    `runs`: rows with SCATTER_TOOLTIP's fields and "selected" (a selected run's point is outlined); coloured by
    model. `references`: rows (label, accuracy), each a dashed horizontal line of its own colour (people's
    accuracy, the best run, the tutorial's recipe). `tutorial_seconds`: a dotted grey vertical line at the
    tutorial recipe's training time. `titles` names the axes, the model legend and the tooltip's fields.
    A plain dict, where Altair would validate the spec against its schema at every rerun of the page.
    """
    titles = {field: field for field in SCATTER_TOOLTIP} | {"model": "Model", **(titles or {})}
    values = [{field: row.get(field) for field in (*SCATTER_TOOLTIP, "selected")} for row in runs]
    x = {"field": "train_seconds", "type": "quantitative", "title": titles["train_seconds"], "scale": {"zero": False}}
    tooltip = [{"field": field, "title": titles[field], **({"format": ".4f"} if field == "test_accuracy" else {})}
               for field in SCATTER_TOOLTIP]  # fmt: skip
    layers = [{
        "data": {"values": values},
        "mark": {"type": "circle", "size": 90},
        "encoding": {
            "x": x,
            "y": {"field": "test_accuracy", "type": "quantitative", "title": titles["test_accuracy"], "scale": {"zero": False}},
            "color": {"field": "model", "type": "nominal", "title": titles["model"]},
            "stroke": {"condition": {"test": "datum.selected", "value": "black"}, "value": None},
            "tooltip": tooltip,
        },
    }]  # fmt: skip
    if tutorial_seconds is not None:
        layers.append({"data": {"values": [{"train_seconds": float(tutorial_seconds)}]},
                       "mark": {"type": "rule", "strokeDash": [2, 2], "color": "grey"}, "encoding": {"x": x}})  # fmt: skip
    if references:
        layers.append({
            "data": {"values": [{"label": row["label"], "accuracy": float(row["accuracy"])} for row in references]},
            "mark": {"type": "rule", "strokeDash": [6, 4]},
            "encoding": {"y": {"field": "accuracy", "type": "quantitative"},
                         "color": {"field": "label", "type": "nominal", "title": None, "scale": {"scheme": "set1"}}},
        })  # fmt: skip
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "height": height, "layer": layers,
            "resolve": {"scale": {"color": "independent"}}}  # fmt: skip
