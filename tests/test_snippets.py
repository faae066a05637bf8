"""The tutorial's code beside each step: every snippet is valid Python with the chosen values, in both languages,
the same code whatever the language, and joined in the tutorial's order it runs on the real data."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from fmnist.data import fashion_mnist, preprocess
from fmnist.export import snippets, snippets_predict, snippets_train
from fmnist.model.config import PRESETS, TrainConfig

EXAMPLES = sorted(
    p for p in (Path(__file__).resolve().parent.parent / "assets" / "examples").glob("*") if p.suffix in (".png", ".jpg")
)
CJK = re.compile(r"[\u4e00-\u9fff]")
CONFIGS = [
    TrainConfig(model="mlp"),
    TrainConfig(model="cnn"),
    TrainConfig(**PRESETS["tutorial"]),
    TrainConfig(**PRESETS["cnn-accurate"]),
    TrainConfig(model="mlp", hidden_units=(256, 64), dropout=0.25, batch_norm=False, optimizer="sgd", schedule="cosine"),
    TrainConfig(model="cnn", filters=(8, 16, 32), batch_norm=True, norm_after_pool=False, optimizer="rmsprop", limit=500,
                validation_split=0.2, early_stopping=3, augment=True, label_smoothing=0.05),
]  # fmt: skip


def every_snippet(lang: str) -> dict[str, str]:
    """One of each step, with values other than the defaults."""
    code = {
        "browse_data": snippets.browse_data(lang),
        "show_image": snippets.show_image("test", 17, lang),
        "grid_first": snippets.image_grid("train", (), "first", 0, 3, lang),
        "grid_classes": snippets.image_grid("test", (8, 1), "random", 42, 2, lang),
        "sample": snippets_predict.prediction("Test sample", 1234, lang, "default"),
        "upload": snippets_predict.prediction("Upload", 0, lang),
        "draw": snippets_predict.prediction("Draw", 0, lang),
    }
    code |= {f"train_{index}": snippets_train.train(config.resolved(), lang) for index, config in enumerate(CONFIGS)}
    return code


def without_text(code: str) -> str:
    """The code's syntax tree without its comments (which ast drops) and docstrings (blanked)."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            node.value.value = ""
    return ast.dump(tree)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_snippet_compiles_and_comments_in_its_language(lang):
    for name, code in every_snippet(lang).items():
        compile(code, name, "exec")
        comments = [line.split("#", 1)[1] for line in code.splitlines() if line.lstrip().startswith("#")]
        assert comments, name
        in_chinese = [bool(CJK.search(text)) for text in comments]
        if lang == "en":
            # The only Chinese in English code: the class names of the label table.
            assert not any(in_chinese) or name == "browse_data", name
        else:
            assert sum(in_chinese) > len(comments) / 2, name


def test_both_languages_are_the_same_code():
    english, chinese = every_snippet("en"), every_snippet("zh")
    for name in english:
        assert without_text(english[name]) == without_text(chinese[name]), name


def test_chinese_snippets_use_the_tutorials_terms():
    config = TrainConfig(model="mlp").resolved()
    code = snippets.browse_data("zh") + snippets.show_image("train", 0, "zh") + snippets_train.train(config, "zh")
    code += snippets_predict.prediction("Test sample", 0, "zh")
    for term in ("训练集", "测试集", "标签", "像素", "层", "编译模型", "训练模型", "评估准确率", "进行预测"):
        assert term in code, term


def test_unknown_language_split_or_order_is_a_clear_error():
    with pytest.raises(ValueError, match='"en" or "zh"'):
        snippets.browse_data("fr")
    with pytest.raises(ValueError, match="split"):
        snippets.show_image("validation", 0)
    with pytest.raises(ValueError, match="order"):
        snippets.image_grid("train", (), "sorted")


def test_train_snippet_carries_the_chosen_values():
    code = snippets_train.train(TrainConfig(**PRESETS["tutorial"]).resolved())
    assert "epochs=10, batch_size=32" in code and "learning_rate = 0.001" in code
    assert 'layers.Dense(128, activation="relu"),' in code and "BatchNormalization" not in code
    assert "keras.optimizers.Adam(learning_rate=learning_rate)" in code and "from_logits=True" in code
    code = snippets_train.train(CONFIGS[-1].resolved(), "en")
    assert "train_images[:500]" in code and "int(len(train_images) * 0.2)" in code and "patience=3" in code
    assert "keras.optimizers.RMSprop" in code and "label_smoothing=0.05" in code and "AugmentedBatches(train_images" in code
    assert "layers.Conv2D(8, 3" in code and "layers.Conv2D(32, 3" in code and "model.evaluate(test_images, test_labels" in code


def test_browse_snippets_carry_the_chosen_image_and_page():
    code = snippets.show_image("test", 17)
    assert "plt.imshow(test_images[17])" in code and "plt.colorbar()" in code and "test_images / 255.0" in code
    assert "indices = range(25)" in snippets.image_grid("train")
    assert "indices = range(75, 100)" in snippets.image_grid("train", page=3)
    code = snippets.image_grid("test", (8, 1), "random", 42, 2, "zh")
    assert "np.isin(test_labels, [1, 8])" in code and "default_rng(42)" in code and "indices[50:75]" in code
    assert "裤子, 包" in code and "第 3 页" in code


