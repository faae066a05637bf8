"""Tests of fmnist.data.drawing: the canvas's value decodes to the picture it drew, and anything else is refused
with a message a person can read."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from fmnist.data import drawing, preprocess
from fmnist.data.drawing import SIZE, DrawingError
from tests.pictures import TROUSERS, canvas_value, png_data_url


def test_a_drawing_decodes_to_the_rgba_picture_from_canvas_takes():
    value = canvas_value(TROUSERS)
    drawn = drawing.decode(value)
    assert not drawn.empty and drawn.strokes == 3 and drawn.paths == TROUSERS
    assert drawn.rgba.shape == (SIZE, SIZE, 4) and drawn.rgba.dtype == np.uint8
    assert drawn.rgba[145, 100, :3].tolist() == [255, 255, 255] and drawn.rgba[145, 140, :3].tolist() == [0, 0, 0]
    image = preprocess.from_canvas(drawn.rgba)
    assert image.shape == (28, 28) and image.max() > 0.9


def test_an_empty_canvas_and_no_value_yet_are_empty_drawings():
    for value in (None, {"png": None, "strokes": 0, "paths": []}):
        drawn = drawing.decode(value)
        assert drawn.empty and drawn.strokes == 0 and drawn.rgba is None and drawn.paths == []


def test_a_grayscale_png_is_read_as_rgba():
    value = canvas_value(TROUSERS)
    grey = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(grey).rectangle((100, 40, 180, 250), fill=255)
    value["png"] = png_data_url(grey)
    assert drawing.decode(value).rgba.shape == (SIZE, SIZE, 4)


def damaged(value: dict, **changes) -> dict:
    return {**value, **changes}


GOOD = canvas_value(TROUSERS)
JPEG = png_data_url(Image.new("RGB", (SIZE, SIZE)), "JPEG")  # JPEG bytes under a PNG prefix.
MALFORMED = [
    ("not a dict", "a drawing", "unexpected"),
    ("a list", [1, 2, 3], "unexpected"),
    ("no count", damaged(GOOD, strokes=None), "stroke count"),
    ("negative count", damaged(GOOD, strokes=-1), "stroke count"),
    ("count is a bool", damaged(GOOD, strokes=True), "stroke count"),
    ("count disagrees", damaged(GOOD, strokes=2), "counts 2 strokes but holds 3"),
    ("no picture", damaged(GOOD, png=None), "not a PNG data URL"),
    ("not a data URL", damaged(GOOD, png="https://example.com/a.png"), "not a PNG data URL"),
    ("a JPEG data URL", damaged(GOOD, png=GOOD["png"].replace("image/png", "image/jpeg")), "not a PNG data URL"),
    ("bad base64", damaged(GOOD, png="data:image/png;base64,!!!not base64!!!"), "base64"),
    ("JPEG bytes", damaged(GOOD, png=JPEG), "PNG is damaged"),
    ("truncated PNG", damaged(GOOD, png=GOOD["png"][:200]), "damaged"),
    ("too long", damaged(GOOD, png="data:image/png;base64," + "A" * drawing.MAX_DATA_URL), "larger than"),
    ("wrong size", damaged(GOOD, png=png_data_url(Image.new("RGBA", (100, 50)))), "100 × 50 pixels, not 280 × 280"),
    ("paths not a list", damaged(GOOD, paths="lines"), "not a list"),
    ("a stroke without points", damaged(GOOD, paths=[[20], [20, 1, 1], [20, 2, 2]]), "x, y pairs"),
    ("a half point", damaged(GOOD, paths=[[20, 1, 1, 5], [20, 1, 1], [20, 2, 2]]), "x, y pairs"),
    ("text in a stroke", damaged(GOOD, paths=[[20, "1", 1], [20, 1, 1], [20, 2, 2]]), "other than numbers"),
    ("not finite", damaged(GOOD, paths=[[20, float("nan"), 1], [20, 1, 1], [20, 2, 2]]), "other than numbers"),
    ("outside", damaged(GOOD, paths=[[20, 1, 900], [20, 1, 1], [20, 2, 2]]), "outside the canvas"),
    ("too wide", damaged(GOOD, paths=[[500, 1, 1], [20, 1, 1], [20, 2, 2]]), "too wide"),
    ("live not a flag", damaged(GOOD, live="yes"), "not true or false"),
    ("live without a stroke", {"png": None, "strokes": 0, "paths": [], "live": True}, "missing from the strokes"),
]


@pytest.mark.parametrize("value, words", [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED])
def test_a_malformed_value_is_refused_with_a_clear_message(value, words):
    with pytest.raises(DrawingError, match="could not be read") as caught:
        drawing.decode(value)
    message = str(caught.value)
    assert words in message and "Press Reset and draw again." in message
    assert "Traceback" not in message and "\n" not in message
    assert isinstance(caught.value, preprocess.ImageError)  # Pages that show ImageError messages show this one too.


def test_too_many_strokes_or_points_are_refused():
    many = [[20, 1, 1]] * (drawing.MAX_STROKES + 1)
    with pytest.raises(DrawingError, match="at most"):
        drawing.decode(damaged(GOOD, strokes=len(many), paths=many))
    long = [[20] + [5.5] * (2 * drawing.MAX_POINTS + 2)]
    with pytest.raises(DrawingError, match="more than"):
        drawing.decode(damaged(GOOD, strokes=1, paths=long))


def test_paths_of_gives_the_strokes_without_decoding_and_nothing_for_a_bad_value():
    assert drawing.paths_of(damaged(GOOD, png="not even a picture")) == TROUSERS
    for value in (None, "x", {"paths": "lines"}, {"paths": [[20, 1]]}):
        assert drawing.paths_of(value) == []


def test_a_stroke_in_progress_counts_in_the_picture_but_not_among_the_finished_strokes():
    live = dict(canvas_value(TROUSERS), live=True)
    drawn = drawing.decode(live)
    assert drawn.live and drawn.strokes == 3 and drawn.finished == 2 and drawn.paths == TROUSERS
    assert drawn.rgba[145, 100, :3].tolist() == [255, 255, 255]  # The stroke in progress is in the picture.
    assert drawing.paths_of(live) == TROUSERS[:2]  # A canvas built anew gets only the finished strokes.
    done = drawing.decode(canvas_value(TROUSERS))
    assert not done.live and done.finished == 3 and drawing.paths_of(canvas_value(TROUSERS)) == TROUSERS
    only = dict(canvas_value(TROUSERS[:1]), live=True)  # The first stroke, still being drawn.
    assert drawing.decode(only).finished == 0 and not drawing.decode(only).empty and drawing.paths_of(only) == []
