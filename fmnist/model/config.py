"""What decides a training run, and the per-model tables; no TensorFlow here.

`TrainConfig` is the one description of a run that the pages, the command
line, the job runner and the child process that trains all share. The tables
below are the single home of the choices (architectures, optimizers,
schedules), each model's defaults and how it runs fastest, and the statuses a
run goes through.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from fmnist.model.network import (  # noqa: F401  (re-exported: the network settings are part of a run's config)
    ARCHITECTURE_DEFAULTS,
    ARCHITECTURE_KEYS,
    MAX_CONV_BLOCKS,
    MAX_DROPOUT,
    MAX_FILTERS,
    MAX_HIDDEN_LAYERS,
    MAX_PARAMETERS,
    MAX_WIDTH,
    STORED_DEFAULTS,
    architecture_settings,
    check_architecture,
    is_whole,
    parameter_count,
    parse_widths,
    stored_architecture,
)

OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("cosine", "onecycle", "constant")

# Each model's defaults: its best speed/accuracy trade-off on a small CPU (docs/benchmarks.md). The MLP's, with
# its batch normalisation: 4 epochs of a one-cycle rate peaking at 2e-2 on all 60,000 images, more accurate than
# the tutorial's recipe in a fraction of its time, and better than a validation split or a cosine at a lower rate.
# The CNN's is the fast recipe: a one-cycle rate on all 60,000 images, which beat a validation split with the
# cosine (the split is one setting away).
DEFAULTS = {
    "mlp": {"epochs": 4, "batch_size": 256, "learning_rate": 2e-2, "schedule": "onecycle", "validation_split": 0.0},
    "cnn": {"epochs": 4, "batch_size": 128, "learning_rate": 5e-3, "schedule": "onecycle", "validation_split": 0.0},
}
ARCHITECTURES = tuple(DEFAULTS)

# "onecycle": the learning rate climbs from a tenth of its peak to the peak over this fraction of the steps,
# then falls along a cosine to 2 % of the peak (Keras's CosineDecay with a linear warm-up).
WARMUP_FRACTION = 0.3
MAX_PATIENCE = 100
# Label smoothing: the most of each target's certainty that may be spread over all ten classes.
MAX_LABEL_SMOOTHING = 0.5
# Drawings: the largest share of training images that may be shown as drawings instead.
MAX_DRAWINGS = 0.5

# "As in the tutorial": its network and its `model.fit(train_images, train_labels, epochs=10)` with Keras's
# defaults (batch 32, Adam at 1e-3, a constant learning rate, no validation split).
TUTORIAL_PRESET = {
    "model": "mlp",
    "epochs": 10,
    "batch_size": 32,
    "learning_rate": 1e-3,
    "optimizer": "adam",
    "schedule": "constant",
    "validation_split": 0.0,
    "hidden_units": (128,),
    "dropout": 0.0,
    "batch_norm": False,
    "augment": False,
    "early_stopping": 0,
    "label_smoothing": 0.0,
}
# "A fast CNN": the quickest CNN recipe of the accuracy/time frontier (docs/benchmarks.md,
# `python -m fmnist bench --frontier`): small convolution blocks, each normalised after its pooling, a one-cycle
# learning rate, batches of 128, 4 epochs.
FAST_CNN_PRESET = {
    "model": "cnn",
    "epochs": 4,
    "batch_size": 128,
    "learning_rate": 5e-3,
    "optimizer": "adam",
    "schedule": "onecycle",
    "validation_split": 0.0,
    "filters": (16, 32),
    "dense_units": 128,
    "dropout": 0.0,
    "batch_norm": True,
    "norm_after_pool": True,
    "augment": False,
    "early_stopping": 0,
    "label_smoothing": 0.0,
}
# "An accurate CNN": the frontier's most accurate recipe within 2.5x the tutorial's time (docs/benchmarks.md,
# `python -m fmnist bench --frontier cnn-smooth`): the fast network with a dense layer of 256 and dropout, trained
# for 10 epochs with label smoothing.
ACCURATE_CNN_PRESET = {**FAST_CNN_PRESET, "epochs": 10, "dense_units": 256, "dropout": 0.3, "label_smoothing": 0.1}
PRESETS = {"tutorial": TUTORIAL_PRESET, "cnn-fast": FAST_CNN_PRESET, "cnn-accurate": ACCURATE_CNN_PRESET}

# How each architecture runs fastest on a small CPU (docs/benchmarks.md): XLA (`jit_compile`) costs more in
# compiling than it saves for either model at these sizes, and running 16 of the MLP's small steps per call
# (`steps_per_execution`) saves Python overhead; the live history then gets one point per 16 batches. The CNN
# runs 8 steps per call, which makes its whole training process much shorter (the callbacks, TensorBoard's
# per-step summaries among them, run once per call) while the live charts still get dozens of points per epoch.
EXECUTION = {
    "mlp": {"jit_compile": False, "steps_per_execution": 16},
    "cnn": {"jit_compile": False, "steps_per_execution": 8},
}

# Typical training images per second of each model on a small CPU (docs/benchmarks.md), used only to guess
# when a queued run will start, until this server has timed a run of its own.
TYPICAL_SAMPLES_PER_SECOND = {"mlp": 40000.0, "cnn": 3400.0}

# A run's life: queued -> running (<-> paused) -> stopped | finished | failed; a queued run may be cancelled.
STATUSES = ("queued", "running", "paused", "stopped", "finished", "failed", "cancelled")
ACTIVE_STATUSES = ("queued", "running", "paused")
ENDED_STATUSES = ("stopped", "finished", "failed", "cancelled")
# The statuses of a run that ended with trained weights (a stopped run keeps what it learned).
DONE_STATUSES = ("stopped", "finished")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; None means "the model's default"."""

    # Architecture name: "mlp" (the tutorial's network) or "cnn".
    model: str = "mlp"
    # Passes over the training images.
    epochs: int | None = None
    # Images per gradient step.
    batch_size: int | None = None
    # Step size of the optimizer.
    learning_rate: float | None = None
    # "adam", "sgd" (with momentum 0.9) or "rmsprop".
    optimizer: str = "adam"
    # Fraction of the training images held out to validate after each epoch (0 for none).
    validation_split: float | None = None
    # "cosine" decays the learning rate to 2 % of its start over the run; "onecycle" warms it up first (30 % of
    # the steps, from a tenth of it) and then decays it the same way; "constant" keeps it (the tutorial).
    schedule: str | None = None
    # Train on only the first `limit` training images (None for all 60000).
    limit: int | None = None
    # Seeds weights, shuffling and dropout: same seed, same machine -> same metrics.
    seed: int = 0
    # The network builder (None: the architecture's default, ARCHITECTURE_DEFAULTS); settings of the other
    # architecture are dropped by `resolved`.
    hidden_units: tuple[int, ...] | None = None
    filters: tuple[int, ...] | None = None
    dense_units: int | None = None
    dropout: float | None = None
    # Batch normalisation after each hidden Dense layer (MLP) or convolution (CNN), before its ReLU; the layer
    # then has no bias.
    batch_norm: bool | None = None
    # CNN with batch normalisation: pool first, then normalise and apply the ReLU: the same kind of network on a
    # quarter of the values, so an epoch costs less (docs/benchmarks.md).
    norm_after_pool: bool | None = None
    # Random small shifts, rotations and zooms of the training images, new at every epoch (fmnist.data.augment).
    augment: bool = False
    # The share of training images shown as drawings (flat shapes and outlines made from their own masks) at every
    # epoch (fmnist.data.augment.drawing_look), so drawings on the canvas are recognised (0: off).
    drawings: float = 0.0
    # Stop once the validation loss has not improved for this many epochs and keep the best epoch's weights (0: off).
    early_stopping: int = 0
    # Label smoothing: the loss aims at (1 - s) on the true class plus s/10 on every class instead of all on the
    # true one, so the network is not pushed to ever more certain answers (0: the tutorial's loss).
    label_smoothing: float = 0.0

    def resolved(self) -> TrainConfig:
        """A copy with every None replaced by the model's default, after checking all values."""
        if self.model not in ARCHITECTURES:
            raise ValueError(f'Unknown model "{self.model}"; choose one of: {", ".join(ARCHITECTURES)}.')
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f'Unknown optimizer "{self.optimizer}"; choose one of: {", ".join(OPTIMIZERS)}.')
        filled = {key: value if getattr(self, key) is None else getattr(self, key) for key, value in DEFAULTS[self.model].items()}
        if filled["schedule"] not in SCHEDULES:
            raise ValueError(f'Unknown schedule "{filled["schedule"]}"; choose one of: {", ".join(SCHEDULES)}.')
        layers = {key: None for key in ARCHITECTURE_KEYS}
        for key, value in ARCHITECTURE_DEFAULTS[self.model].items():
            layers[key] = value if getattr(self, key) is None else getattr(self, key)
        config = replace(self, **filled, **layers)
        check_architecture(config.model, config.architecture())
        if not 1 <= config.epochs <= 1000:
            raise ValueError(f"Epochs must be between 1 and 1000, not {config.epochs}.")
        if not 1 <= config.batch_size <= 60000:
            raise ValueError(f"The batch size must be between 1 and 60000, not {config.batch_size}.")
        if not 0 < config.learning_rate <= 10:
            raise ValueError(f"The learning rate must be above 0 and at most 10, not {config.learning_rate}.")
        if not 0 <= config.validation_split < 1:
            raise ValueError(f"The validation split must be at least 0 and below 1, not {config.validation_split}.")
        if config.limit is not None and not 10 <= config.limit <= 60000:
            raise ValueError(f"The training subset must hold between 10 and 60000 images, not {config.limit}.")
        if not isinstance(config.augment, bool):
            raise ValueError(f"Augmentation is on (true) or off (false), not {config.augment!r}.")
        share = config.drawings
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= MAX_DRAWINGS:
            raise ValueError(f"The share of images shown as drawings must be between 0 (off) and {MAX_DRAWINGS}, not {share!r}.")
        if not is_whole(config.early_stopping) or not 0 <= config.early_stopping <= MAX_PATIENCE:
            raise ValueError(f"Early stopping waits between 0 (off) and {MAX_PATIENCE} epochs, not {config.early_stopping}.")
        if config.early_stopping and not config.validation_split:
            raise ValueError("Early stopping watches the validation loss: choose a validation split above 0, or turn it off.")
        smoothing = config.label_smoothing
        if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float)) or not 0 <= smoothing <= MAX_LABEL_SMOOTHING:
            raise ValueError(
                f"Label smoothing must be between 0 (off) and {MAX_LABEL_SMOOTHING}, not {config.label_smoothing!r}."
            )
        return config

    def architecture(self) -> dict:
        """The network builder's settings of this config's model (only those set, unless resolved)."""
        return {key: getattr(self, key) for key in ARCHITECTURE_DEFAULTS[self.model] if getattr(self, key) is not None}

    @property
    def train_samples(self) -> int:
        """Images trained on per epoch (the subset less the validation split)."""
        total = self.limit or 60000
        split = DEFAULTS[self.model]["validation_split"] if self.validation_split is None else self.validation_split
        return total - int(total * split)

    def estimated_seconds(self, samples_per_second: float | None = None) -> float:
        """A rough guess of the run's length, from a measured speed or the model's typical one."""
        config = self.resolved()
        speed = samples_per_second or TYPICAL_SAMPLES_PER_SECOND[config.model]
        return config.epochs * config.train_samples / speed

    def to_dict(self) -> dict:
        values = asdict(self)
        for key in ("hidden_units", "filters"):
            values[key] = None if values[key] is None else list(values[key])
        return values

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """A stored config (a run's config.json): the network settings it does not name take STORED_DEFAULTS."""
        names = {f.name for f in fields(cls)}
        kept = {key: value for key, value in values.items() if key in names}
        kept.update(stored_architecture(kept.get("model", "mlp"), {key: kept[key] for key in ARCHITECTURE_KEYS if key in kept}))
        for key in ("hidden_units", "filters"):
            if isinstance(kept.get(key), list):
                kept[key] = tuple(kept[key])
        return cls(**kept)
