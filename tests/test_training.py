import threading
import time

import numpy as np
import pytest

from fmnist import models, training
from fmnist.training import TrainConfig, TrainingJob


def test_config_fills_model_defaults_and_checks_values():
    config = TrainConfig(model="cnn").resolved()
    assert config.epochs == training.DEFAULTS["cnn"]["epochs"]
    assert TrainConfig(model="mlp", epochs=3).resolved().epochs == 3
    for bad in [dict(model="rnn"), dict(optimizer="adma"), dict(epochs=0), dict(batch_size=0),
                dict(learning_rate=-1.0), dict(validation_split=1.0), dict(limit=5)]:
        with pytest.raises(ValueError):
            TrainConfig(**bad).resolved()


def test_config_round_trips_through_a_dict():
    config = TrainConfig(model="cnn", epochs=2, seed=7).resolved()
    assert TrainConfig.from_dict({**config.to_dict(), "unknown": 1}) == config


def test_models_have_the_expected_shapes():
    mlp = models.build("mlp")
    assert [layer.__class__.__name__ for layer in mlp.layers] == ["Flatten", "Dense", "Dense"]
    assert mlp.layers[1].units == 128 and mlp.output_shape == (None, 10)
    assert models.build("cnn").output_shape == (None, 10)
    with pytest.raises(ValueError, match="Unknown model"):
        models.build("nope")
    with pytest.raises(ValueError, match="Unknown optimizer"):
        models.make_optimizer("adma", 1e-3)


def small_job(dataset, **overrides):
    values = dict(model="mlp", epochs=2, limit=2000, batch_size=50, seed=3, validation_split=0.2)
    return TrainingJob(TrainConfig(**{**values, **overrides}), dataset)


def test_job_records_history_and_learns(dataset):
    job = small_job(dataset).run()
    snapshot = job.snapshot()
    assert snapshot.status == "finished" and snapshot.error is None
    history = snapshot.history
    assert history["epoch"] == [1, 2] and history["epoch_step"] == [32, 64]
    # The MLP runs 16 steps per call, so the history has a point every 16 batches.
    assert models.EXECUTION["mlp"]["steps_per_execution"] == 16
    assert history["step"] == [16, 32, 48, 64] and len(history["batch_loss"]) == 4
    assert len(history["val_accuracy"]) == 2
    assert history["loss"][1] < history["loss"][0]
    assert history["accuracy"][-1] > 0.6
    # The per-batch values, weighted as Keras weighs them, average to the epoch's figure.
    assert np.mean(history["batch_loss"][2:]) == pytest.approx(history["loss"][1], rel=1e-3)
    assert snapshot.progress.samples_per_second > 0 and snapshot.progress.eta == pytest.approx(0, abs=1e-6)


def test_same_seed_gives_same_metrics(dataset):
    first = small_job(dataset, epochs=1).run().snapshot().history
    second = small_job(dataset, epochs=1).run().snapshot().history
    assert first["batch_loss"] == second["batch_loss"] and first["val_loss"] == second["val_loss"]
    other = small_job(dataset, epochs=1, seed=4).run().snapshot().history
    assert other["batch_loss"] != first["batch_loss"]


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_stop_takes_effect_at_the_next_step_and_keeps_weights(dataset, model):
    job = small_job(dataset, model=model, epochs=50, limit=10000, batch_size=32).start()
    while not job.snapshot().history["step"]:
        time.sleep(0.01)
    job.stop()
    assert job.wait(timeout=30)
    history = job.snapshot().history
    assert job.status == "stopped"
    # The run ends at the first step after the request: one batch for the CNN, one call of 16 for the MLP,
    # without a validation pass, and the partial epoch's training figures are recorded.
    per_call = models.EXECUTION[model]["steps_per_execution"]
    assert history["step"][-1] <= history["step"][0] + 2 * per_call
    assert history["epoch"] == [1] and len(history["loss"]) == 1 and history["val_loss"] == []
    assert job.model is not None and job.model.predict(np.zeros((1, 28, 28)), verbose=0).shape == (1, 10)


def test_a_second_job_is_told_the_trainer_is_busy(dataset):
    first = small_job(dataset, epochs=50, limit=10000).start()
    try:
        with pytest.raises(training.TrainerBusy, match="busy"):
            small_job(dataset).start()
    finally:
        first.stop()
        first.wait(30)
    # The slot is released once the first job ends.
    second = small_job(dataset, epochs=1).start()
    second.wait(60)
    assert second.status == "finished"


def test_a_failing_run_reports_its_error_and_frees_the_slot(dataset, monkeypatch):
    def broken(name):
        raise MemoryError()

    monkeypatch.setattr(models, "build", broken)
    job = small_job(dataset).start()
    job.wait(30)
    assert job.status == "failed" and "out of memory" in job.error
    assert small_job(dataset, epochs=1).start().wait(60)


def test_snapshots_are_consistent_while_training(dataset):
    job = small_job(dataset, epochs=3, limit=6000).start()
    seen = []
    while not job.done:
        snapshot = job.snapshot()
        history = snapshot.history
        assert len(history["step"]) == len(history["batch_loss"]) == len(history["batch_accuracy"])
        assert len(history["epoch"]) == len(history["loss"]) == len(history["epoch_step"])
        seen.append(len(history["step"]))
        time.sleep(0.02)
    assert seen == sorted(seen)
    assert job.status == "finished"
    assert threading.active_count() >= 1
