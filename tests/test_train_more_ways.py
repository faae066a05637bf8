"""Train more ways: the network builder, augmentation, early stopping, the tutorial preset, settings in a URL."""

import json

import numpy as np
import pytest

from fmnist import registry
from fmnist.data import augment
from fmnist.model import architectures, training
from fmnist.model.config import MAX_PARAMETERS, TUTORIAL_PRESET, TrainConfig, parameter_count, parse_widths
from fmnist.model.history import Control
from pages import train_query

SETTINGS = [
    ("mlp", {}),
    ("mlp", {"hidden_units": (256, 128, 64), "dropout": 0.2}),
    ("mlp", {"hidden_units": (7,)}),
    ("mlp", {"hidden_units": (128,), "batch_norm": False}),
    ("mlp", {"hidden_units": (64, 32), "dropout": 0.2, "batch_norm": True}),
    ("cnn", {}),
    ("cnn", {"filters": (16, 32, 64), "dense_units": 64, "dropout": 0.0}),
    ("cnn", {"filters": (8, 8, 8, 8), "dense_units": 10}),
    ("cnn", {"filters": (16, 32), "dense_units": 64, "batch_norm": True}),
    ("cnn", {"filters": (16, 32, 64), "dense_units": 64, "batch_norm": True, "norm_after_pool": True}),
]


@pytest.mark.parametrize(("model", "settings"), SETTINGS)
def test_the_parameter_count_shown_before_training_is_what_keras_builds(model, settings):
    built = architectures.build(model, settings)
    assert parameter_count(model, settings) == built.count_params()
    assert built.output_shape == (None, 10)


def test_normalising_after_pooling_moves_the_pooling_before_the_normalisation_and_keeps_the_weights():
    def kinds(settings):
        return [layer.__class__.__name__ for layer in architectures.build("cnn", settings).layers]

    before = kinds({"filters": (8,), "batch_norm": True, "norm_after_pool": False, "dropout": 0})
    after = kinds({"filters": (8,), "batch_norm": True, "norm_after_pool": True, "dropout": 0})
    assert before[:5] == ["Reshape", "Conv2D", "BatchNormalization", "Activation", "MaxPooling2D"]
    assert after[:5] == ["Reshape", "Conv2D", "MaxPooling2D", "BatchNormalization", "Activation"]
    # Without batch normalisation the switch changes nothing; with it, the same weights in number and shape.
    assert kinds({"batch_norm": False, "norm_after_pool": True}) == kinds({"batch_norm": False, "norm_after_pool": False})
    plain, pooled = (architectures.build("cnn", {"batch_norm": True, "norm_after_pool": flag}) for flag in (False, True))
    assert [w.shape for w in plain.get_weights()] == [w.shape for w in pooled.get_weights()]
    with pytest.raises(ValueError, match="after the pooling is on"):
        TrainConfig(model="cnn", norm_after_pool="yes").resolved()


def test_a_saved_model_rebuilds_with_its_normalisation_order(model_dir):
    import keras

    settings = {"filters": (8,), "dense_units": 16, "dropout": 0.0, "batch_norm": True, "norm_after_pool": True}
    model = architectures.build("cnn", settings)
    # With a positive scale, normalisation and ReLU keep the order of values, so max pooling commutes with them; a
    # negative scale makes the two orders compute different functions.
    model.get_layer("batch_normalization").set_weights([np.full(8, -1.0), np.zeros(8), np.full(8, 0.1), np.ones(8)])
    images = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
    expected = keras.ops.convert_to_numpy(model(images))
    registry.save(model, "pooled", {"architecture_settings": settings, "config": {"model": "cnn", **settings}})
    loaded = registry.load("pooled")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(images)), expected, rtol=1e-5, atol=1e-6)
    other = architectures.build("cnn", {**settings, "norm_after_pool": False})
    other.set_weights(model.get_weights())
    assert not np.allclose(keras.ops.convert_to_numpy(other(images)), expected, atol=1e-3)  # The order matters.
    assert registry.get("pooled").metadata["architecture_settings"]["norm_after_pool"] is True


