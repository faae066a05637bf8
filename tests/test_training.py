import numpy as np
import pytest

from fmnist.model import architectures, training
from fmnist.model import config as fconfig
from fmnist.model.config import TrainConfig
from fmnist.model.history import Control, Progress, RunLog
from fmnist.model.predict import as_batch
from fmnist.model.training import TrainingJob


def test_config_fills_model_defaults_and_checks_values():
    config = TrainConfig(model="cnn").resolved()
    assert config.epochs == fconfig.DEFAULTS["cnn"]["epochs"]
    assert TrainConfig(model="mlp", epochs=3).resolved().epochs == 3
    for bad in [
        dict(model="rnn"),
        dict(optimizer="adma"),
        dict(epochs=0),
        dict(batch_size=0),
        dict(learning_rate=-1.0),
        dict(validation_split=1.0),
        dict(limit=5),
    ]:
        with pytest.raises(ValueError):
            TrainConfig(**bad).resolved()


def test_config_round_trips_through_a_dict():
    config = TrainConfig(model="cnn", epochs=2, seed=7).resolved()
    assert TrainConfig.from_dict({**config.to_dict(), "unknown": 1}) == config


def test_config_estimates_a_run_from_its_size_and_speed():
    config = TrainConfig(model="mlp", epochs=2, limit=1000, validation_split=0.1)
    assert config.train_samples == 900
    assert config.estimated_seconds(samples_per_second=100.0) == pytest.approx(18.0)


def test_progress_position_never_runs_ahead_of_what_was_trained():
    assert Progress().position(3) == (1, 0, 0.0)
    assert Progress(epoch=0, batch=5, steps_per_epoch=10).position(3) == (1, 5, pytest.approx(5 / 30))
    assert Progress(epoch=1, batch=0, steps_per_epoch=10).position(3) == (1, 10, pytest.approx(10 / 30))
    assert Progress(epoch=1, batch=1, steps_per_epoch=10).position(3) == (2, 1, pytest.approx(11 / 30))
    assert Progress(epoch=3, batch=0, steps_per_epoch=10).position(3) == (3, 10, 1.0)


def test_run_log_round_trips_through_a_dict():
    log = RunLog()
    log.apply(
        {"type": "batch", "step": 4, "loss": 1.5, "accuracy": 0.5, "progress": {"epoch": 0, "batch": 4, "steps_per_epoch": 4}}
    )
    log.apply({"type": "epoch", "epoch": 1, "step": 4, "elapsed": 0.5, "loss": 1.4, "accuracy": 0.55, "val_loss": 1.3})
    copy = RunLog.from_dict(log.to_dict())
    assert copy.copy() == log.copy()
    assert copy.progress.epoch == 1 and copy.history["val_loss"] == [1.3] and copy.history["val_accuracy"] == []


def test_models_have_the_expected_shapes():
    mlp = architectures.build("mlp")
    assert [layer.__class__.__name__ for layer in mlp.layers] == ["Flatten", "Dense", "BatchNormalization", "Activation", "Dense"]
    assert mlp.layers[1].units == 128 and mlp.output_shape == (None, 10)
    assert architectures.build("cnn").output_shape == (None, 10)
    with pytest.raises(ValueError, match="Unknown model"):
        architectures.build("nope")
    with pytest.raises(ValueError, match="Unknown optimizer"):
        architectures.make_optimizer("adma", 1e-3)


def small_job(dataset, **overrides):
    values = dict(model="mlp", epochs=2, limit=2000, batch_size=50, seed=3, validation_split=0.2)
    return TrainingJob(TrainConfig(**{**values, **overrides}), dataset)


@pytest.mark.slow
def test_job_records_history_and_learns(dataset):
    job = small_job(dataset).run()
    snapshot = job.snapshot()
    assert snapshot.status == "finished" and snapshot.error is None
    history = snapshot.history
    assert history["epoch"] == [1, 2] and history["epoch_step"] == [32, 64]
    # The MLP runs 16 steps per call, so the history has a point every 16 batches.
    assert fconfig.EXECUTION["mlp"]["steps_per_execution"] == 16
    assert history["step"] == [16, 32, 48, 64] and len(history["batch_loss"]) == 4
    assert len(history["val_accuracy"]) == 2
    assert history["loss"][1] < history["loss"][0]
    assert history["accuracy"][-1] > 0.6
    # The per-batch values, weighted as Keras weighs them, average to the epoch's figure.
    assert np.mean(history["batch_loss"][2:]) == pytest.approx(history["loss"][1], rel=1e-3)
    assert snapshot.progress.samples_per_second > 0 and snapshot.progress.eta == pytest.approx(0, abs=1e-6)


@pytest.mark.slow
def test_same_seed_gives_same_metrics(dataset):
    first = small_job(dataset, epochs=1).run().snapshot().history
    second = small_job(dataset, epochs=1).run().snapshot().history
    assert first["batch_loss"] == second["batch_loss"] and first["val_loss"] == second["val_loss"]
    other = small_job(dataset, epochs=1, seed=4).run().snapshot().history
    assert other["batch_loss"] != first["batch_loss"]


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_stop_ends_the_run_in_its_first_epoch_and_keeps_the_weights(dataset, model):
    control, events = Control(), []

    def emit(event):
        events.append(event)
        if event["type"] == "batch":
            control.stop()  # Asked while the first reported step is being recorded.

    config = TrainConfig(model=model, epochs=50, limit=10000, batch_size=32, validation_split=0.2)
    trained, seconds, stopped = training.train(config, dataset, emit, control)
    assert stopped and seconds > 0
    log = RunLog()
    for event in events:
        log.apply(event)
    _, history = log.copy()
    # The run ended at the step where the stop was seen, without a validation pass, and the partial
    # epoch's training figures are recorded.
    assert len(history["step"]) == 1 and history["epoch"] == [1] and len(history["loss"]) == 1
    assert history["val_loss"] == []
    assert trained.predict(np.zeros((1, 28, 28)), verbose=0).shape == (1, 10)


