"""Inside the model: what each layer produces, what the first layer learned, and why it decided.

Every function takes a Keras model that maps a batch of (28, 28) images in [0, 1] to 10 logits (see
fmnist.model.architectures) and one image (28, 28) float in [0, 1]. Probabilities are the softmax of the logits, as in
the tutorial's `probability_model`. Nothing here imports Streamlit; TensorFlow is imported lazily.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from fmnist.model.predict import as_batch, softmax

SIZE = 28
# The name given to the softmax that follows the model's last layer (the model itself outputs logits).
SOFTMAX_NAME = "softmax"

# Per-model helpers (multi-output sub-models, traced gradient functions), built once and dropped with the model.
_HELPERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class LayerInfo:
    """One row of the model summary."""

    name: str  # The layer's name, as Keras gives it ("conv2d", "dense_1", ...).
    kind: str  # "conv" (feature maps), "dense" (a vector), "softmax" (the ten probabilities) or "other".
    shape: tuple  # Output shape for one image, without the batch axis.
    params: int  # Number of weights and biases in the layer.

    def to_dict(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "params": self.params}


def _image(image) -> np.ndarray:
    """One image as a float32 batch (1, 28, 28); raise ValueError for anything else."""
    batch = as_batch(image)
    if len(batch) != 1:
        raise ValueError(f"Expected one image of shape (28, 28), got {len(batch)} images.")
    return batch


def _check_class(class_id) -> int:
    if not isinstance(class_id, (int, np.integer)) or not 0 <= int(class_id) < 10:
        raise ValueError(f"class_id must be an integer from 0 to 9, not {class_id!r}.")
    return int(class_id)


def _helpers(model) -> dict:
    """The per-model cache of sub-models and traced functions."""
    if model not in _HELPERS:
        _HELPERS[model] = {}
    return _HELPERS[model]


def _kind(layer, shape: tuple) -> str:
    if len(shape) == 3:
        return "conv"
    if len(shape) == 1:
        return "dense"
    return "other"


def layer_summary(model) -> list[LayerInfo]:
    """Every layer's name, kind, output shape and parameter count, then the softmax: a model summary."""
    rows = []
    for layer in model.layers:
        shape = tuple(int(d) for d in layer.output.shape[1:])
        rows.append(LayerInfo(layer.name, _kind(layer, shape), shape, int(layer.count_params())))
    rows.append(LayerInfo(SOFTMAX_NAME, "softmax", (10,), 0))
    return rows


def _all_outputs_model(model):
    """A Keras model that returns every layer's output at once (one forward pass for all of them)."""
    helpers = _helpers(model)
    if "all_outputs" not in helpers:
        import keras

        helpers["all_outputs"] = keras.Model(model.inputs[0], [layer.output for layer in model.layers])
    return helpers["all_outputs"]


def activations(model, image) -> list[tuple[str, np.ndarray]]:
    """What each layer produces for `image`: (layer name, output without the batch axis), then the softmax.

    Dropout is inactive (inference), so the outputs are those the model predicts with.
    """
    outputs = _all_outputs_model(model)(_image(image), training=False)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    result = [(layer.name, np.asarray(output)[0]) for layer, output in zip(model.layers, outputs)]
    result.append((SOFTMAX_NAME, softmax(result[-1][1]).astype(np.float32)))
    return result


def first_layer_weights(model) -> tuple[str, np.ndarray]:
    """What the first layer with weights learned, as pictures.

    Returns ("dense", (units, 28, 28)) for a Dense layer that reads the flattened image (one template
    per unit), or ("conv", (filters, height, width)) for a Conv2D layer on the one-channel image.
    """
    for layer in model.layers:
        if not layer.weights:
            continue
        kernel = np.asarray(layer.weights[0])
        if kernel.ndim == 2 and kernel.shape[0] == SIZE * SIZE:
            return "dense", kernel.T.reshape(-1, SIZE, SIZE)
        if kernel.ndim == 4 and kernel.shape[2] == 1:
            return "conv", np.transpose(kernel[:, :, 0, :], (2, 0, 1))
        raise ValueError(
            f'The first layer with weights, "{layer.name}", is neither a Dense layer on the 784 pixels nor a Conv2D layer on the image.'
        )
    raise ValueError("The model has no layer with weights.")