def test_the_default_networks_are_the_tutorials_and_the_projects():
    # The tutorial's MLP (784·128+128 + 128·10+10), normalised: the hidden layer loses its bias, the
    # normalisation has 4 numbers per unit.
    assert parameter_count("mlp", {"batch_norm": False}) == 101770
    assert parameter_count("mlp") == 101770 - 128 + 4 * 128
    assert [layer.name for layer in architectures.build("mlp").layers] == [
        "flatten",
        "dense",
        "batch_normalization",
        "activation",
        "dense_1",
    ]
    assert not architectures.build("mlp").get_layer("dense").use_bias
    tutorial = architectures.build("mlp", {"batch_norm": False})
    assert [layer.name for layer in tutorial.layers] == ["flatten", "dense", "dense_1"]
    assert len(architectures.build("cnn", {"dropout": 0.3}).layers) == len(architectures.build("cnn").layers) + 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hidden_units": ()}, "at least one hidden layer"),
        ({"hidden_units": (128, 0)}, "between 1 and 4096 units, not 0"),
        ({"hidden_units": (10,) * 9}, "At most 8 hidden layers"),
        ({"hidden_units": (4096, 4096)}, f"trains at most {MAX_PARAMETERS:,}"),
        ({"model": "cnn", "filters": ()}, "at least one convolution block"),
        ({"model": "cnn", "filters": (8,) * 5}, "At most 4 convolution blocks"),
        ({"model": "cnn", "dense_units": 0}, "dense layer needs between 1"),
        ({"dropout": 0.95}, "Dropout must be between 0 and 0.8"),
        ({"early_stopping": 3, "validation_split": 0.0}, "choose a validation split above 0"),
        ({"early_stopping": -1}, "Early stopping waits between 0"),
        ({"augment": "yes"}, "on (true) or off (false)"),
    ],
)
def test_bad_network_and_training_settings_are_refused_with_a_message(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        TrainConfig(**changes).resolved()


def test_settings_of_the_other_architecture_are_dropped_and_a_config_round_trips():
    config = TrainConfig(
        model="mlp", filters=(4,), hidden_units=(64, 32), augment=True, early_stopping=2, validation_split=0.1
    ).resolved()
    assert config.filters is None and config.dense_units is None and config.hidden_units == (64, 32)
    stored = json.loads(json.dumps(config.to_dict()))
    assert stored["hidden_units"] == [64, 32]
    assert TrainConfig.from_dict(stored) == config


def test_a_stored_config_means_the_network_of_its_time_and_a_new_one_the_defaults_of_today():
    new = TrainConfig(model="cnn").resolved()
    assert (new.filters, new.dropout, new.batch_norm, new.norm_after_pool) == ((16, 32), 0.0, True, True)
    # A run recorded before the network builder names no layers: it was the CNN of 32/64 filters with dropout 0.3.
    old = TrainConfig.from_dict({"model": "cnn", "epochs": 12, "batch_size": 256, "learning_rate": 0.003}).resolved()
    assert (old.filters, old.dense_units, old.dropout, old.batch_norm, old.norm_after_pool) == ((32, 64), 128, 0.3, False, False)
    # One recorded before `norm_after_pool` normalised before the pooling.
    stored = {"model": "cnn", "filters": [16, 32], "dense_units": 64, "dropout": 0.0, "batch_norm": True}
    assert TrainConfig.from_dict(stored).resolved().norm_after_pool is False
    assert TrainConfig.from_dict({**stored, "norm_after_pool": True}).resolved().norm_after_pool is True
    # An MLP recorded before the MLP had batch normalisation was the tutorial's network; a new one is normalised.
    assert TrainConfig.from_dict({"model": "mlp", "hidden_units": [128], "dropout": 0.0}).resolved().batch_norm is False
    assert TrainConfig.from_dict({"model": "mlp"}).resolved().batch_norm is False
    assert TrainConfig(model="mlp").resolved().batch_norm is True


def test_a_saved_model_without_network_settings_is_rebuilt_as_the_cnn_of_its_time(model_dir):
    import keras

    settings = {"filters": (8,), "dense_units": 16, "dropout": 0.0, "batch_norm": True, "norm_after_pool": False}
    model = architectures.build("cnn", settings)
    model.get_layer("batch_normalization").set_weights([np.full(8, -1.0), np.zeros(8), np.full(8, 0.1), np.ones(8)])
    registry.save(model, "older", {"architecture_settings": settings})
    record = model_dir / "older.json"
    metadata = json.loads(record.read_text())
    del metadata["architecture_settings"]["norm_after_pool"]  # As a model saved before the setting existed.
    record.write_text(json.dumps(metadata))
    images = np.random.default_rng(1).random((3, 28, 28), dtype=np.float32)
    loaded = registry.load("older")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(images)), keras.ops.convert_to_numpy(model(images)), atol=1e-6)
    assert [layer.__class__.__name__ for layer in loaded.layers][2:5] == ["BatchNormalization", "Activation", "MaxPooling2D"]


