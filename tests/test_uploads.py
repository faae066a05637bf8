"""Tests of fmnist.data.uploads (through fmnist.data.preprocess): every format and mode, hostile files, shrinking early,
pixel caps, the thumbnail, and random bytes."""

import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from fmnist.data import preprocess, uploads
from fmnist.data.preprocess import ImageError, from_array, from_bytes
from tests.pictures import check_human, check_output, encode, garment_picture, mode_pictures, png_chunk


@pytest.mark.parametrize("name, image", mode_pictures(), ids=[name for name, _ in mode_pictures()])
def test_every_mode_gives_the_same_picture(name, image):
    result = from_array(uploads._to_array(image))
    check_output(result)
    assert np.abs(result - from_array(np.asarray(garment_picture()))).mean() < 0.05, name


@pytest.mark.parametrize(
    "mode, fmt",
    [
        ("1", "PNG"),
        ("L", "PNG"),
        ("P", "GIF"),
        ("LA", "PNG"),
        ("RGBA", "PNG"),
        ("RGBA", "WEBP"),
        ("RGB", "JPEG"),
        ("CMYK", "JPEG"),
        ("I;16", "PNG"),
        ("P", "BMP"),
        ("RGB", "BMP"),
        ("RGB", "WEBP"),
    ],
)
def test_uploads_of_every_format_and_mode(mode, fmt):
    options = {"lossless": True} if fmt == "WEBP" else {}
    result = from_bytes(encode(dict(mode_pictures())[mode], fmt, **options))
    check_output(result)
    assert np.abs(result - from_array(np.asarray(garment_picture()))).mean() < 0.05


def test_exif_orientation_is_applied():
    stored = garment_picture().convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation 6: the stored picture must be turned 90° clockwise to be seen upright.
    result = from_bytes(encode(stored, "JPEG", quality=95, exif=exif.tobytes()))
    upright = from_array(np.rot90(np.asarray(garment_picture()), k=-1))
    unturned = from_array(np.asarray(garment_picture()))
    assert np.abs(result - upright).mean() < 0.03
    assert np.abs(result - unturned).mean() > 0.1


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
def test_only_the_first_frame_of_an_animation_is_used(fmt):
    first = np.full((40, 40), 255, dtype=np.uint8)
    first[5:35, 15:22] = 0  # A vertical bar.
    second = np.full((40, 40), 255, dtype=np.uint8)
    second[15:22, 5:35] = 0  # A horizontal bar.
    frames = [Image.fromarray(first).convert("RGB"), Image.fromarray(second).convert("RGB")]
    blob = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(blob)).n_frames == 2
    result = from_bytes(blob)
    assert np.abs(result - from_array(first)).mean() < 0.03


