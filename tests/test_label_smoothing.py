"""Label smoothing: a training setting from the form, the command line and a link down to the loss."""

import argparse
import json

import numpy as np
import pytest

from fmnist.cli import train_options
from fmnist.model import architectures, training
from fmnist.model.config import MAX_LABEL_SMOOTHING, TrainConfig
from fmnist.model.history import Control
from pages import train_query


@pytest.mark.parametrize("value", [-0.1, MAX_LABEL_SMOOTHING + 0.01, True, "0.1", float("nan")])
def test_a_smoothing_outside_zero_to_the_maximum_is_refused_with_a_message(value):
    with pytest.raises(ValueError, match=f"Label smoothing must be between 0 \\(off\\) and {MAX_LABEL_SMOOTHING}"):
        TrainConfig(label_smoothing=value).resolved()


def test_the_setting_travels_through_a_record_a_link_and_the_command_line():
    config = TrainConfig(model="cnn", label_smoothing=0.1).resolved()
    assert TrainConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    kept, ignored = train_query.from_query(train_query.to_query(config))
    assert ignored == [] and TrainConfig(**kept).resolved() == config
    kept, ignored = train_query.from_query({"label_smoothing": "0.7"})
    assert "label_smoothing" not in kept and [name for name, _, _ in ignored] == ["label_smoothing"]
    # A run recorded before the setting existed trained with the tutorial's loss.
    stored = {key: value for key, value in config.to_dict().items() if key != "label_smoothing"}
    assert TrainConfig.from_dict(stored).label_smoothing == 0.0
    parser = argparse.ArgumentParser()
    train_options.add_arguments(parser)
    assert train_options.config_from_args(parser.parse_args(["--label-smoothing", "0.2"])).label_smoothing == 0.2
    assert train_options.config_from_args(parser.parse_args(["--preset", "cnn-fast"])).label_smoothing == 0.0


def test_the_smoothed_loss_is_the_cross_entropy_against_smoothed_targets():
    rng = np.random.default_rng(0)
    logits, labels = rng.normal(size=(6, 10)).astype(np.float32), np.array([0, 3, 9, 3, 5, 1], dtype=np.int32)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    for smoothing in (0.0, 0.1, 0.5):
        targets = np.full((6, 10), smoothing / 10) + (1 - smoothing) * np.eye(10)[labels]
        expected = float(np.mean(-(targets * log_p).sum(axis=1)))
        loss = architectures.SmoothedSparseCrossentropy(smoothing)
        assert float(loss(labels, logits)) == pytest.approx(expected, rel=1e-5)
        assert float(loss(labels[:, None], logits)) == pytest.approx(expected, rel=1e-5)  # Labels as a column too.
    plain = architectures.compile_model(architectures.build("mlp"), label_smoothing=0.0).loss
    assert float(plain(labels, logits)) == pytest.approx(float(architectures.SmoothedSparseCrossentropy(0.0)(labels, logits)))


@pytest.mark.slow
def test_a_run_with_smoothing_never_reports_a_loss_below_what_its_targets_allow(dataset):
    # With s = 0.5 the target of each image is 0.55 on its class and 0.05 on the nine others: the cross-entropy
    # cannot fall below that distribution's entropy, while the same run with the tutorial's loss goes far below it.
    floor = -(0.55 * np.log(0.55) + 9 * 0.05 * np.log(0.05))
    losses = {}
    for smoothing in (0.5, 0.0):
        events = []
        recipe = TrainConfig(model="mlp", epochs=3, limit=600, batch_size=32, validation_split=0.0, label_smoothing=smoothing)
        training.train(recipe, dataset, events.append, Control())
        losses[smoothing] = [e["loss"] for e in events if e.get("type") == "epoch" and not e.get("partial")]
    assert len(losses[0.5]) == 3 and min(losses[0.5]) >= floor - 1e-4
    assert losses[0.0][-1] < floor - 0.5
