"""The held-out drawings (tests/data/drawings/): the set is complete, a drawing's preprocessing is steady, outlines are
coloured in, the drawing look of augmentation, and the shipped model recognises at least 90 % of the set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from fmnist.bench import drawings as bench_drawings
from fmnist.data import augment, drawing, preprocess

ROOT = Path(__file__).resolve().parents[1]
STYLES = {"outline", "filled", "thick", "thin", "off-centre", "small"}


@pytest.fixture(scope="module")
def held_out():
    return bench_drawings.load_set()


def test_the_set_has_every_class_and_style(held_out):
    per_class = Counter(each.label for each in held_out)
    assert len(held_out) >= 40 and sorted(per_class) == list(range(10)) and min(per_class.values()) >= 4
    assert {each.style for each in held_out} == STYLES
    assert len({each.name for each in held_out}) == len(held_out)
    for each in held_out:
        assert each.rgba.shape == (drawing.SIZE, drawing.SIZE, 4) and each.paths and each.rgba[..., 0].max() == 255


def test_a_drawing_is_preprocessed_the_same_every_time(held_out):
    for each in held_out[:10]:
        first, second = preprocess.from_canvas(each.rgba), preprocess.from_canvas(each.rgba.copy())
        assert first.shape == (28, 28) and first.dtype == np.float32
        assert first.min() >= 0.0 and abs(first.max() - 1.0) < 1e-6
        assert np.array_equal(first, second)


def outline_canvas(handle: bool = False) -> np.ndarray:
    """A square drawn as an outline (pen 12), with a bag's handle on top if asked, as the canvas sends it."""
    image = Image.new("RGBA", (drawing.SIZE, drawing.SIZE), (0, 0, 0, 255))
    pen = ImageDraw.Draw(image)
    pen.rectangle((60, 100, 220, 250), outline=(255, 255, 255, 255), width=12)
    if handle:
        pen.arc((110, 60, 170, 130), 180, 360, fill=(255, 255, 255, 255), width=12)
    return np.asarray(image)


def test_a_closed_outline_is_coloured_in_and_its_strokes_stay_bright():
    ink = outline_canvas()[..., 0]
    filled = drawing.fill_outlines(ink, 25)
    assert filled[175, 140] == round(drawing.FILL_LEVEL * 255) and filled[100, 140] == 255
    assert filled[20, 20] == 0 and np.array_equal(filled[ink > 25], ink[ink > 25])
    model_input = preprocess.from_canvas(outline_canvas())
    assert 0.5 < model_input[14, 14] < 0.7 and model_input[14, 0] > 0.75  # The square is wider than tall.


def test_a_small_enclosure_stays_open_and_nothing_closed_is_unchanged():
    ink = outline_canvas(handle=True)[..., 0]
    filled = drawing.fill_outlines(ink, 25)
    assert filled[90, 140] == 0  # Inside the handle: smaller than a tenth of the drawing's box.
    assert filled[175, 140] > 0  # Inside the bag.
    line = np.zeros((280, 280), np.uint8)
    line[100:110, 40:240] = 255
    assert np.array_equal(drawing.fill_outlines(line, 25), line)


def test_the_drawing_look_changes_a_share_of_the_images_into_flat_shapes_and_outlines(dataset):
    import tensorflow as tf

    images = tf.constant(dataset.train_images[:400].astype(np.float32) / 255.0)
    out = np.asarray(augment.drawing_look(images, tf.random.Generator.from_seed(5)))
    again = np.asarray(augment.drawing_look(images, tf.random.Generator.from_seed(5)))
    assert out.shape == (400, 28, 28) and np.array_equal(out, again)
    changed = ~np.all(np.isclose(out, images.numpy()), axis=(1, 2))
    assert 0.1 < changed.mean() < 0.4
    for drawn, original in zip(out[changed], images.numpy()[changed]):
        assert drawn.min() >= 0.0 and drawn.max() <= 1.0
        # Nothing is drawn far from the garment: every drawn pixel is within a pixel of the original's mask.
        near = np.asarray(tf.nn.max_pool2d((original > augment.MASK_LEVEL)[None, ..., None].astype(np.float32), 3, 1, "SAME"))[
            0, ..., 0
        ]
        assert np.all(drawn[near == 0] < 0.35)