def kernel(model, layer_name: str, channel: int) -> np.ndarray:
    """The kernel of a Conv2D layer that made feature map `channel`: (height, width, input channels)."""
    layer = model.get_layer(layer_name)
    weights = np.asarray(layer.weights[0]) if layer.weights else None
    if weights is None or weights.ndim != 4:
        raise ValueError(f'Layer "{layer_name}" is not a convolution; only Conv2D layers have kernels to show.')
    if not 0 <= channel < weights.shape[3]:
        raise ValueError(f'Layer "{layer_name}" has {weights.shape[3]} feature maps; {channel} is not one of them.')
    return weights[:, :, :, channel]


def probabilities(model, images) -> np.ndarray:
    """Class probabilities (N, 10) of images (N, 28, 28), computed in one batch."""
    return softmax(np.asarray(model(as_batch(images), training=False)))


def saliency(model, image, class_id: int) -> np.ndarray:
    """The gradient of the chosen class's probability with respect to each input pixel, (28, 28).

    Positive where brightening the pixel raises the probability, negative where it lowers it.
    """
    import tensorflow as tf

    class_id = _check_class(class_id)
    helpers = _helpers(model)
    if "saliency" not in helpers:

        @tf.function(
            input_signature=[tf.TensorSpec([1, SIZE, SIZE], tf.float32), tf.TensorSpec([], tf.int32)], reduce_retracing=True
        )
        def gradient(x, target):
            with tf.GradientTape() as tape:
                tape.watch(x)
                probability = tf.nn.softmax(model(x, training=False))[0, target]
            return tape.gradient(probability, x)

        helpers["saliency"] = gradient
    return helpers["saliency"](tf.constant(_image(image)), tf.constant(class_id)).numpy()[0]


def occlusion_drops(model, image, class_id: int, patch: int = 4, stride: int = 1, fill: float = 0.0) -> np.ndarray:
    """The drop in the class's probability when a patch is painted over, for every patch position.

    Returns (rows, cols) where entry [r, c] is for the patch whose top-left pixel is (r * stride,
    c * stride). All occluded copies go through the model in one batch. `fill` is the value painted:
    0.0 is the dataset's black background, so a patch over empty background changes nothing.
    """
    class_id = _check_class(class_id)
    if not isinstance(patch, (int, np.integer)) or not 1 <= patch <= SIZE:
        raise ValueError(f"patch must be a whole number of pixels from 1 to {SIZE}, not {patch!r}.")
    if not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive whole number of pixels, not {stride!r}.")
    x = _image(image)[0]
    starts = np.arange(0, SIZE - patch + 1, stride)
    # A boolean mask per patch position, built by broadcasting: (positions, 28, 28).
    inside = (np.arange(SIZE)[None, :] >= starts[:, None]) & (np.arange(SIZE)[None, :] < starts[:, None] + patch)
    masks = (inside[:, None, :, None] & inside[None, :, None, :]).reshape(-1, SIZE, SIZE)
    occluded = np.where(masks, np.float32(fill), x[None])
    batch = np.concatenate([x[None], occluded])
    probability = probabilities(model, batch)[:, class_id]
    return (probability[0] - probability[1:]).reshape(len(starts), len(starts)).astype(np.float32)


def occlusion(model, image, class_id: int, patch: int = 4, fill: float = 0.0) -> np.ndarray:
    """Occlusion map (28, 28): each pixel's mean probability drop over the patches that cover it."""
    return spread_drops(occlusion_drops(model, image, class_id, patch=patch, stride=1, fill=fill), patch)


def spread_drops(drops: np.ndarray, patch: int) -> np.ndarray:
    """Turn per-patch drops (stride 1) into a (28, 28) map: each pixel gets the mean over its patches."""
    total = np.zeros((SIZE, SIZE), np.float64)
    count = np.zeros((SIZE, SIZE), np.float64)
    for row in range(patch):
        for col in range(patch):
            # Shifting the grid of drops by (row, col) adds each patch's drop to one of the pixels it covers.
            total[row : row + drops.shape[0], col : col + drops.shape[1]] += drops
            count[row : row + drops.shape[0], col : col + drops.shape[1]] += 1
    return (total / count).astype(np.float32)


