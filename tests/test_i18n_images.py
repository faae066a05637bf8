"""Refused pictures and drawings in both languages: each refusal a person meets names its text in
fmnist.data.messages, its English message is that text, and fmnist.i18n.image_error says it in Chinese."""

import numpy as np
import pytest
from PIL import Image

from fmnist.data import drawing, messages, preprocess, uploads
from fmnist.data.preprocess import ImageError
from pages import i18n
from tests.pictures import encode, garment_picture

HAN = range(0x4E00, 0xA000)


def refusal(make) -> ImageError:
    with pytest.raises(ImageError) as caught:
        make()
    return caught.value


def truncated_png() -> bytes:
    data = encode(garment_picture(), "PNG")
    return data[: len(data) // 2]


CASES = {
    "image_not_a_picture": lambda: preprocess.read_upload(b"<html><body>not a picture</body></html>"),
    "image_empty_file": lambda: preprocess.read_upload(b""),
    "image_too_large": lambda: preprocess.read_upload(b"\0" * (uploads.MAX_UPLOAD_BYTES + 1)),
    "image_damaged": lambda: preprocess.read_upload(truncated_png()),
    "image_too_many_pixels": lambda: preprocess.from_array(np.zeros((5000, 5000), np.uint8)),
    "image_blank": lambda: preprocess.read_upload(encode(Image.new("L", (64, 64), 200), "PNG")),
    "drawing_empty": lambda: preprocess.from_canvas(np.zeros((280, 280, 4), np.uint8)),
    "drawing_malformed": lambda: drawing.decode({"png": "data:image/png;base64,AAAA", "strokes": 1, "paths": [[20, 1, 1]]}),
}


def test_every_text_has_a_case_here():
    assert set(CASES) == set(messages.STRINGS["en"])


@pytest.mark.parametrize("key", CASES)
def test_a_refusal_names_its_text_and_is_said_in_chinese(key):
    error = refusal(CASES[key])
    assert error.key == key
    english = i18n.text(key, "en", **error.values)
    assert str(error).startswith(english)  # A drawing's message may add a detail for a developer.
    assert i18n.image_error(error, "en") == str(error)
    chinese = i18n.image_error(error, "zh")
    assert chinese == i18n.text(key, "zh", **error.values)
    assert any(ord(character) in HAN for character in chinese) and "{" not in chinese
    for value in error.values.values():  # Sizes and limits reach both languages.
        assert str(value) in english and str(value) in chinese


def test_the_file_size_is_in_megabytes_with_the_limit():
    error = refusal(CASES["image_too_large"])
    assert error.values == {"size": "10.0", "limit": 10}
    assert str(error) == "The file is 10.0 MB, over the 10 MB limit. Please upload a smaller picture."


def test_the_formats_named_are_the_formats_allowed():
    assert uploads.FORMATS_HINT in uploads.NOT_A_PICTURE  # The English hint is made from the allowed formats.
    for key in ("image_not_a_picture", "image_empty_file"):
        for name in uploads.ALLOWED_FORMATS:
            assert {"WEBP": "WebP"}.get(name, name) in i18n.text(key, "zh")


def test_an_error_without_a_text_keeps_its_message():
    assert i18n.image_error(ValueError("The model has no first layer."), "zh") == "The model has no first layer."
    assert i18n.image_error(ImageError("The drawing must be RGBA."), "zh") == "The drawing must be RGBA."