# The goal: nine drawings in ten with a test accuracy of at least 0.93; the shipped model, trained with a share
# of its images shown as drawings, gets 45 of 50 (docs/benchmarks.md). A change of preprocessing or model that
# loses drawings or test images fails here.
@pytest.mark.slow  # Loads TensorFlow and the shipped model.
def test_the_shipped_model_recognises_nine_drawings_in_ten(held_out, dataset):
    from fmnist import registry
    from fmnist.model.predict import Predictor

    predictor = Predictor(registry.load(registry.DEFAULT_NAME))
    result = bench_drawings.score(predictor, held_out)
    assert result["right"] >= 0.9 * result["total"], result["misses"]
    test_accuracy = float(np.mean(predictor(dataset.test_images).argmax(axis=1) == dataset.test_labels))
    assert test_accuracy >= 0.93


@pytest.mark.slow  # A fresh process that imports TensorFlow.
def test_bench_drawings_reports_every_class_and_its_misses():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-m", "fmnist", "bench", "drawings"], cwd=ROOT, capture_output=True,
                            text=True, env=env, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])["models"]["default"]
    assert len(report["per_class"]) == 10 and sum(n for _, n in report["per_class"].values()) == report["total"]
    assert "drawings right" in result.stdout and len(report["misses"]) == report["total"] - report["right"]


def test_bench_drawings_refuses_an_unknown_model_and_a_missing_folder(tmp_path):
    for args, words in ((["--model", "no-such-model"], "no-such-model"), (["--folder", str(tmp_path)], "cannot read")):
        result = subprocess.run([sys.executable, "-m", "fmnist", "bench", "drawings", *args], cwd=ROOT,
                                capture_output=True, text=True, timeout=600)  # fmt: skip
        assert result.returncode != 0 and words in result.stderr


@pytest.mark.e2e
def test_record_drawings_keeps_what_the_canvas_sent(tmp_path):
    result = subprocess.run([sys.executable, "-m", "scripts.record_drawings", "--only", "2", "--out", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    recorded = bench_drawings.load_set(tmp_path)
    assert [each.name for each in recorded] == [each["name"] for each in json.loads((tmp_path / "drawings.json").read_text())]
    assert len(recorded) == 2 and all(each.rgba[..., 0].max() == 255 for each in recorded)


def test_the_share_of_drawings_is_checked():
    from fmnist.model.config import MAX_DRAWINGS, TrainConfig

    assert TrainConfig(model="cnn", drawings=0.2).resolved().drawings == 0.2
    for share in (-0.1, MAX_DRAWINGS + 0.1, True, "0.2"):
        with pytest.raises(ValueError, match="drawings"):
            TrainConfig(drawings=share).resolved()


@pytest.mark.slow  # Trains a small model.
def test_a_run_with_drawings_trains_on_a_share_of_drawn_images(dataset):
    from fmnist.model import training
    from fmnist.model.config import TrainConfig

    x, y = dataset.train_images[:512], dataset.train_labels[:512]
    plain = np.concatenate([b[0].numpy() for b in training.shuffled_batches(x, y, 128, seed=1)])
    drawn = np.concatenate([b[0].numpy() for b in training.shuffled_batches(x, y, 128, seed=1, drawings=0.3)])
    changed = ~np.all(np.isclose(plain, drawn), axis=(1, 2))
    assert 0.15 < changed.mean() < 0.45
    config = TrainConfig(model="mlp", epochs=1, limit=500, drawings=0.3).resolved()
    model, _, stopped = training.train(config, dataset, lambda event: None, training.Control())
    assert not stopped and model.count_params() > 0
