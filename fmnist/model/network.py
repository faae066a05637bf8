"""The network builder's settings, without TensorFlow: each architecture's layers by default and in old
records, the limits a network must keep, its parameter count, and the checks with a message for a person.

fmnist.model.config re-exports all of it: a TrainConfig's network settings are these.
"""

from __future__ import annotations

# Each architecture's layers (the network builder): the MLP's hidden Dense widths, the CNN's filters per
# convolution block (3x3 convolution + 2x2 max pooling) and its dense layer; dropout after the hidden layers
# (MLP) or before the dense head (CNN); batch normalisation before each hidden layer's or convolution's ReLU.
# The defaults are the tutorial's MLP with batch normalisation (more accurate than without, in less time;
# docs/benchmarks.md) and the project's fast CNN (the accuracy/time frontier's best recipe within the
# tutorial's time).
ARCHITECTURE_DEFAULTS = {
    "mlp": {"hidden_units": (128,), "dropout": 0.0, "batch_norm": True},
    "cnn": {"filters": (16, 32), "dense_units": 128, "dropout": 0.0, "batch_norm": True, "norm_after_pool": True},
}
# What a stored record (a run's config.json, a saved model's metadata) means by a network setting it does not
# name: the network as it was before the setting existed. Records from before the network builder name none
# (older shipped models among them: 32/64 filters, dropout 0.3); those from before `norm_after_pool` lack that
# one, and MLP records from before the MLP's batch normalisation lack `batch_norm`.
STORED_DEFAULTS = {
    "mlp": {"hidden_units": (128,), "dropout": 0.0, "batch_norm": False},
    "cnn": {"filters": (32, 64), "dense_units": 128, "dropout": 0.3, "batch_norm": False, "norm_after_pool": False},
}
# The MLP's batch normalisation follows the batch statistics faster than Keras's default momentum (0.99): its
# running mean and variance, which predictions use, are right after tens of steps instead of hundreds, so a quick
# try on a subset predicts as well as it trained, and a full run is as accurate as with the default.
MLP_NORM_MOMENTUM = 0.9
ARCHITECTURE_KEYS = ("hidden_units", "filters", "dense_units", "dropout", "batch_norm", "norm_after_pool")
ARCHITECTURES = tuple(ARCHITECTURE_DEFAULTS)
# The most weights a network may have: 5 million float32 numbers are 20 MB, and Adam keeps two more copies;
# far beyond that a small machine trains for hours and a class's server runs out of memory.
MAX_PARAMETERS = 5_000_000
MAX_HIDDEN_LAYERS, MAX_WIDTH = 8, 4096
# Four 2x2 poolings take 28 pixels down to 1; each block's filters at most MAX_FILTERS.
MAX_CONV_BLOCKS, MAX_FILTERS = 4, 512
MAX_DROPOUT = 0.8


def architecture_settings(model: str, settings: dict | None = None) -> dict:
    """The whole settings of `model`'s network: its defaults, overridden by `settings` (a run's or a saved model's)."""
    if model not in ARCHITECTURE_DEFAULTS:
        raise ValueError(f'Unknown model "{model}"; choose one of: {", ".join(ARCHITECTURES)}.')
    given = settings or {}
    merged = {key: given.get(key, default) for key, default in ARCHITECTURE_DEFAULTS[model].items()}
    for key in ("hidden_units", "filters"):
        if key in merged:
            merged[key] = tuple(merged[key])
    return merged


def stored_architecture(model, settings):
    """The settings a stored record means: the ones it names, the rest from STORED_DEFAULTS (not today's defaults).
    Anything else (an unknown model, settings that are not a mapping) is handed back as it is, to be refused by
    the builder with its own message."""
    if not isinstance(model, str) or model not in STORED_DEFAULTS or not (settings is None or isinstance(settings, dict)):
        return settings
    return {**STORED_DEFAULTS[model], **(settings or {})}


def parameter_count(model: str, settings: dict | None = None) -> int:
    """The number of weights of `model` built with `settings`, counted as Keras does, without building it."""
    s = architecture_settings(model, settings)
    total, width = 0, 28 * 28
    if model == "mlp":
        for units in s["hidden_units"]:
            # With batch normalisation, the layer's bias goes and each unit gets 4 numbers (2 learnt).
            total += width * units + (4 * units if s["batch_norm"] else units)
            width = units
    else:
        channels, size = 1, 28
        for filters in s["filters"]:
            # With batch normalisation, the convolution's bias goes and each filter gets 4 numbers (2 learnt).
            total += 3 * 3 * channels * filters + (4 * filters if s["batch_norm"] else filters)
            channels, size = filters, size // 2
        width = size * size * channels
        total += width * s["dense_units"] + s["dense_units"]
        width = s["dense_units"]
    return total + width * 10 + 10


def is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_architecture(model: str, settings: dict) -> None:
    """ValueError, for a person, unless `settings` make a network this app can build and train."""
    s = architecture_settings(model, settings)
    if model == "mlp":
        widths, most, what = s["hidden_units"], MAX_HIDDEN_LAYERS, "hidden layers"
        if not widths:
            raise ValueError("The network needs at least one hidden layer: give its width, for example 128.")
    else:
        widths, most, what = s["filters"], MAX_CONV_BLOCKS, "convolution blocks"
        if not widths:
            raise ValueError("The network needs at least one convolution block: give its filters, for example 32.")
    if len(widths) > most:
        raise ValueError(f"At most {most} {what}, not {len(widths)}.")
    largest = MAX_WIDTH if model == "mlp" else MAX_FILTERS
    for width in widths:
        if not is_whole(width) or not 1 <= width <= largest:
            raise ValueError(f"Each of the {what} needs between 1 and {largest} units, not {width}.")
    if model == "cnn" and (not is_whole(s["dense_units"]) or not 1 <= s["dense_units"] <= MAX_WIDTH):
        raise ValueError(f"The dense layer needs between 1 and {MAX_WIDTH} units, not {s['dense_units']}.")
    if not isinstance(s["batch_norm"], bool):
        raise ValueError(f"Batch normalisation is on (true) or off (false), not {s['batch_norm']!r}.")
    if model == "cnn" and not isinstance(s["norm_after_pool"], bool):
        raise ValueError(f"Normalising after the pooling is on (true) or off (false), not {s['norm_after_pool']!r}.")
    if isinstance(s["dropout"], bool) or not isinstance(s["dropout"], (int, float)) or not 0 <= s["dropout"] <= MAX_DROPOUT:
        raise ValueError(f"Dropout must be between 0 and {MAX_DROPOUT}, not {s['dropout']}.")
    count = parameter_count(model, s)
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"This network has {count:,} parameters; this app trains at most {MAX_PARAMETERS:,} "
            "(memory and time on a shared machine). Use fewer or narrower layers."
        )


def parse_widths(text: str) -> tuple[int, ...]:
    """Layer widths from what a person typed ("256, 128" or "256 128"); ValueError says what is wrong."""
    parts = [part for part in str(text).replace(",", " ").split() if part]
    if not parts:
        raise ValueError("Give at least one layer width, for example 128.")
    widths = []
    for part in parts:
        if not part.isdigit():
            raise ValueError(f'"{part}" is not a whole number of units.')
        widths.append(int(part))
    return tuple(widths)
