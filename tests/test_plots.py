"""Tests of fmnist.charts.figures on the real dataset and on small synthetic arrays."""

import warnings

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from fmnist.charts import figures
from fmnist.data import fashion_mnist
from fmnist.runs import curves

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def dataset():
    """Load the real Fashion-MNIST once for this module."""
    return fashion_mnist.load()


def one_hot_ish(label, confidence=0.91):
    """Return 10 probabilities that put `confidence` on label and share the rest."""
    probabilities = np.full(10, (1 - confidence) / 9)
    probabilities[label] = confidence
    return probabilities


def bar_colors(ax):
    """Return the hex colour of every bar in ax."""
    return [to_hex(bar.get_facecolor()) for bar in ax.patches]


def test_image_with_colorbar_uint8_and_float(dataset):
    image = dataset.train_images[0]
    for shown, top in ((image, 255), (image / 255.0, 1.0)):
        fig = figures.image_with_colorbar(shown, title="first")
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 2  # The image and its colorbar.
        assert fig.axes[0].images[0].get_clim() == (0, top)
        assert fig.axes[0].get_title() == "first"


def test_image_with_colorbar_rejects_a_batch(dataset):
    with pytest.raises(ValueError, match="2-D"):
        figures.image_with_colorbar(dataset.train_images[:2])


def test_image_grid_labels_are_class_names(dataset):
    fig = figures.image_grid(dataset.train_images[:25], dataset.train_labels[:25], fashion_mnist.CLASS_NAMES)
    assert len(fig.axes) == 25
    expected = [fashion_mnist.CLASS_NAMES[label] for label in dataset.train_labels[:25]]
    assert [ax.xaxis.label.get_text() for ax in fig.axes] == expected
    assert all(not ax.get_xticks().size and not ax.get_yticks().size for ax in fig.axes)
    assert fig.axes[0].images[0].get_cmap().name == "binary"


def test_image_grid_with_fewer_images_and_predictions(dataset):
    labels = dataset.test_labels[:7]
    predicted = labels.copy()
    predicted[0] = (labels[0] + 1) % 10
    fig = figures.image_grid(dataset.test_images[:7], labels, fashion_mnist.CLASS_NAMES_ZH, rows=3, cols=4, predicted=predicted)
    assert len(fig.axes) == 7
    wrong, right = fig.axes[0].xaxis.label, fig.axes[1].xaxis.label
    assert wrong.get_text() == f"{fashion_mnist.CLASS_NAMES_ZH[predicted[0]]} ({fashion_mnist.CLASS_NAMES_ZH[labels[0]]})"
    assert wrong.get_color() == "red"
    assert right.get_text() == fashion_mnist.CLASS_NAMES_ZH[labels[1]]
    assert right.get_color() == "blue"


def test_plot_image_right_wrong_and_unknown(dataset):
    image = dataset.test_images[0]
    fig = Figure()
    axes = fig.subplots(1, 3)
    figures.plot_image(axes[0], one_hot_ish(9), 9, image, fashion_mnist.CLASS_NAMES)
    figures.plot_image(axes[1], one_hot_ish(5, 0.5), 9, image, fashion_mnist.CLASS_NAMES)
    figures.plot_image(axes[2], one_hot_ish(9), None, image, fashion_mnist.CLASS_NAMES)
    labels = [ax.xaxis.label for ax in axes]
    assert labels[0].get_text() == "Ankle boot 91% (Ankle boot)"
    assert labels[0].get_color() == "blue"
    assert labels[1].get_text() == "Sandal 50% (Ankle boot)"
    assert labels[1].get_color() == "red"
    assert labels[2].get_text() == "Ankle boot 91%"
    assert labels[2].get_color() == "black"


def test_plot_value_array_colours_and_ticks():
    fig = Figure()
    wrong, right, names = fig.subplots(1, 3)
    figures.plot_value_array(wrong, one_hot_ish(3), true_label=6)
    figures.plot_value_array(right, one_hot_ish(3), true_label=3)
    figures.plot_value_array(names, one_hot_ish(3), class_names=fashion_mnist.CLASS_NAMES)
    grey, red, blue = "#777777", "#ff0000", "#0000ff"
    assert bar_colors(wrong) == [grey] * 3 + [red] + [grey] * 2 + [blue] + [grey] * 3
    assert bar_colors(right) == [grey] * 3 + [blue] + [grey] * 6
    assert bar_colors(names) == [grey] * 3 + ["#000000"] + [grey] * 6  # No true label: neutral, not "wrong".
    assert wrong.get_ylim() == (0, 1)
    assert list(wrong.get_xticks()) == list(range(10))
    tick_labels = names.get_xticklabels()
    assert [label.get_text() for label in tick_labels] == list(fashion_mnist.CLASS_NAMES)
    assert tick_labels[0].get_rotation() == 45 and tick_labels[0].get_horizontalalignment() == "right"