def test_layer_widths_are_read_from_what_a_person_types():
    assert parse_widths("256, 128") == (256, 128) == parse_widths(" 256 128 ")
    for bad in ("", " , ", "12a", "-3", "1.5"):
        with pytest.raises(ValueError):
            parse_widths(bad)


def test_the_tutorial_preset_is_its_recipe():
    config = TrainConfig(**TUTORIAL_PRESET).resolved()
    assert (config.model, config.epochs, config.batch_size, config.learning_rate) == ("mlp", 10, 32, 1e-3)
    assert (config.optimizer, config.schedule, config.validation_split) == ("adam", "constant", 0.0)
    assert config.hidden_units == (128,) and config.dropout == 0.0 and not config.augment and not config.early_stopping


def test_settings_travel_through_a_url_query_and_nonsense_is_ignored_by_name():
    config = TrainConfig(
        model="cnn", filters=(16, 32), dropout=0.1, augment=True, early_stopping=3, seed=9, validation_split=0.1
    ).resolved()
    kept, ignored = train_query.from_query(train_query.to_query(config))
    assert ignored == [] and TrainConfig(**kept).resolved() == config
    query = {"model": "cnn", "epochs": "lots", "filters": "32,0", "learning_rate": "inf", "augment": "perhaps",
             "validation_split": "0", "early_stopping": "2", "seed": "3", "batch_size": "5000"}  # fmt: skip
    kept, ignored = train_query.from_query(query, bounds={"batch_size": (1, 512)})
    assert kept == {"model": "cnn", "validation_split": 0.0, "seed": 3}
    reasons = {name: reason for name, _, reason in ignored}
    assert set(reasons) == {"epochs", "filters", "learning_rate", "augment", "early_stopping", "batch_size"}
    assert "not a whole number" in reasons["epochs"] and "between 1 and 512" in reasons["batch_size"]
    assert "validation split" in reasons["early_stopping"]


def test_augmentation_shifts_rotates_and_zooms_but_keeps_the_picture(dataset):
    images = dataset.train_images[:16]
    first, again, other = augment.preview(images, seed=1), augment.preview(images, seed=1), augment.preview(images, seed=2)
    assert first.shape == (16, 28, 28) and first.dtype == np.float32 and first.min() >= 0 and first.max() <= 1
    np.testing.assert_array_equal(first, again)  # A seed gives the same draw: the preview is reproducible.
    assert not np.allclose(first, other)
    original = images / 255.0
    changed = np.abs(first - original).mean(axis=(1, 2))
    assert (changed > 0.005).all()  # Every image moved a little...
    # ...and stays much closer to itself than to another garment.
    assert np.abs(first - original).mean() < 0.5 * np.abs(original - np.roll(original, 1, axis=0)).mean()
    with pytest.raises(ValueError, match="shape"):
        augment.preview(np.zeros((2, 28, 27)))


