"""Data augmentation: random small shifts, rotations and zooms of training images, with Keras's own layers.

A garment photographed a little off-centre, tilted or closer is still the same garment; showing the
network such variants teaches it that. The layers run in the training input pipeline (tf.data), so
the model itself stays the plain network (its weights and its saved files are unchanged), and
`preview` shows a learner what the network is shown.
"""

from __future__ import annotations

import numpy as np

# Shifts of up to 2 pixels (2/28 of the image), rotations of up to 10 degrees (10/360 of a turn), zooms of up to 10 %.
SHIFT, ROTATION, ZOOM = 2 / 28, 10 / 360, 0.1


def layer(seed: int = 0):
    """A Keras model that, called with training=True, randomly shifts, rotates and zooms (batch, 28, 28, 1) images.

    Uncovered corners are filled with black (0), the background of Fashion-MNIST.
    """
    import keras
    from keras import layers

    fill = {"fill_mode": "constant", "fill_value": 0.0}
    return keras.Sequential(
        [
            layers.RandomTranslation(SHIFT, SHIFT, seed=seed, **fill),
            layers.RandomRotation(ROTATION, seed=seed + 1, **fill),
            layers.RandomZoom(ZOOM, seed=seed + 2, **fill),
        ],
        name="augmentation",
    )


def preview(images: np.ndarray, seed: int = 0) -> np.ndarray:
    """Augmented copies of (n, 28, 28) images in [0, 1] (or 0..255), as float32 in [0, 1]: what training would see."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(f"Expected images of shape (n, 28, 28), not {x.shape}.")
    if x.max(initial=0.0) > 1.0:
        x = x / 255.0
    out = np.asarray(layer(seed)(x[..., None], training=True))[..., 0]
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def map_batches(batches, seed: int):
    """A tf.data dataset of (images, labels) batches with the images augmented anew at every pass."""
    augmentation = layer(seed)
    return batches.map(lambda x, y: (augmentation(x[..., None], training=True)[..., 0], y))