def test_prediction_grid_pairs(dataset):
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(10), size=15)
    fig = figures.prediction_grid(dataset.test_images[:15], probabilities, dataset.test_labels[:15], fashion_mnist.CLASS_NAMES)
    assert len(fig.axes) == 30
    assert fig.axes[0].images and len(fig.axes[1].patches) == 10
    small = figures.prediction_grid(dataset.test_images[:4], probabilities[:4], None, fashion_mnist.CLASS_NAMES, rows=2, cols=3)
    assert len(small.axes) == 8
    assert "(" not in small.axes[0].xaxis.label.get_text()


def test_probe_grid_says_predicted_and_true_in_blue_or_red(dataset):
    labels = dataset.test_labels[:25]
    guesses = labels.copy()
    guesses[3] = (labels[3] + 1) % 10
    probabilities = np.array([one_hot_ish(int(guess), 0.87) for guess in guesses])
    fig = figures.probe_grid(dataset.test_images[:25], probabilities, labels, fashion_mnist.CLASS_NAMES)
    assert len(fig.axes) == 25 and all(ax.images for ax in fig.axes)
    right, wrong = fig.axes[0].xaxis.label, fig.axes[3].xaxis.label
    assert right.get_text() == f"{fashion_mnist.CLASS_NAMES[labels[0]]} 87%\n({fashion_mnist.CLASS_NAMES[labels[0]]})"
    assert right.get_color() == "blue" and wrong.get_color() == "red"
    assert wrong.get_text() == f"{fashion_mnist.CLASS_NAMES[guesses[3]]} 87%\n({fashion_mnist.CLASS_NAMES[labels[3]]})"
    assert len(figures.probe_grid(dataset.test_images[:7], probabilities[:7], labels[:7], fashion_mnist.CLASS_NAMES).axes) == 7


def test_probability_bars_labels():
    probabilities = np.array([0.905, 0.005, 0.05, 0.04, 0, 0, 0, 0, 0, 0])
    fig = figures.probability_bars(probabilities, fashion_mnist.CLASS_NAMES_ZH, true_label=2)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert [text.get_text() for text in ax.texts if text.get_text()] == ["90%", "5%", "4%"]
    assert bar_colors(ax)[:3] == ["#ff0000", "#777777", "#0000ff"]
    assert ax.get_ylim()[1] > 1  # Room for the label above a bar at 100%.


def test_mean_images(dataset):
    images, labels = dataset.test_images, dataset.test_labels
    fig = figures.mean_images(images, labels, fashion_mnist.CLASS_NAMES)
    assert len(fig.axes) == 10
    assert [ax.get_title() for ax in fig.axes] == list(fashion_mnist.CLASS_NAMES)
    shown = np.asarray(fig.axes[1].images[0].get_array())
    np.testing.assert_allclose(shown, images[labels == 1].mean(axis=0))


def test_smoothing_starts_at_the_first_value_and_follows_a_falling_curve():
    steps = np.arange(1, 301)
    smoothed = curves.smooth(1 / steps)
    assert smoothed[0] == pytest.approx(1.0)  # Bias correction starts at the first value.
    assert np.all(np.diff(smoothed) <= 0)
    with_gap = curves.smooth(np.array([np.nan, 2.0, np.nan, 4.0]), weight=0.5)
    assert np.isnan(with_gap[0]) and with_gap[1] == 2.0 and with_gap[2] == 2.0
    assert with_gap[3] == pytest.approx((0.25 * 2 + 0.5 * 4) / 0.75)


def test_building_figures_leaves_global_matplotlib_settings_alone(dataset):
    import matplotlib

    before = dict(matplotlib.rcParams)
    figures.figure_png(figures.probability_bars(one_hot_ish(4), fashion_mnist.CLASS_NAMES_ZH, true_label=4))
    assert dict(matplotlib.rcParams) == before
    if figures.CJK_FONT is not None:
        fig = figures.image_grid(dataset.train_images[:4], dataset.train_labels[:4], fashion_mnist.CLASS_NAMES_ZH, rows=2, cols=2)
        assert figures.CJK_FONT in fig.axes[0].xaxis.label.get_fontfamily()


def figure_png_ok(fig):
    """Return whether fig renders to PNG bytes."""
    return figures.figure_png(fig, dpi=50).startswith(PNG_SIGNATURE)


def test_figure_png_signature(dataset):
    png = figures.figure_png(figures.image_with_colorbar(dataset.train_images[0]))
    assert isinstance(png, bytes) and png.startswith(PNG_SIGNATURE)


def test_chinese_names_render_without_glyph_warnings():
    fig = figures.probability_bars(one_hot_ish(4), fashion_mnist.CLASS_NAMES_ZH, true_label=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = figures.figure_png(fig)
    assert png.startswith(PNG_SIGNATURE)
    if figures.CJK_FONT is None:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk), so glyphs are missing")
    assert not [warning for warning in caught if "Glyph" in str(warning.message)]
