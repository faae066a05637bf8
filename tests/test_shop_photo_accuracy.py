"""Shop photos of clothing are classified nearly as well as the dataset's own images."""

import numpy as np
import pytest

from fmnist import registry
from fmnist.data import preprocess
from fmnist.model.predict import Predictor
from tests.shop_photos import make_shop_photo

N = 300


@pytest.fixture(scope="module")
def predictor():
    return Predictor(registry.load("default"))


def shop_photo_accuracy(predictor, dataset, fmt):
    rng = np.random.default_rng(42)
    indices = rng.choice(len(dataset.test_images), N, replace=False)
    pictures = np.stack([preprocess.from_bytes(make_shop_photo(dataset.test_images[i], rng, fmt)) for i in indices])
    labels = dataset.test_labels[indices]
    on_photos = np.mean(predictor(pictures).argmax(1) == labels)
    on_originals = np.mean(predictor(dataset.test_images[indices]).argmax(1) == labels)
    return on_photos, on_originals


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "PNG-RGBA"])
def test_shop_photos_are_classified_nearly_as_well_as_the_dataset(predictor, dataset, fmt):
    on_photos, on_originals = shop_photo_accuracy(predictor, dataset, fmt)
    print(f"{fmt}: shop photos {on_photos:.3f}, originals {on_originals:.3f}")
    assert on_photos >= on_originals - 0.03
