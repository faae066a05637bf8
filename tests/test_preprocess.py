"""Tests of fmnist.data.preprocess: drawings, arrays, dataset images, shop photos and random inputs (uploads: test_uploads.py)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image, ImageDraw

from fmnist.data import fashion_mnist
from fmnist.data.preprocess import ImageError, from_array, from_bytes, from_canvas
from tests.pictures import check_human, check_output, encode
from tests.shop_photos import SHOP_FORMATS, make_shop_photo

# Mean absolute error (0..1 scale) allowed between a dataset image and its shop photo brought back to 28×28.
# Measured over 200 images and several seeds: 0.040 for JPEG and PNG, 0.050 for cut-outs (their soft alpha
# edge dims the faintest pixels). Without noise, compression or canvas, the upscale-crop-downscale round trip
# alone costs 0.040: the crop finds the garment's edges to a fraction of a pixel while the dataset put them
# on whole pixels, so textured garments shift by up to half a pixel. The same round trip without the crop
# costs 0.017. So nearly all of the error is that registration, and 0.06 leaves room for chance.
SHOP_PHOTO_MAX_ERROR = 0.06


@pytest.fixture(scope="module")
def dataset():
    """Load the real Fashion-MNIST once for this module."""
    return fashion_mnist.load()


def test_light_content_on_transparent_background_is_kept():
    # A white shape on a fully transparent background would vanish on white, so it goes on black.
    rgba = np.zeros((40, 60, 4), dtype=np.uint8)
    rgba[5:35, 10:18] = 255
    result = from_bytes(encode(Image.fromarray(rgba), "PNG"))
    check_output(result)
    assert result[:, 12:16].mean() > 0.9 and result[:, :8].max() == 0


def test_blank_pictures_are_refused():
    for blank in (np.zeros((50, 50)), np.full((50, 50), 255, dtype=np.uint8), np.full((30, 30, 3), 0.5)):
        with pytest.raises(ImageError, match="blank") as caught:
            from_array(blank)
        check_human(caught.value)


def draw_canvas(stroke, background, box=(60, 40, 220, 250)):
    """Return a 280×280 RGBA canvas with an "L"-shaped stroke drawn inside `box`."""
    image = Image.new("RGBA", (280, 280), background)
    left, top, right, bottom = box
    ImageDraw.Draw(image).line([(left, top), (left, bottom), (right, bottom)], fill=stroke, width=16)
    return np.asarray(image)


def test_drawings_in_any_colours_give_the_same_result():
    white_on_black = from_canvas(draw_canvas((255, 255, 255, 255), (0, 0, 0, 255)))
    black_on_white = from_canvas(draw_canvas((0, 0, 0, 255), (255, 255, 255, 255)))
    red_on_transparent = from_canvas(draw_canvas((230, 20, 20, 255), (0, 0, 0, 0)))
    as_floats = from_canvas(draw_canvas((0, 0, 0, 255), (255, 255, 255, 255)) / 255.0)
    for result in (white_on_black, black_on_white, red_on_transparent, as_floats):
        check_output(result)
        assert np.abs(result - white_on_black).max() < 0.02
    assert white_on_black[:, 12:].mean() < white_on_black[:, :12].mean()  # The "L" stands on its left.


def test_an_empty_canvas_is_refused():
    for background in ((0, 0, 0, 255), (255, 255, 255, 255), (0, 0, 0, 0), (30, 60, 90, 128)):
        canvas = np.asarray(Image.new("RGBA", (280, 280), background))
        with pytest.raises(ImageError, match="Draw something first"):
            from_canvas(canvas)


def test_a_small_off_centre_drawing_is_centred_and_fills_the_frame():
    result = from_canvas(draw_canvas((255, 255, 255, 255), (0, 0, 0, 255), box=(200, 10, 260, 50)))
    rows = np.flatnonzero(result.max(axis=1) > 0.1)
    columns = np.flatnonzero(result.max(axis=0) > 0.1)
    assert columns[-1] - columns[0] + 1 >= 27  # The longest side (the width) fills the frame.
    assert abs((rows[0] + rows[-1]) / 2 - 13.5) <= 1.0  # The other side is centred.


def test_dataset_images_come_back_nearly_unchanged(dataset):
    images = dataset.test_images[:200]
    expected = images / 255.0
    results = np.stack([from_array(image) for image in images])
    assert np.abs(results - expected).mean() < 0.02
    # The structure that matters for classification survives: each result's nearest original is of its own
    # class (a few results move by one pixel, which the dataset's own centring does not always follow).
    distances = ((results[:, None] - expected[None]) ** 2).sum(axis=(2, 3))
    labels = dataset.test_labels[:200]
    assert (labels[distances.argmin(axis=1)] == labels).all()
    assert (distances.argmin(axis=1) == np.arange(len(images))).mean() > 0.97


def test_shop_photos_come_back_as_the_dataset_image(dataset):
    rng = np.random.default_rng(2024)
    errors = {fmt: [] for fmt in SHOP_FORMATS}
    for index in range(200):
        fmt = SHOP_FORMATS[index % len(SHOP_FORMATS)]
        result = from_bytes(make_shop_photo(dataset.test_images[index], rng, fmt))
        check_output(result)
        errors[fmt].append(np.abs(result - dataset.test_images[index] / 255.0).mean())
    for fmt, values in errors.items():
        assert np.mean(values) < SHOP_PHOTO_MAX_ERROR, fmt


numeric_dtypes = st.sampled_from(
    [np.uint8, np.uint16, np.int8, np.int32, np.int64, np.uint64, np.float16, np.float32, np.float64, np.bool_]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(array=hnp.arrays(numeric_dtypes, hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=12)))
def test_any_array_gives_a_picture_or_a_polite_refusal(array):
    try:
        result = from_array(array)
    except ImageError as error:
        check_human(error)
    else:
        check_output(result)


@settings(max_examples=100, deadline=None)
@given(canvas=hnp.arrays(np.uint8, hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=16)))
def test_any_canvas_gives_a_picture_or_a_polite_refusal(canvas):
    try:
        result = from_canvas(canvas)
    except ImageError as error:
        check_human(error)
    else:
        check_output(result)
