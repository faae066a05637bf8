"""The tutorial's code, step by step, with the values a learner chose: what each page shows beside its widgets.

Every function returns Python source for one step of "Basic classification: classify images of clothing", in
the tutorial's style, with its comments in English (`lang="en"`) or Chinese (`lang="zh"`, the tutorial's own
terms). Joined in the tutorial's order they make one script that runs (tests/test_snippets.py runs it):

    imports -> load_data -> explore (class_names) -> show_image (scales the pixels) -> image_grid
    -> prepare -> build -> compile_model -> fit -> evaluate            (fmnist.export.snippets_train)
    -> model_input -> predict -> plot_prediction                       (fmnist.export.snippets_predict)

A step uses the names the steps before it define: train_images, train_labels, test_images, test_labels,
class_names, model. The /runs generated script (fmnist.export.codegen) is made of the same steps.
"""

from __future__ import annotations

import re

from fmnist.data import fashion_mnist

LANGUAGES = ("en", "zh")
PER_PAGE = 25


# Comment lines are wrapped to fit the pages' code blocks without scrolling, in display columns: a Chinese
# character takes two. A run of ASCII (a word, a name such as fmnist.data.preprocess) is never split.
COMMENT_COLUMNS = 84
TOKENS = re.compile(r"[!-~]+|\s+|.")
NO_LINE_START = set("，。、：；！？）」")  # Chinese punctuation stays at the end of its line.


def wrap(text: str, columns: int = COMMENT_COLUMNS) -> list[str]:
    """`text` in lines of at most `columns` display columns (a longer ASCII word alone on its line)."""
    lines, line, used = [], "", 0
    for token in TOKENS.findall(text):
        size = sum(2 if ord(character) >= 0x2E80 else 1 for character in token)
        if used + size > columns and line.strip() and token not in NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0
            if token.isspace():
                continue
        line, used = line + token, used + size
    return [*lines, line.rstrip()]


def comment(lang: str, en: str, zh: str) -> str:
    """One comment in the snippet's language, wrapped over several lines if it is long."""
    if lang not in LANGUAGES:
        raise ValueError(f'A snippet is in "en" or "zh", not "{lang}".')
    return "\n".join(f"# {line}" for line in wrap(en if lang == "en" else zh))


