"""Per-epoch records (fmnist.runs.epoch_records): the callback records one entry per finished epoch with the
right shapes, the reader survives missing and damaged files, and a run leaves epochs.json with every
completed epoch, also when it is stopped, without changing how it trains."""

import json

import numpy as np
import pytest

from fmnist.model import training
from fmnist.model.config import TrainConfig
from fmnist.model.history import Control
from fmnist.runs import epoch_records, store
from fmnist.runs.worker import execute


def tiny_model():
    import keras

    from fmnist.model import architectures

    keras.utils.set_random_seed(0)
    return architectures.compile_model(architectures.build("mlp"), "adam", 1e-3)


@pytest.mark.slow
def test_the_callback_records_each_epoch_with_the_right_shapes(dataset, tmp_path):
    x = dataset.train_images[:300].astype(np.float32) / 255.0
    y = dataset.train_labels[:300].astype(np.int32)
    written = []
    callback = epoch_records.for_run(written.append, dataset.test_images, dataset.test_labels, validation=None)
    tiny_model().fit(x, y, epochs=3, batch_size=50, verbose=0, callbacks=[callback])

    assert len(written) == 3
    document = written[-1]
    assert [entry["epoch"] for entry in document["epochs"]] == [1, 2, 3]
    assert document["probe"]["indices"] == list(range(25))
    assert document["probe"]["labels"] == dataset.test_labels[:25].tolist()
    assert document["confusion_source"] == "test"
    for entry in document["epochs"]:
        probabilities, confusion = np.asarray(entry["probe_probabilities"]), np.asarray(entry["confusion"])
        assert probabilities.shape == (25, 10) and confusion.shape == (10, 10)
        assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3)
        assert np.all(np.round(probabilities, 4) == probabilities)  # Rounded, to keep the file small.
        assert confusion.sum() == epoch_records.CONFUSION_TEST_SIZE
        # The row sums are the true classes of the first 2,000 test images, whatever the model predicts.
        assert confusion.sum(axis=1).tolist() == np.bincount(dataset.test_labels[:2000], minlength=10).tolist()
    # Each record is what the model predicted then: the last one matches the trained model now.
    logits = epoch_records.logits_of(callback.model, dataset.test_images[:25].astype(np.float32) / 255.0)
    assert np.asarray(document["epochs"][-1]["probe_probabilities"]).argmax(1).tolist() == logits.argmax(1).tolist()

    path = tmp_path / "epochs.json"
    path.write_text(json.dumps(document))
    records = epoch_records.read(path)
    assert len(records) == 3 and records.epochs.tolist() == [1, 2, 3]
    assert records.probabilities.shape == (3, 25, 10) and records.confusion.shape == (3, 10, 10)
    assert records.position(2) == 1 and records.position(7) == 2 and records.confusion_source == "test"
    with pytest.raises(ValueError, match="No epoch at or before 0"):
        records.position(0)


@pytest.mark.slow
def test_the_confusion_matrix_counts_the_validation_images_when_there_are_some(dataset):
    validation = (dataset.train_images[-120:].astype(np.float32) / 255.0, dataset.train_labels[-120:])
    written = []
    callback = epoch_records.for_run(written.append, dataset.test_images, dataset.test_labels, validation)
    x, y = dataset.train_images[:100].astype(np.float32) / 255.0, dataset.train_labels[:100].astype(np.int32)
    tiny_model().fit(x, y, epochs=1, batch_size=50, verbose=0, callbacks=[callback])
    [entry] = written[-1]["epochs"]
    assert written[-1]["confusion_source"] == "validation" and np.sum(entry["confusion"]) == 120


@pytest.mark.parametrize(
    "content",
    [None, "", "{", "[]", "null", '{"probe": {"indices": [0], "labels": [1]}}', '{"probe": 3, "epochs": []}',
     '{"probe": {"indices": [0], "labels": [1]}, "epochs": [{"epoch": 1, "probe_probabilities": [[1]], "confusion": []}]}',
     '{"probe": {"indices": [0], "labels": [1]}, "epochs": {"epoch": 1}}', b"\xff\xfe\x00",
     '{"probe": {"indices": [10000], "labels": [1]}, "epochs": []}', '{"probe": {"indices": [0], "labels": [12]}, "epochs": []}'],
)  # fmt: skip
def test_a_missing_or_damaged_file_reads_as_no_records(tmp_path, content):
    path = tmp_path / "epochs.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    records = epoch_records.read(path)
    assert len(records) == 0 and records.probabilities.shape[0] == 0 and records.confusion.shape == (0, 10, 10)


@pytest.mark.slow
def test_a_run_leaves_one_record_per_epoch(tmp_path, dataset):
    run = store.create(TrainConfig(model="mlp", epochs=2, limit=600, validation_split=0.1).resolved(), "cli", tmp_path)
    status, _model, _evaluation = execute(run, Control(), dataset=dataset)
    assert status["status"] == "finished"
    records = epoch_records.read(run.path / epoch_records.FILE)
    assert records.epochs.tolist() == [1, 2] and records.confusion_source == "validation"
    # The validation split is 10 % of the 600 images.
    assert records.confusion.sum(axis=(1, 2)).tolist() == [60, 60]


@pytest.mark.slow
def test_a_stopped_run_keeps_the_records_of_its_completed_epochs(dataset):
    control, written = Control(), []

    def emit(event):
        if event["type"] == "batch" and event["progress"]["epoch"] == 1:
            control.stop()  # In the second epoch.

    config = TrainConfig(model="mlp", epochs=5, limit=3000, batch_size=32)
    _model, _seconds, stopped = training.train(config, dataset, emit, control, epoch_writer=written.append)
    assert stopped
    assert [entry["epoch"] for entry in written[-1]["epochs"]] == [1]


@pytest.mark.slow
def test_recording_does_not_change_how_a_run_trains(dataset):
    config = TrainConfig(model="mlp", epochs=2, limit=600, seed=5)

    def losses(**options):
        events = []
        training.train(config, dataset, events.append, Control(), **options)
        return [event["loss"] for event in events if event["type"] in ("batch", "epoch")]

    assert losses(epoch_writer=lambda document: None) == losses()