def top_patches(drops: np.ndarray, count: int = 5, stride: int = 1) -> list[list]:
    """The `count` patches whose occlusion lowers the probability most: [[row, col, drop], ...]."""
    order = np.argsort(drops, axis=None)[::-1][:count]
    rows, cols = np.unravel_index(order, drops.shape)
    return [[int(r) * stride, int(c) * stride, round(float(drops[r, c]), 6)] for r, c in zip(rows, cols)]


def last_conv_layer(model):
    """The last layer whose output is a stack of feature maps, or None for a model without convolutions."""
    for layer in reversed(model.layers):
        if len(layer.output.shape) == 4 and layer.weights:
            return layer
    return None


def grad_cam(model, image, class_id: int) -> np.ndarray:
    """Grad-CAM (Selvaraju et al., 2017) on the last convolution, as a (28, 28) map in [0, 1].

    Each feature map is weighted by the mean gradient of the class's logit over its pixels; the
    weighted sum, with negative values set to zero, is resized to the input with bilinear interpolation
    and divided by its maximum (all zeros when nothing speaks for the class).
    """
    import tensorflow as tf

    class_id = _check_class(class_id)
    conv = last_conv_layer(model)
    if conv is None:
        raise ValueError("Grad-CAM needs a convolutional layer, and this model has none (it is a multilayer perceptron).")
    helpers = _helpers(model)
    if "grad_cam" not in helpers:
        # The layers run one after another (the models here are sequential), so the tape can watch the
        # feature maps themselves and the rest of the network is computed from them.
        position = model.layers.index(conv)

        @tf.function(
            input_signature=[tf.TensorSpec([1, SIZE, SIZE], tf.float32), tf.TensorSpec([], tf.int32)], reduce_retracing=True
        )
        def maps_and_gradients(x, target):
            for layer in model.layers[: position + 1]:
                x = layer(x, training=False)
            feature_maps = x
            with tf.GradientTape() as tape:
                tape.watch(feature_maps)
                for layer in model.layers[position + 1 :]:
                    x = layer(x, training=False)
                score = x[0, target]
            return feature_maps, tape.gradient(score, feature_maps)

        helpers["grad_cam"] = maps_and_gradients
    feature_maps, gradients = helpers["grad_cam"](tf.constant(_image(image)), tf.constant(class_id))
    return cam_from(feature_maps.numpy()[0], gradients.numpy()[0])


def cam_from(feature_maps: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """The Grad-CAM map from one image's feature maps and their gradients, both (height, width, channels)."""
    from PIL import Image

    weights = gradients.mean(axis=(0, 1))
    cam = np.maximum((feature_maps * weights).sum(axis=-1), 0).astype(np.float32)
    if cam.shape != (SIZE, SIZE):
        cam = np.asarray(Image.fromarray(cam, mode="F").resize((SIZE, SIZE), Image.BILINEAR))
    cam = np.maximum(cam, 0)
    top = float(cam.max())
    return (cam / top if top > 0 else cam).astype(np.float32)


@dataclass(frozen=True)
class Explanation:
    """Everything the page and the command line show for one input and one class."""

    layers: list  # LayerInfo for every layer, then the softmax.
    activations: list  # (layer name, output) for every layer, then the softmax.
    probabilities: np.ndarray  # (10,) the model's probabilities for the input.
    class_id: int  # The class the maps below explain.
    saliency: np.ndarray  # (28, 28) gradient of the class's probability.
    occlusion: np.ndarray  # (28, 28) mean probability drop of the patches over each pixel.
    occlusion_drops: np.ndarray  # (25, 25) drop per 4×4 patch position.
    grad_cam: np.ndarray | None  # (28, 28) in [0, 1]; None for a model without convolutions.


def explain(model, image, class_id: int | None = None, patch: int = 4) -> Explanation:
    """All per-input views at once; the class defaults to the top prediction."""
    layer_outputs = activations(model, image)
    probs = layer_outputs[-1][1]
    class_id = int(np.argmax(probs)) if class_id is None else _check_class(class_id)
    drops = occlusion_drops(model, image, class_id, patch=patch)
    return Explanation(
        layers=layer_summary(model),
        activations=layer_outputs,
        probabilities=probs,
        class_id=class_id,
        saliency=saliency(model, image, class_id),
        occlusion=spread_drops(drops, patch),
        occlusion_drops=drops,
        grad_cam=grad_cam(model, image, class_id) if last_conv_layer(model) is not None else None,
    )