def huge_png_header():
    """Return a tiny PNG whose header claims 100000×100000 pixels."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + png_chunk(b"IEND", b"")
    )


def hostile_uploads():
    """Return (name, bytes, words the refusal must contain) for uploads that must be refused."""
    picture = garment_picture().convert("RGB")
    # Cut in half, a larger picture loses pixel data rather than its header.
    jpeg = encode(picture.resize((600, 400)), "JPEG")
    png = encode(picture.resize((600, 400)), "PNG")
    return [
        ("empty", b"", "empty"),
        ("random bytes", np.random.default_rng(1).bytes(5000), "not a picture"),
        ("html", b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>", "not a picture"),
        ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><rect width="9"/></svg>', "not a"),
        ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n", "not a picture"),
        ("truncated jpeg", jpeg[: len(jpeg) // 2], "damaged"),
        ("truncated png", png[: len(png) // 2], "damaged"),
        ("huge png header", huge_png_header(), "too many pixels"),
        ("too many bytes", png + b"\x00" * preprocess.MAX_UPLOAD_BYTES, "limit"),
        ("tiff", encode(picture, "TIFF"), "not a picture"),
        ("ico", encode(picture, "ICO"), "not a picture"),
    ]


@pytest.mark.parametrize("name, blob, words", hostile_uploads(), ids=[case[0] for case in hostile_uploads()])
def test_hostile_uploads_are_refused_politely(name, blob, words):
    with pytest.raises(ImageError, match=words) as caught:
        from_bytes(blob)
    check_human(caught.value)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def one_of_bytes():
    """Byte strings that are either random or a small real picture with a few bytes changed."""
    seeds = [encode(garment_picture(), fmt) for fmt in preprocess.ALLOWED_FORMATS]

    @st.composite
    def mutated(draw):
        blob = bytearray(draw(st.sampled_from(seeds)))
        for _ in range(draw(st.integers(1, 8))):
            blob[draw(st.integers(0, len(blob) - 1))] = draw(st.integers(0, 255))
        return bytes(blob[: draw(st.integers(1, len(blob)))])

    return st.one_of(st.binary(max_size=4096), mutated())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blob=one_of_bytes())
def test_any_bytes_give_a_picture_or_a_polite_refusal(blob):
    try:
        result = from_bytes(blob)
    except ImageError as error:
        check_human(error)
    else:
        check_output(result)


def big_and_small(mode, fmt, factor=50, **options):
    """The garment picture in `mode`, saved as `fmt` at its own size and `factor` times larger."""
    small = dict(mode_pictures())[mode]
    big = small.resize((small.width * factor, small.height * factor), Image.NEAREST)
    if "transparency" in small.info:
        big.info["transparency"] = small.info["transparency"]
    return encode(big, fmt, **options), encode(small, fmt, **options)


@pytest.mark.parametrize(
    "mode, fmt",
    [("L", "PNG"), ("RGBA", "PNG"), ("LA", "PNG"), ("P with transparency", "PNG"), ("1", "PNG"), ("I;16", "PNG"),
     ("P", "GIF"), ("RGB", "JPEG"), ("CMYK", "JPEG"), ("RGB", "BMP"), ("RGBA", "WEBP")],
)  # fmt: skip
def test_a_big_picture_is_shrunk_early_and_gives_the_same_result_as_a_small_one(mode, fmt):
    options = {"lossless": True} if fmt == "WEBP" else {}
    big, small = big_and_small(mode, fmt, factor=30 if fmt == "BMP" else 50, **options)  # BMP: under 10 MB.
    assert max(Image.open(io.BytesIO(big)).size) > uploads.WORKING_SIZE
    assert max(uploads.decode(big).pixels.shape[:2]) <= uploads.WORKING_SIZE
    result = from_bytes(big)
    check_output(result)
    assert np.abs(result - from_bytes(small)).mean() < 0.03, (mode, fmt)


def test_a_transparent_edge_does_not_take_the_hidden_colour_when_shrunk():
    # Hidden pixels are white under full transparency: averaged without premultiplying they would lighten
    # the garment's edges; premultiplied, the shrunk picture is the same as a small one.
    rgba = np.zeros((400, 600, 4), dtype=np.uint8)
    rgba[..., :3] = 255
    rgba[50:350, 100:180] = (0, 0, 0, 255)
    big = Image.fromarray(rgba).resize((6000, 4000), Image.NEAREST)
    pixels = uploads.decode(encode(big, "PNG")).pixels
    gray, alpha = pixels[..., 0], pixels[..., 1]
    assert gray[alpha > 0].max() == 0  # Every visible pixel stays black, also at the edges.


def encoded_size(width, height, fmt, **options):
    return encode(Image.new("RGB", (width, height), (200, 200, 200)), fmt, **options)


@pytest.mark.parametrize(
    "fmt, options, cap",
    [("JPEG", {}, uploads.MAX_JPEG_PIXELS), ("JPEG", {"progressive": True}, uploads.MAX_PROGRESSIVE_JPEG_PIXELS),
     ("WEBP", {"lossless": True}, uploads.MAX_WEBP_PIXELS)],
)  # fmt: skip
def test_each_format_has_its_pixel_cap(fmt, options, cap):
    # Just over the cap is refused from the header; a picture at the cap is read (a plain grey one is blank).
    width = 4000
    over = encoded_size(width, cap // width + 1, fmt, **options)
    with pytest.raises(ImageError, match="too many pixels"):
        from_bytes(over)
    with pytest.raises(ImageError, match="blank"):
        from_bytes(encoded_size(width, cap // width, fmt, **options))


def test_a_png_over_the_pixel_cap_is_refused_before_decoding():
    header = struct.pack(">IIBBBBB", 6000, uploads.MAX_PIXELS // 6000 + 1, 8, 6, 0, 0, 0)
    blob = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IEND", b"")
    with pytest.raises(ImageError, match="too many pixels"):
        from_bytes(blob)


def test_the_upload_extensions_come_from_the_allowed_formats():
    registered = Image.registered_extensions()
    assert set(preprocess.UPLOAD_EXTENSIONS) >= {"png", "jpg", "jpeg", "gif", "bmp", "webp"}
    for extension in preprocess.UPLOAD_EXTENSIONS:
        assert registered[f".{extension}"] in preprocess.ALLOWED_FORMATS
    for fmt in preprocess.ALLOWED_FORMATS:
        assert any(registered[f".{extension}"] == fmt for extension in preprocess.UPLOAD_EXTENSIONS)


def test_the_thumbnail_is_made_from_the_same_decoded_picture_upright_and_in_colour():
    stored = np.full((300, 600, 3), 255, dtype=np.uint8)
    stored[50:250, 100:200] = (200, 20, 20)  # A red garment on the left of a wide picture.
    exif = Image.Exif()
    exif[0x0112] = 6  # Stored on its side: shown turned 90° clockwise, so tall, with the garment at the top.
    blob = encode(Image.fromarray(stored).resize((3000, 1500)), "JPEG", quality=95, exif=exif.tobytes())
    upload = preprocess.read_upload(blob)
    assert np.array_equal(upload.image, from_bytes(blob))
    check_output(upload.image)
    thumbnail = upload.thumbnail
    assert thumbnail.dtype == np.uint8 and thumbnail.shape == (preprocess.THUMBNAIL_SIZE, 140, 3)
    red = (thumbnail[..., 0] > 150) & (thumbnail[..., 1] < 80)
    rows = np.flatnonzero(red.any(axis=1))
    assert red.sum() > 1000 and rows.max() < preprocess.THUMBNAIL_SIZE / 2


@pytest.mark.parametrize("mode", ["RGBA", "I;16", "P with transparency", "1"])
def test_the_thumbnail_of_every_mode_is_8_bit_and_shows_the_garment(mode):
    thumbnail = preprocess.read_upload(encode(dict(mode_pictures())[mode], "PNG"), thumbnail_size=30).thumbnail
    assert thumbnail.dtype == np.uint8 and thumbnail.ndim == 3 and thumbnail.shape[2] in (3, 4)
    assert max(thumbnail.shape[:2]) == 30
    shown = thumbnail[..., :3].astype(np.float32)
    if thumbnail.shape[2] == 4:  # As seen on a white page.
        alpha = thumbnail[..., 3:] / 255.0
        shown = shown * alpha + 255 * (1 - alpha)
    assert shown.min() < 60 and shown.max() > 200  # The dark garment and its light surroundings.