def test_a_failing_run_reports_a_one_line_error(dataset, monkeypatch):
    def broken(name, settings=None, synchronized=False):
        raise MemoryError()

    monkeypatch.setattr(architectures, "build", broken)
    job = small_job(dataset).run()
    assert job.status == "failed" and job.error == training.describe_error(MemoryError())
    assert "out of memory" in job.error and job.model is None


def test_a_cached_predictor_survives_keras_clear_session():
    """Streamlit calls keras.backend.clear_session() after every script run; the server's cached predictors
    (traced tf.functions) must keep working, and models built afterwards too."""
    import keras

    from fmnist.model.predict import Predictor

    predictor = Predictor(architectures.build("cnn"))
    images = np.random.default_rng(0).random((3, 28, 28), dtype=np.float32)
    before = predictor(images)
    keras.backend.clear_session()
    np.testing.assert_allclose(predictor(images), before, rtol=1e-6)
    later = Predictor(architectures.build("mlp"))
    keras.backend.clear_session()
    assert later(images).shape == (3, 10) and np.allclose(predictor(images), before, rtol=1e-6)


def test_the_compiled_single_image_path_agrees_and_outlives_clear_session():
    """Predictor.compile_one, as the server calls it: predict_one then runs an XLA-compiled forward pass that
    gives the plain path's probabilities, also after keras.backend.clear_session (which Streamlit calls after
    every script run, emptying TensorFlow's kernel cache), for both architectures."""
    import keras

    from fmnist.model.predict import Predictor

    images = np.random.default_rng(1).random((3, 28, 28), dtype=np.float32)
    for name in ("cnn", "mlp"):
        model = architectures.build(name)
        plain, compiled = Predictor(model), Predictor(model)
        assert compiled.compile_one()
        for image in images:
            np.testing.assert_allclose(compiled.predict_one(image), plain.predict_one(image), atol=1e-5)
        keras.backend.clear_session()
        np.testing.assert_allclose(compiled.predict_one(images[0]), plain.predict_one(images[0]), atol=1e-5)


def test_single_image_predictions_from_short_lived_threads_run_on_one_long_lived_thread():
    """Streamlit runs every script run in a fresh thread; TensorFlow's per-thread set-up would then be paid per
    stroke. predict_one hands the compiled forward pass to one thread that lives on: from several fresh threads,
    each after a clear_session, the answers agree with the plain path and all came from that one thread."""
    import threading

    import keras

    from fmnist.model.predict import Predictor

    model = architectures.build("mlp")
    plain, compiled = Predictor(model), Predictor(model)
    assert compiled.compile_one()
    seen, results = set(), {}
    forward = compiled._forward_one

    def spy(x):  # Notes the thread that runs the pass.
        seen.add(threading.current_thread().name)
        return forward(x)

    compiled._forward_one = spy
    images = np.random.default_rng(2).random((4, 28, 28), dtype=np.float32)

    def one_run(i):
        keras.backend.clear_session()
        results[i] = compiled.predict_one(images[i])

    for i in range(len(images)):
        run = threading.Thread(target=one_run, args=(i,))
        run.start()
        run.join(timeout=60)
    assert len(results) == len(images) and len(seen) == 1 and next(iter(seen)).startswith("fmnist-predict")
    for i, image in enumerate(images):
        np.testing.assert_allclose(results[i], plain.predict_one(image), atol=1e-5)


def test_a_build_never_depends_on_keras_name_counters():
    """Streamlit's clean-up after any session's script run calls keras.backend.clear_session(), which resets
    Keras's layer-name counters; a model built meanwhile would get two layers named "dense" and fail. Every
    layer is named, so builds are the same whatever the counters say."""
    import keras

    for name in architectures.BUILDERS:
        first = [layer.name for layer in architectures.build(name).layers]
        keras.layers.Dense(1), keras.layers.Dense(1)  # The counters move on.
        second = [layer.name for layer in architectures.build(name).layers]
        keras.backend.clear_session()
        keras.layers.Dense(1)
        third = [layer.name for layer in architectures.build(name).layers]
        assert first == second == third and len(set(first)) == len(first)


def test_the_pipeline_scales_each_batch_exactly_as_the_whole_array_would_be(dataset):
    # The training images stay bytes in memory; every batch must hold the very floats that dividing the whole
    # array by 255 gives (what evaluation, the probe records and the predictor see), each image with its label.
    images, labels = dataset.train_images[:300], dataset.train_labels[:300].astype(np.int32)
    expected = as_batch(images)
    batches = list(training.shuffled_batches(images, labels, 64, seed=3).as_numpy_iterator())
    seen = np.concatenate([y for _, y in batches])
    assert sorted(seen.tolist()) == sorted(labels.tolist()) and [len(y) for _, y in batches] == [64] * 4 + [44]
    for x, y in batches:
        assert x.dtype == np.float32 and x.shape[1:] == (28, 28)
        # Find each batch image among the originals (rows are distinct), then compare its floats bit for bit.
        for image, label in zip(x, y):
            matches = np.flatnonzero((expected == image).all(axis=(1, 2)))
            assert len(matches) >= 1 and labels[matches[0]] == label
            np.testing.assert_array_equal(image, expected[matches[0]])
