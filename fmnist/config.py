"""What decides a training run, and the per-model tables; no TensorFlow here.

`TrainConfig` is the one description of a run that the pages, the command
line, the job runner and the child process that trains all share. The tables
below are the single home of the choices (architectures, optimizers,
schedules), each model's defaults and how it runs fastest, and the statuses a
run goes through.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("cosine", "constant")

# Each model's defaults: the best speed/accuracy trade-off measured on a 2-core CPU (see README).
DEFAULTS = {
    "mlp": {"epochs": 7, "batch_size": 256, "learning_rate": 5e-3},
    "cnn": {"epochs": 12, "batch_size": 256, "learning_rate": 3e-3},
}
ARCHITECTURES = tuple(DEFAULTS)

# How each architecture runs fastest on a 2-core CPU (measured, see README "Performance"): XLA
# (`jit_compile`) cost more in compiling than it saved for either model at these sizes, and running
# 16 of the MLP's small steps per call (`steps_per_execution`) saves about 13 % of Python overhead;
# the live history then gets one point per 16 batches.
EXECUTION = {
    "mlp": {"jit_compile": False, "steps_per_execution": 16},
    "cnn": {"jit_compile": False, "steps_per_execution": 1},
}

# Training images per second of each model on the project's 2-core machine (README "Performance"),
# used only to guess when a queued run will start, until this server has timed a run of its own.
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
    validation_split: float = 0.1
    # "cosine" decays the learning rate to 2 % of its start over the run; "constant" keeps it (the tutorial).
    schedule: str = "cosine"
    # Train on only the first `limit` training images (None for all 60000).
    limit: int | None = None
    # Seeds weights, shuffling and dropout: same seed, same machine -> same metrics.
    seed: int = 0

    def resolved(self) -> TrainConfig:
        """A copy with every None replaced by the model's default, after checking all values."""
        if self.model not in ARCHITECTURES:
            raise ValueError(f'Unknown model "{self.model}"; choose one of: {", ".join(ARCHITECTURES)}.')
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f'Unknown optimizer "{self.optimizer}"; choose one of: {", ".join(OPTIMIZERS)}.')
        if self.schedule not in SCHEDULES:
            raise ValueError(f'Unknown schedule "{self.schedule}"; choose one of: {", ".join(SCHEDULES)}.')
        filled = {key: value if getattr(self, key) is None else getattr(self, key) for key, value in DEFAULTS[self.model].items()}
        config = replace(self, **filled)
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
        return config

    @property
    def train_samples(self) -> int:
        """Images trained on per epoch (the subset less the validation split)."""
        total = self.limit or 60000
        return total - int(total * self.validation_split)

    def estimated_seconds(self, samples_per_second: float | None = None) -> float:
        """A rough guess of the run's length, from a measured speed or the model's typical one."""
        config = self.resolved()
        speed = samples_per_second or TYPICAL_SAMPLES_PER_SECOND[config.model]
        return config.epochs * config.train_samples / speed

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in names})
