"""Exported models predict what the Keras model predicts."""

import io
import zipfile

import numpy as np
import pytest

from fmnist import registry
from fmnist.export import formats
from fmnist.model.predict import Predictor


@pytest.fixture(scope="module")
def default_model():
    return registry.load(registry.DEFAULT_NAME)


def test_tflite_agrees_with_keras_on_the_test_set(default_model, dataset, tmp_path):
    path = formats.export(default_model, "tflite", tmp_path / "model.tflite")
    images = dataset.test_images.astype(np.float32) / 255.0
    tflite = formats.tflite_logits(path, images).argmax(axis=1)
    keras_classes = Predictor(default_model).logits(dataset.test_images).argmax(axis=1)
    agreement = float(np.mean(tflite == keras_classes))
    assert agreement >= 0.995, agreement


def test_keras_and_savedmodel_exports_reload_and_predict_the_same(default_model, dataset, tmp_path):
    import keras
    import tensorflow as tf

    images = dataset.test_images[:64].astype(np.float32) / 255.0
    expected = Predictor(default_model).logits(dataset.test_images[:64])
    reloaded = keras.saving.load_model(formats.export(default_model, "keras", tmp_path / "m.keras"), compile=False)
    np.testing.assert_allclose(reloaded.predict(images, verbose=0), expected, atol=1e-4)
    saved = tf.saved_model.load(str(formats.export(default_model, "savedmodel", tmp_path / "saved")))
    np.testing.assert_allclose(saved.serve(tf.constant(images)).numpy(), expected, atol=1e-4)


def test_savedmodel_bytes_are_a_zip_of_the_folder(default_model):
    archive = zipfile.ZipFile(io.BytesIO(formats.to_bytes(default_model, "savedmodel")))
    assert "saved_model/saved_model.pb" in archive.namelist()
    assert formats.to_bytes(default_model, "tflite")[4:8] == b"TFL3"


def test_bad_formats_and_paths_are_clear_messages(default_model, tmp_path):
    with pytest.raises(formats.ExportError, match="Unknown export format"):
        formats.export(default_model, "onnx", tmp_path / "m.onnx")
    with pytest.raises(formats.ExportError, match=r"must end in \.keras"):
        formats.export(default_model, "keras", tmp_path / "m.h5")
    (tmp_path / "taken").mkdir()
    with pytest.raises(formats.ExportError, match="already exists"):
        formats.export(default_model, "savedmodel", tmp_path / "taken")