def train_events(dataset, **settings):
    events = []
    config = TrainConfig(**{"model": "mlp", "epochs": 2, "limit": 600, "batch_size": 64, **settings})
    model, _, _ = training.train(config, dataset, events.append, Control())
    return model, events


def losses(events):
    return [event["loss"] for event in events if event.get("type") == "batch"]


@pytest.mark.slow
def test_augmented_training_is_reproducible_and_sees_other_images(dataset):
    _, plain = train_events(dataset)
    _, first = train_events(dataset, augment=True)
    _, second = train_events(dataset, augment=True)
    assert losses(first) == losses(second)
    assert losses(first) != losses(plain)


@pytest.mark.slow
def test_early_stopping_ends_the_run_and_keeps_the_best_epochs_weights(dataset):
    # A large step on 200 images overfits the tutorial's network within a few epochs, so the validation loss turns up.
    model, events = train_events(dataset, epochs=8, limit=400, validation_split=0.5, learning_rate=0.05, schedule="constant",
                                 early_stopping=1, batch_size=32, hidden_units=(256,), batch_norm=False)  # fmt: skip
    [stop] = [event for event in events if event.get("type") == "early_stop"]
    val_losses = [event["val_loss"] for event in events if event.get("type") == "epoch"]
    assert len(val_losses) == stop["stopped_epoch"] < 8
    assert stop["best_epoch"] == int(np.argmin(val_losses)) + 1 < stop["stopped_epoch"]
    x, y = dataset.train_images[200:400].astype(np.float32) / 255.0, dataset.train_labels[200:400]
    loss, _ = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(min(val_losses), rel=1e-4)  # The best epoch's weights, not the last one's.
    assert loss < val_losses[-1]


def test_a_saved_model_remembers_its_network_and_loads_it_back(model_dir):
    settings = {"hidden_units": [64, 32], "dropout": 0.1, "batch_norm": True}
    model = architectures.compile_model(architectures.build("mlp", settings))
    info = registry.save(model, "two-layers", {"architecture": "mlp", "architecture_settings": settings})
    assert info.metadata["architecture_settings"] == settings
    loaded = registry.load("two-layers")
    assert loaded.count_params() == model.count_params()
    for saved, read in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(saved, read)
    with pytest.raises(registry.RegistryError, match="not those of"):  # Weights that are not of the settings named.
        registry.save(model, "mislabelled", {"architecture": "mlp", "architecture_settings": {"hidden_units": [64]}})


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"hidden_units": [64]}, "holds 6 arrays"),
        ({"hidden_units": [64, 16]}, "weight 2 has shape"),
        ({"hidden_units": [4096, 4096]}, "parameters"),
        ("junk", "malformed"),
    ],
)
def test_a_model_whose_recorded_network_was_changed_is_refused(model_dir, settings, message):
    # The tutorial's kind of layers (a record that names no batch normalisation means none: it is from before).
    network = {"hidden_units": [64, 32], "batch_norm": False}
    model = architectures.compile_model(architectures.build("mlp", network))
    registry.save(model, "changed", {"architecture": "mlp", "architecture_settings": network})
    path = model_dir / "changed.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "architecture_settings": settings}))
    with pytest.raises(registry.RefusedModel, match=message):
        registry.load("changed")


def test_the_one_cycle_schedule_warms_up_to_its_peak_then_decays():
    schedule = architectures.make_schedule(3e-3, 1000, "onecycle")
    values = [float(schedule(step)) for step in (0, 150, 300, 650, 1000)]
    assert values[0] == pytest.approx(3e-4) and values[2] == pytest.approx(3e-3)
    assert values[0] < values[1] < values[2] > values[3] > values[4] == pytest.approx(6e-5, rel=1e-3)
    assert architectures.make_schedule(3e-3, 1000, "constant") == 3e-3 == architectures.make_schedule(3e-3, None, "cosine")
