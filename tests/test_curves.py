"""fmnist.runs.curves: thinning training curves for live charts."""

import numpy as np
import pytest

from fmnist.model.history import empty_history, final_metrics
from fmnist.runs import curves


def test_downsample_indices_keeps_ends_and_bounds_the_count():
    assert curves.downsample_indices(5, 10).tolist() == [0, 1, 2, 3, 4]
    kept = curves.downsample_indices(17_000, 400)
    assert len(kept) <= 400 and kept[0] == 0 and kept[-1] == 16_999
    assert np.all(np.diff(kept) > 0)
    assert curves.downsample_indices(0).tolist() == []
    with pytest.raises(ValueError):
        curves.downsample_indices(10, 1)


def history(n_batches: int, n_epochs: int = 0) -> dict:
    rng = np.random.default_rng(0)
    loss = list(2 * np.exp(-np.arange(n_batches) / 500) + rng.normal(0, 0.1, n_batches))
    return {
        "step": list(range(1, n_batches + 1)), "batch_loss": loss, "batch_accuracy": list(rng.uniform(0, 1, n_batches)),
        "epoch": list(range(1, n_epochs + 1)), "epoch_step": [n_batches * (e + 1) // max(1, n_epochs) for e in range(n_epochs)],
        "loss": [1.0] * n_epochs, "accuracy": [0.5] * n_epochs,
        "val_loss": [1.1] * max(0, n_epochs - 1), "val_accuracy": [0.4] * max(0, n_epochs - 1),
    }  # fmt: skip


def test_batch_curves_smooth_on_all_batches_then_thin():
    full = history(10_000)
    thin = curves.batch_curves(full, max_points=300)
    assert {len(values) for values in thin.values()} == {len(thin["step"])}
    assert len(thin["step"]) <= 300 and thin["step"][-1] == 10_000
    # The smoothed points are the smoothing of every batch, sampled, not a smoothing of the samples.
    reference = curves.smooth(np.asarray(full["batch_loss"]))
    assert np.allclose(thin["loss_smoothed"], reference[thin["step"] - 1])
    assert np.allclose(thin["loss"], np.asarray(full["batch_loss"])[thin["step"] - 1])


def test_batch_curves_of_an_empty_history():
    empty = curves.batch_curves({})
    assert all(len(values) == 0 for values in empty.values())


def test_epoch_curves_pad_missing_validation_with_nan():
    epochs = curves.epoch_curves(history(100, n_epochs=3))
    assert epochs["epoch"].tolist() == [1, 2, 3]
    assert epochs["step"].tolist() == [33, 66, 100]
    assert epochs["loss"].tolist() == [1.0, 1.0, 1.0]
    assert epochs["val_loss"][:2].tolist() == [1.1, 1.1] and np.isnan(epochs["val_loss"][2])


def test_epoch_curves_without_recorded_steps_use_epoch_numbers():
    assert curves.epoch_curves({"epoch": [1, 2], "loss": [2.0, 1.0]})["step"].tolist() == [1, 2]


def test_chart_rows_hold_every_series_without_nans():
    rows = curves.chart_rows(history(1000, n_epochs=2), "loss", max_points=100)
    assert len(rows["step"]) == len(rows["value"]) == len(rows["series"])
    counts = {name: int((rows["series"] == name).sum()) for name in curves.SERIES}
    assert counts == {"batch": 100, "smoothed": 100, "train": 2, "validation": 1}
    assert rows["step"][rows["series"] == "train"].tolist() == [500, 1000]
    assert np.all(np.isfinite(rows["value"]))
    with pytest.raises(ValueError, match="metric"):
        curves.chart_rows({}, "val_loss")


def test_final_metrics_are_the_last_recorded_and_none_where_there_is_none():
    history = {**empty_history(), "loss": [0.9, 0.4], "accuracy": [0.7, 0.85], "val_loss": [0.5, float("nan")]}
    assert final_metrics(history) == {"train_loss": 0.4, "train_accuracy": 0.85, "val_loss": None, "val_accuracy": None}
    assert set(final_metrics(empty_history()).values()) == {None}
