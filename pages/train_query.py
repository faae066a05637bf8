"""A run's settings as a URL query, and back: a teacher's link opens the Train form already filled in.

`to_query` writes every setting of a TrainConfig as text; `from_query` reads them back one by one,
keeping each value that makes a valid config together with those kept before it, and says which
values it ignored and why (the form then shows its defaults for those).
"""

from __future__ import annotations

from dataclasses import fields

from fmnist.model.config import TrainConfig, parse_widths

SETTINGS = tuple(f.name for f in fields(TrainConfig))
INTEGERS = ("epochs", "batch_size", "limit", "seed", "dense_units", "early_stopping")
FLOATS = ("learning_rate", "validation_split", "dropout", "label_smoothing", "drawings")
WIDTHS = ("hidden_units", "filters")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def to_query(config: TrainConfig) -> dict[str, str]:
    """The settings of `config` that are set, as query values ("256,128" for layer widths, "1"/"0" for switches)."""
    query = {}
    for name in SETTINGS:
        value = getattr(config, name)
        if value is None:
            continue
        if isinstance(value, bool):
            query[name] = "1" if value else "0"
        elif isinstance(value, tuple):
            query[name] = ",".join(str(width) for width in value)
        else:
            query[name] = str(value)
    return query


def parse(name: str, text: str):
    """The value of one setting from its query text; ValueError for text that is not such a value."""
    text = str(text).strip()
    if name in INTEGERS:
        if name == "limit" and text.lower() in ("", "none", "all"):
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(f'"{text}" is not a whole number') from None
    if name in FLOATS:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f'"{text}" is not a number') from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f'"{text}" is not a finite number')
        return value
    if name in WIDTHS:
        return parse_widths(text)
    if name in ("augment", "batch_norm", "norm_after_pool"):
        if text.lower() in TRUE + FALSE:
            return text.lower() in TRUE
        raise ValueError(f'"{text}" is neither 1 (on) nor 0 (off)')
    return text  # model, optimizer, schedule: checked by TrainConfig.resolved.


def from_query(query, bounds: dict | None = None) -> tuple[dict, list[tuple[str, str, str]]]:
    """(settings, ignored) from a query mapping: the settings that make a valid TrainConfig, and for every value
    left out its (name, text, reason). `bounds` narrows numeric settings to what a form offers: {name: (low, high)}."""
    kept, ignored = {}, []
    for name in SETTINGS:  # The model first, so that later settings are checked against the right architecture.
        if name not in query:
            continue
        text = str(query[name])
        try:
            value = parse(name, text)
            low, high = (bounds or {}).get(name, (None, None))
            if value is not None and low is not None and not low <= value <= high:
                raise ValueError(f"it must be between {low:g} and {high:g}")
            TrainConfig(**{**kept, name: value}).resolved()
        except (ValueError, TypeError) as error:
            ignored.append((name, text, str(error).rstrip(".")))
            continue
        kept[name] = value
    return kept, ignored
