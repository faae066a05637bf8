"""Data augmentation: random small shifts, rotations and zooms of training images, with Keras's own layers, and
some images turned into drawings.

A garment photographed a little off-centre, tilted or closer is still the same garment; showing the
network such variants teaches it that. A garment drawn by a learner is a flat shape or an outline: with
`TrainConfig.drawings`, a share of the images become one, made from the image's own mask (see `drawing_look`), so
the network learns garments' shapes and not only their photographs' shading. Both run in the training input pipeline
(tf.data), so the model itself stays the plain network (its weights and its saved files are unchanged), and
`preview` shows a learner what the network is shown.
"""

from __future__ import annotations

import numpy as np

# Shifts of up to 2 pixels (2/28 of the image), rotations of up to 10 degrees (10/360 of a turn), zooms of up to 10 %.
SHIFT, ROTATION, ZOOM = 2 / 28, 10 / 360, 0.1
# The share of training images shown as a drawing instead (TrainConfig.drawings chooses it for a run), and the
# brightness above which a pixel is the garment.
DRAWING_SHARE, MASK_LEVEL = 0.2, 0.1
# A drawing's outline is 1 to OUTLINE_MAX pixels wide, as a pen of 5 to 35 canvas pixels is once a drawing is 28×28.
OUTLINE_MAX = 3
# The grey of a coloured-in outline's inside, as fmnist.data.drawing.fill_outlines makes it.
FILL_LEVEL = 0.6


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


def drawing_look(images, generator, share: float = DRAWING_SHARE):
    """A random `share` of a (batch, 28, 28) float tensor in [0, 1] turned into drawings; the rest unchanged.

    From each image's mask (pixels above MASK_LEVEL), one of four looks, equally likely: the flat silhouette; the
    outline (1 to OUTLINE_MAX pixels wide) alone; the outline coloured in at FILL_LEVEL; and that with the image's
    strong inner edges (seams, openings) drawn as lines too. Edges are softened a little, as resizing a drawing does.
    `generator` is a tf.random.Generator, so the choices are new at every batch and repeatable from its seed.
    """
    import tensorflow as tf

    x = images[..., None]
    count = tf.shape(x)[0]
    mask = tf.cast(x > MASK_LEVEL, tf.float32)

    def erode(picture, radius):
        return -tf.nn.max_pool2d(-picture, 2 * radius + 1, 1, "SAME")

    width = generator.uniform([count, 1, 1, 1], 1, OUTLINE_MAX + 1, dtype=tf.int32)
    outline = tf.zeros_like(mask)
    for radius in range(1, OUTLINE_MAX + 1):
        outline += tf.cast(width == radius, tf.float32) * (mask - erode(mask, radius))
    gradient = tf.nn.max_pool2d(x, 3, 1, "SAME") + tf.nn.max_pool2d(-x, 3, 1, "SAME")
    lines = tf.maximum(outline, tf.cast(gradient > 0.3, tf.float32) * mask)
    coloured_in = tf.maximum(outline, FILL_LEVEL * mask)
    looks = tf.stack([mask, outline, coloured_in, tf.maximum(lines, FILL_LEVEL * mask)])
    choice = generator.uniform([count], 0, 4, dtype=tf.int32)
    drawn = tf.gather_nd(looks, tf.stack([choice, tf.range(count)], axis=1))
    drawn = 0.6 * drawn + 0.4 * tf.nn.avg_pool2d(drawn, 3, 1, "SAME")
    chosen = generator.uniform([count, 1, 1, 1]) < share
    return tf.where(chosen, drawn, x)[..., 0]


def map_batches(batches, seed: int):
    """A tf.data dataset of (images, labels) batches with the images augmented anew at every pass."""
    augmentation = layer(seed)
    return batches.map(lambda x, y: (augmentation(x[..., None], training=True)[..., 0], y))


def map_drawings(batches, seed: int, share: float):
    """A tf.data dataset of (images, labels) batches with a `share` of the images shown as drawings, anew at every pass."""
    import tensorflow as tf

    generator = tf.random.Generator.from_seed(seed + 3)
    return batches.map(lambda x, y: (drawing_look(x, generator, share), y))