def imports(lang: str = "en", plots: bool = True) -> str:
    """The imports every later step needs (matplotlib only for the steps that draw)."""
    lines = [
        comment(lang, "The tutorial imports TensorFlow and uses tf.keras; Keras 3 is the same API on its own.",
                "教程导入 TensorFlow 并使用 tf.keras；Keras 3 单独提供同样的 API。"),
        "import gzip",
        "import math",
        "import os",
        "from pathlib import Path",
        "",
        "import keras",
        *(["import matplotlib.pyplot as plt"] if plots else []),
        "import numpy as np",
        "from keras import layers",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


LOADER = """\
FILES = {{
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}}


def load_fashion_mnist():
    {doc}
    folders = [
        os.environ.get("FMNIST_DATA_DIR"),
        "/usr/share/datasets/fashion-mnist",
        Path.home() / ".keras/datasets/fashion-mnist",
    ]
    for folder in filter(None, folders):
        if all((Path(folder) / name).is_file() for name in FILES.values()):
            arrays = {{}}
            for key, name in FILES.items():
                with gzip.open(Path(folder) / name) as f:
                    raw = f.read()
                {header}
                arrays[key] = np.frombuffer(raw, np.uint8, offset=16 if "images" in key else 8)
            train = arrays["train_images"].reshape(-1, 28, 28), arrays["train_labels"]
            test = arrays["test_images"].reshape(-1, 28, 28), arrays["test_labels"]
            return train, test
    return keras.datasets.fashion_mnist.load_data()  {download}


(train_images, train_labels), (test_images, test_labels) = load_fashion_mnist()
"""


def load_data(lang: str = "en") -> str:
    """Fashion-MNIST as the tutorial's four arrays, read from the files on this machine before any download."""
    c = lambda en, zh: comment(lang, en, zh)
    doc = (
        '"""The four arrays from the first folder that holds the files; else Keras downloads them."""'
        if lang == "en"
        else '"""从第一个有这些文件的文件夹读取四个数组；都没有才让 Keras 下载。"""'
    )
    intro = c(
        "The tutorial calls keras.datasets.fashion_mnist.load_data(), which downloads these same four arrays; "
        "this reads the files already on this machine first (the IDX format, gzipped), as Fashion-MNIST Studio does.",
        "教程调用 keras.datasets.fashion_mnist.load_data() 下载同样的四个数组；"
        "这里和 Fashion-MNIST Studio 一样，先读取本机已有的文件（gzip 压缩的 IDX 格式）。",
    )
    body = LOADER.format(
        doc=doc,
        header=c("IDX: 16 bytes of header before the images, 8 before the labels.",
                 "IDX 文件：图像前有 16 字节的文件头，标签前有 8 字节。"),
        download=c("Downloads it once into Keras's cache.", "下载一次，存入 Keras 的缓存。"),
    )  # fmt: skip
    return f"{intro}\n{body}"


def explore(lang: str = "en") -> str:
    """The arrays' shapes and the label table: each label's class name and how many images of it each set has."""
    c = lambda en, zh: comment(lang, en, zh)
    table = "\n".join(f"# {label}  {en} · {zh}" for label, (en, zh) in
                      enumerate(zip(fashion_mnist.CLASS_NAMES, fashion_mnist.CLASS_NAMES_ZH)))  # fmt: skip
    lines = [
        c("Explore the data: 60,000 training images of 28 × 28 pixels, each with a label from 0 to 9.",
          "浏览数据：训练集有 60,000 张 28 × 28 像素的图像，每张都有一个 0 到 9 的标签。"),
        "print(train_images.shape)  # (60000, 28, 28)",
        "print(len(train_labels))  # 60000",
        "print(train_labels)  # [9 0 0 ... 3 0 5]",
        c("The test set: 10,000 images.", "测试集：10,000 张图像。"),
        "print(test_images.shape)  # (10000, 28, 28)",
        "print(len(test_labels))  # 10000",
        "",
        class_names(lang).rstrip("\n"),
        c("Label  class", "标签  类别"),
        table,
        c("The label table: each label, its class, and how many training and test images have it.",
          "标签表：每个标签、它的类别，以及训练集和测试集中各有多少张这个类别的图像。"),
        "for label, name in enumerate(class_names):",
        "    print(label, name, np.sum(train_labels == label), np.sum(test_labels == label))",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def class_names(lang: str = "en") -> str:
    """The tutorial's list of class names: the dataset holds only the labels' numbers."""
    lines = [
        comment(lang, "Each label is a number; the class names are not in the dataset, so the tutorial keeps them in a list.",
                "每个标签是一个数字；数据集中没有类别名称，所以教程把它们存在一个列表里。"),
        "class_names = [" + ", ".join(f'"{name}"' for name in fashion_mnist.CLASS_NAMES[:5]) + ",",
        "               " + ", ".join(f'"{name}"' for name in fashion_mnist.CLASS_NAMES[5:]) + "]",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def show_image(split: str = "train", index: int = 0, lang: str = "en") -> str:
    """The tutorial's `plt.imshow` with a colorbar of one image, then the scaling to 0–1 and the same image again."""
    _check_split(split)
    c = lambda en, zh: comment(lang, en, zh)
    image = f"{split}_images[{int(index)}]"
    label = f"class_names[{split}_labels[{int(index)}]]"

    def figure(title: str | None) -> list[str]:  # The tutorial's figure of one image with its colorbar.
        return ["plt.figure()", f"plt.imshow({image})", "plt.colorbar()", "plt.grid(False)",
                *([f"plt.title({title})"] if title else []), "plt.show()"]  # fmt: skip

    lines = [
        c("Preprocess the data: the pixel values of an image fall in the range 0 to 255.",
          "预处理数据：图像的像素值落在 0 到 255 之间。"),
        *figure(label),
        "",
        scale(lang).rstrip("\n"),
        "",
        c("The same image after scaling: values from 0 to 1.", "缩放之后的同一张图像：值在 0 到 1 之间。"),
        *figure(None),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def scale(lang: str = "en") -> str:
    """Both sets divided by 255, so the network gets values from 0 to 1."""
    lines = [
        comment(lang, "Scale these values to a range of 0 to 1 before feeding them to the neural network: divide by 255.",
                "在把数据馈送到神经网络之前，将这些值缩放到 0 到 1 之间：除以 255。"),
        "train_images = train_images / 255.0",
        "test_images = test_images / 255.0",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def image_grid(split: str = "train", classes=(), order: str = "first", seed: int = 0, page: int = 0, lang: str = "en") -> str:
    """The tutorial's 5×5 grid with class names, of the images Browse shows: this split, these classes, order, page
    (counted from 0); the same indices as fmnist.data.fashion_mnist.select_indices."""
    _check_split(split)
    if order not in fashion_mnist.ORDERS:
        raise ValueError(f'order must be "first" or "random", not "{order}".')
    c = lambda en, zh: comment(lang, en, zh)
    classes = sorted({int(label) for label in classes or ()})
    start, stop = PER_PAGE * int(page), PER_PAGE * (int(page) + 1)
    lines = [c(f"Display {PER_PAGE} images of the {'training' if split == 'train' else 'test'} set "
               "with the class name below each image.",
               f"显示{'训练集' if split == 'train' else '测试集'}中的 {PER_PAGE} 张图像，并在每张图像下方显示类别名称。")]  # fmt: skip
    if not classes and order == "first":
        lines.append(f"indices = range({start}, {stop})" if start else f"indices = range({PER_PAGE})")
    else:
        names = ", ".join(fashion_mnist.CLASS_NAMES[label] if lang == "en" else fashion_mnist.CLASS_NAMES_ZH[label]
                          for label in classes)  # fmt: skip
        if classes:
            lines += [c(f"Only these classes: {names}.", f"只看这些类别：{names}。"),
                      f"indices = np.flatnonzero(np.isin({split}_labels, {classes!r}))"]  # fmt: skip
        else:
            lines.append(f"indices = np.arange(len({split}_labels))")
        if order == "random":
            lines += [c(f"In a random order (seed {seed}).", f"随机顺序（随机种子 {seed}）。"),
                      f"indices = np.random.default_rng({int(seed)}).permutation(indices)"]  # fmt: skip
        lines += [c(f"Page {int(page) + 1}.", f"第 {int(page) + 1} 页。"), f"indices = indices[{start}:{stop}]"]
    lines += [
        "plt.figure(figsize=(10, 10))",
        "for i, index in enumerate(indices):",
        "    plt.subplot(5, 5, i + 1)",
        "    plt.xticks([])",
        "    plt.yticks([])",
        "    plt.grid(False)",
        f"    plt.imshow({split}_images[index], cmap=plt.cm.binary)",
        f"    plt.xlabel(class_names[{split}_labels[index]])",
        "plt.show()",
    ]
    return "\n".join(lines) + "\n"


def _check_split(split: str) -> None:
    if split not in ("train", "test"):
        raise ValueError(f'split must be "train" or "test", not "{split}".')


def browse_data(lang: str = "en") -> str:
    """Browse's first code: the imports, the loading and the look at the arrays and labels."""
    return "\n".join((imports(lang), load_data(lang), explore(lang)))
