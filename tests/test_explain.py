"""fmnist.inside.explain checked against references: sub-models, finite differences, a loop, a hand computation."""

import keras
import numpy as np
import pytest
from keras import layers

from fmnist.inside import explain
from fmnist.model import architectures


@pytest.fixture(scope="module")
def mlp():
    keras.utils.set_random_seed(1)
    return architectures.build_mlp()


def smooth_model():
    """A tiny model with smooth activations, so finite differences are exact up to rounding."""
    keras.utils.set_random_seed(2)
    return keras.Sequential(
        [keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(16, activation="tanh"), layers.Dense(10)]
    )


def tiny_cnn():
    keras.utils.set_random_seed(3)
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Reshape((28, 28, 1)),
            layers.Conv2D(3, 3, padding="same", activation="relu"),
            layers.Flatten(),
            layers.Dense(10),
        ]
    )


@pytest.mark.parametrize("name", ["cnn", "mlp"])
def test_activations_equal_sub_models_cut_at_each_layer(name, cnn, mlp, dataset):
    model = {"cnn": cnn, "mlp": mlp}[name]
    image = dataset.test_images[7] / 255.0
    outputs = explain.activations(model, image)
    assert [n for n, _ in outputs] == [layer.name for layer in model.layers] + ["softmax"]
    for layer, (_, values) in zip(model.layers, outputs):
        reference = keras.Model(model.inputs[0], layer.output)(image[None].astype(np.float32), training=False)
        np.testing.assert_allclose(values, np.asarray(reference)[0], rtol=1e-5, atol=1e-5)
    logits = np.asarray(model(image[None].astype(np.float32), training=False))[0]
    np.testing.assert_allclose(outputs[-1][1], np.exp(logits) / np.exp(logits).sum(), rtol=1e-5)


def test_layer_summary_gives_shapes_and_parameter_counts(cnn):
    rows = explain.layer_summary(cnn)
    assert [r.name for r in rows[:-1]] == [layer.name for layer in cnn.layers]
    assert sum(r.params for r in rows) == cnn.count_params()
    conv = next(r for r in rows if r.name == "conv2d")
    # The shipped CNN: 24 filters of 3 x 3, without biases (batch normalisation follows).
    assert conv.kind == "conv" and conv.shape == (28, 28, 24) and conv.params == 3 * 3 * 24
    assert rows[-1].to_dict() == {"name": "softmax", "shape": [10], "params": 0}


def finite_difference(model, image, class_id, row, col, step=1e-3):
    up, down = image.copy(), image.copy()
    up[row, col] += step
    down[row, col] -= step
    probabilities = explain.probabilities(model, np.stack([up, down]))[:, class_id]
    return (probabilities[0] - probabilities[1]) / (2 * step)


def test_saliency_agrees_with_finite_differences(dataset):
    model = smooth_model()
    image = dataset.test_images[3].astype(np.float32) / 255.0
    gradient = explain.saliency(model, image, 4)
    assert gradient.shape == (28, 28)
    strongest = np.argsort(np.abs(gradient), axis=None)[::-1][:5]
    for row, col in zip(*np.unravel_index(strongest, gradient.shape)):
        assert gradient[row, col] == pytest.approx(finite_difference(model, image, 4, row, col), rel=2e-2, abs=1e-5)


def test_saliency_of_the_default_cnn_agrees_with_finite_differences(cnn, dataset):
    image = dataset.test_images[0].astype(np.float32) / 255.0
    class_id = 7  # A runner-up class, so the probability is neither saturated at 0 nor at 1.
    gradient = explain.saliency(cnn, image, class_id)
    strongest = np.argsort(np.abs(gradient), axis=None)[::-1][:3]
    for row, col in zip(*np.unravel_index(strongest, gradient.shape)):
        assert gradient[row, col] == pytest.approx(
            finite_difference(cnn, image, class_id, row, col, step=1e-2), rel=0.15, abs=1e-6
        )


def test_occlusion_in_one_batch_equals_a_loop(mlp, dataset):
    image = dataset.test_images[11].astype(np.float32) / 255.0
    patch, stride, class_id = 5, 3, 2
    drops = explain.occlusion_drops(mlp, image, class_id, patch=patch, stride=stride)
    base = explain.probabilities(mlp, image)[0, class_id]
    starts = range(0, 28 - patch + 1, stride)
    assert drops.shape == (len(starts), len(starts))
    for i, top in enumerate(starts):
        for j, left in enumerate(starts):
            covered = image.copy()
            covered[top : top + patch, left : left + patch] = 0.0
            assert drops[i, j] == pytest.approx(base - explain.probabilities(mlp, covered)[0, class_id], abs=1e-5)


