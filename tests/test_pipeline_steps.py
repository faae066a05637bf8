"""The preprocessing strip shows the stages preprocess itself went through, ending in what the model gets."""

import numpy as np
import pytest
from PIL import Image

from fmnist.data import preprocess
from fmnist.inside import pipeline_steps
from tests.pictures import encode


def dark_trousers_on_white(width=300, height=400):
    """A shop photo: dark trousers on a white background, off centre."""
    pixels = np.full((height, width, 3), 250, np.uint8)
    pixels[60:340, 40:90] = 30
    pixels[60:340, 120:170] = 30
    pixels[60:100, 40:170] = 30
    return Image.fromarray(pixels)


def test_an_upload_strip_ends_in_the_model_input_and_fixes_polarity():
    content = encode(dark_trousers_on_white(), "PNG")
    strip = pipeline_steps.from_bytes(content)
    assert [step.key for step in strip] == list(pipeline_steps.STEP_KEYS)
    steps = {step.key: step.image for step in strip}
    expected = (preprocess.from_bytes(content) * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(steps["model_input"], expected)
    assert steps["given"].shape[:2] == (192, 144)  # Shrunk for display, upright, in colour.
    grey, polarity = steps["grey"].astype(float), steps["polarity"].astype(float)
    assert grey[0, 0] > 200 and grey[96, 29] < 60  # As given: a dark object on a light background.
    assert polarity[0, 0] == 0 and polarity[96, 29] > 200  # Fixed: a light object on black.
    # Cropped to the object: the trousers fill the crop's corners.
    assert steps["cropped"].shape[0] > steps["cropped"].shape[1] and steps["cropped"][0, 0] > 200


def test_a_canvas_strip_crops_the_drawing_and_refuses_an_empty_canvas():
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[40:240, 100:180, :3] = 255
    steps = {step.key: step.image for step in pipeline_steps.from_canvas(canvas)}
    np.testing.assert_array_equal(steps["model_input"], (preprocess.from_canvas(canvas) * 255).round().astype(np.uint8))
    assert steps["cropped"].shape == (192, 77)  # 200×80 drawn pixels, shrunk for display.
    with pytest.raises(preprocess.ImageError, match="empty"):
        pipeline_steps.from_canvas(np.zeros((280, 280, 4), np.uint8))


def test_a_refused_upload_is_refused_with_preprocess_message():
    with pytest.raises(preprocess.ImageError) as error:
        pipeline_steps.from_bytes(b"<html>not a picture</html>")
    assert str(error.value) == preprocess.NOT_A_PICTURE


def test_a_test_sample_is_its_own_strip(dataset):
    strip = pipeline_steps.from_sample(dataset.test_images[0])
    assert all(np.array_equal(step.image, dataset.test_images[0]) for step in strip)