@pytest.mark.parametrize(("split", "classes", "order", "seed", "page"),
                         [("train", (), "first", 0, 0), ("train", (), "first", 0, 7), ("test", (8,), "first", 0, 3),
                          ("test", (0, 9), "random", 5, 1), ("train", (), "random", 11, 2)])  # fmt: skip
def test_grid_snippet_shows_the_images_browse_shows(dataset, split, classes, order, seed, page):
    import matplotlib.pyplot as plt

    namespace = {"np": np, "plt": plt, "class_names": list(fashion_mnist.CLASS_NAMES)}
    namespace[f"{split}_images"], namespace[f"{split}_labels"] = dataset.split(split)
    try:
        exec(snippets.image_grid(split, classes, order, seed, page), namespace)
        shown = [ax.images[0].get_array() for ax in plt.gcf().axes]
    finally:
        plt.close("all")
    expected = fashion_mnist.select_indices(dataset.split(split)[1], classes, order, seed, page)
    assert list(namespace["indices"]) == list(expected)
    assert all(np.array_equal(image, dataset.split(split)[0][index]) for image, index in zip(shown, expected, strict=True))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_the_short_preprocessing_gives_what_the_app_gives(path):
    """The snippet's to_dataset_look is a short version of fmnist.data.preprocess: the same picture, nearly."""
    namespace = {"np": np}
    exec(snippets_predict.model_input("Upload", 0).replace("'picture.png'", repr(str(path))), namespace)
    reference = preprocess.from_bytes(path.read_bytes())
    assert namespace["image"].shape == (28, 28) and namespace["true_label"] is None
    assert float(np.abs(namespace["image"] - reference).max()) < 0.1


@pytest.mark.parametrize(("model", "settings"), [(config.model, config.architecture()) for config in CONFIGS])
def test_build_snippet_builds_the_same_network_as_fmnist(model, settings):
    import keras
    from keras import layers

    from fmnist.model import architectures

    namespace = {"keras": keras, "layers": layers}
    exec(snippets_train.build(TrainConfig(model=model, **settings).resolved()).replace("model.summary()", ""), namespace)
    reference = architectures.build(model, settings)
    built = namespace["model"]
    assert [type(layer).__name__ for layer in built.layers] == [type(layer).__name__ for layer in reference.layers]
    assert built.count_params() == reference.count_params()
    assert [layer.get_config().get("momentum") for layer in built.layers] == [
        layer.get_config().get("momentum") for layer in reference.layers
    ]


@pytest.mark.slow
def test_every_pages_snippets_joined_run_on_the_real_data(tmp_path):
    """Browse -> Train (1 epoch, 2000 images) -> Predict for a test image, a picture and a drawing, as one script."""
    config = TrainConfig(model="mlp", epochs=1, limit=2000, validation_split=0.1).resolved()
    parts = [
        snippets.browse_data("zh"),
        snippets.show_image("train", 0, "en"),
        snippets.image_grid("test", (8,), "random", 1, 1, "zh"),
        snippets_train.train(config, "en"),
        snippets_predict.prediction("Test sample", 0, "zh", "default"),
        snippets_predict.prediction("Upload", 0, "en"),
        snippets_predict.prediction("Draw", 0, "zh"),
    ]
    (tmp_path / "tutorial.py").write_text("\n".join(parts), encoding="utf-8")
    (tmp_path / "picture.png").write_bytes((EXAMPLES[0]).read_bytes())
    drawing = Image.new("RGBA", (280, 280), "black")
    ImageDraw.Draw(drawing).rectangle((90, 40, 190, 240), fill="white")  # A pair of trousers, roughly.
    drawing.save(tmp_path / "drawing.png")
    # From an empty folder with a clean path, so that `fmnist` cannot be imported by accident.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env |= {"MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "tutorial.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"^\(60000, 28, 28\)$", result.stdout, flags=re.M)
    assert re.search(r"^9 Ankle boot 6000 1000$", result.stdout, flags=re.M)  # The label table's last row.
    assert 0.5 < float(re.search(r"^Test accuracy: ([0-9.]+)$", result.stdout, flags=re.M).group(1)) <= 1.0
    predictions = re.findall(r"^Prediction: (.+)$", result.stdout, flags=re.M)
    assert len(predictions) == 3 and all(name in fashion_mnist.CLASS_NAMES for name in predictions)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_comments_fit_the_code_block_and_keep_names_whole(lang):
    def columns(line: str) -> int:
        return sum(2 if ord(character) >= 0x2E80 else 1 for character in line)

    text = {"en": "Fashion-MNIST Studio's preprocessing (fmnist.data.preprocess), in short: " * 3,
            "zh": "Fashion-MNIST Studio 的预处理（fmnist.data.preprocess）的简化版：模型只认识和数据集长得一样的图像。" * 3}[lang]  # fmt: skip
    lines = snippets.wrap(text)
    assert len(lines) > 1 and all(columns(line) <= snippets.COMMENT_COLUMNS + 2 for line in lines)
    assert all("fmnist.data.preprocess" in line for line in lines if "fmnist" in line)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line.startswith(("。", "，", "：")) for line in lines)
    for code in every_snippet(lang).values():
        assert all(columns(line) <= snippets.COMMENT_COLUMNS + 6 for line in code.splitlines() if line.lstrip().startswith("#"))