def test_occlusion_map_is_the_mean_drop_of_the_patches_over_each_pixel(mlp, dataset):
    image = dataset.test_images[5] / 255.0
    drops = explain.occlusion_drops(mlp, image, 1, patch=4)
    heat = explain.occlusion(mlp, image, 1, patch=4)
    for row, col in ((0, 0), (10, 17), (27, 27), (3, 26)):
        covering = [
            drops[r, c] for r in range(max(0, row - 3), min(row, 24) + 1) for c in range(max(0, col - 3), min(col, 24) + 1)
        ]
        assert heat[row, col] == pytest.approx(np.mean(covering), abs=1e-6)


@pytest.mark.slow
def test_occlusion_hurts_more_on_the_object_than_on_the_background(cnn, dataset):
    images = dataset.test_images[:200].astype(np.float32) / 255.0
    predicted = explain.probabilities(cnn, images).argmax(axis=1)
    larger = 0
    for image, class_id in zip(images, predicted):
        heat = explain.occlusion(cnn, image, int(class_id))
        on_object = image > 0.1
        larger += heat[on_object].mean() > heat[~on_object].mean()
    assert larger >= 0.95 * len(images)


def test_top_patches_are_the_largest_drops_first():
    drops = np.zeros((25, 25), np.float32)
    drops[3, 4], drops[10, 2], drops[20, 20] = 0.5, 0.9, 0.1
    assert explain.top_patches(drops, 2) == [[10, 2, 0.9], [3, 4, 0.5]]


def test_grad_cam_matches_a_hand_computation_on_a_tiny_model(dataset):
    model = tiny_cnn()
    image = dataset.test_images[1].astype(np.float32) / 255.0
    class_id = 6
    heat = explain.grad_cam(model, image, class_id)
    assert heat.shape == (28, 28) and heat.min() >= 0 and heat.max() == pytest.approx(1.0)
    # The logit is Dense(Flatten(A)), so d logit / d A[i, j, k] is the Dense weight that reads A[i, j, k].
    feature_maps = np.asarray(keras.Model(model.inputs[0], model.layers[1].output)(image[None]))[0]
    dense_kernel = np.asarray(model.layers[-1].weights[0])[:, class_id].reshape(28, 28, 3)
    weights = dense_kernel.mean(axis=(0, 1))
    expected = np.maximum((feature_maps * weights).sum(axis=-1), 0)
    np.testing.assert_allclose(heat, expected / expected.max(), rtol=1e-4, atol=1e-5)


def test_grad_cam_of_the_default_cnn(cnn, dataset):
    image = dataset.test_images[0] / 255.0
    heat = explain.grad_cam(cnn, image, 9)
    assert heat.shape == (28, 28) and heat.min() >= 0 and heat.max() <= 1.0 + 1e-6 and heat.max() > 0


def test_grad_cam_needs_a_convolution(mlp):
    with pytest.raises(ValueError, match="convolutional"):
        explain.grad_cam(mlp, np.zeros((28, 28)), 0)


def test_first_layer_weights_as_pictures(cnn, mlp):
    kind, templates = explain.first_layer_weights(mlp)
    kernel = np.asarray(mlp.layers[1].weights[0])
    assert kind == "dense" and templates.shape == (128, 28, 28)
    np.testing.assert_array_equal(templates[5].reshape(-1), kernel[:, 5])
    kind, kernels = explain.first_layer_weights(cnn)
    assert kind == "conv" and kernels.shape == (24, 3, 3)
    np.testing.assert_array_equal(kernels[4], explain.kernel(cnn, "conv2d", 4)[:, :, 0])
    assert explain.kernel(cnn, "conv2d_1", 47).shape == (3, 3, 24)


def test_bad_arguments_get_helpful_errors(cnn):
    image = np.zeros((28, 28))
    with pytest.raises(ValueError, match="class_id"):
        explain.saliency(cnn, image, 10)
    with pytest.raises(ValueError, match="patch"):
        explain.occlusion(cnn, image, 0, patch=0)
    with pytest.raises(ValueError, match="not a convolution"):
        explain.kernel(cnn, "dense", 0)
    with pytest.raises(ValueError, match="feature maps"):
        explain.kernel(cnn, "conv2d", 32)
    with pytest.raises(ValueError, match="28, 28"):
        explain.activations(cnn, np.zeros((27, 28)))


def test_explain_gathers_every_view_for_the_top_class(cnn, mlp, dataset):
    image = dataset.test_images[2] / 255.0
    result = explain.explain(cnn, image)
    assert result.class_id == int(np.argmax(result.probabilities))
    assert result.saliency.shape == result.occlusion.shape == result.grad_cam.shape == (28, 28)
    assert result.occlusion_drops.shape == (25, 25)
    assert explain.explain(mlp, image, class_id=3).grad_cam is None
