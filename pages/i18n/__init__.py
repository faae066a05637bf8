"""The words of the web app in English and Chinese; class names live in fmnist.data.

`text(key, language, **values)` returns one string with `{placeholders}`
filled in. Both languages must have the same keys and the same placeholders
(tests/test_i18n.py checks this), so switching language never breaks a page.
"""

from __future__ import annotations

from fmnist.data import messages
from pages.i18n import code, epochs, inspect, owners, predict, runs, train

LANGUAGES = ("en", "zh")

STRINGS = {
    "en": {
        # Navigation and sidebar.
        "nav_home": "Home",
        "nav_browse": "Browse the data",
        "nav_train": "Train a model",
        "nav_predict": "Predict",
        "sidebar_caption": "The TensorFlow tutorial “Basic classification: classify images of clothing”, in your browser.",
        # Home.
        "home_intro": (
            "Fashion-MNIST Studio turns the TensorFlow tutorial *Basic classification: classify images of clothing* "
            "into an app: **browse** the 70,000 pictures of clothing, **train** a Keras network and watch it learn, "
            "then **draw or upload** a piece of clothing and see what the model thinks it is."
        ),
        "home_dataset": "The dataset",
        "home_source": "Read from {source} — {verified}.",
        "verified": "checksums verified",
        "not_verified": "checksums NOT verified",
        "home_default_model": "The default model",
        "home_pages": "Pages",
        "home_browse": "shapes, labels, the 5×5 grid, one image up close, the mean image of each class.",
        "home_train": "build, compile, fit and evaluate a network, with live loss and accuracy.",
        "home_predict": "draw, upload or pick a test image and see the ten probabilities.",
        # Shared labels.
        "train_images": "Training images",
        "test_images": "Test images",
        "classes": "Classes",
        "class": "Class",
        "image_size": "Image size",
        "architecture": "Architecture",
        "test_accuracy": "Test accuracy",
        "test_loss": "Test loss",
        "epochs": "Epochs",
        "optimizer": "Optimizer",
        "seed": "Seed",
        "label": "Label",
        "model": "Model",
        "loss": "Loss",
        "accuracy": "Accuracy",
        # Browse.
        "browse_title": "Browse the data",
        "browse_intro": (
            "The tutorial's first steps: explore the format of the dataset, look at the pictures, "
            "and scale the pixel values from 0–255 to 0–1 before training."
        ),
        "facts": "Facts",
        "facts_caption": "Each image is 28 × 28 pixels of grey levels 0–255; each label is an integer 0–9.",
        "train_count": "Training images",
        "test_count": "Test images",
        "grid": "The pictures",
        "split": "Split",
        "split_train": "Training",
        "split_test": "Test",
        "all_classes": "All classes",
        "order": "Order",
        "order_first": "First",
        "order_random": "Random",
        "page_of": "Page (of {pages})",
        "no_images": "No images match this choice.",
        "grid_caption": "Images {first} to {last} of this selection, with their class names.",
        "one_image": "One image up close",
        "image_index": "Image index (0–{last})",
        "image_label": "Label **{label}**: {en} · {zh}",
        "before_scaling": "Pixel values 0–255",
        "after_scaling": "Divided by 255: values 0–1",
        "scaling_caption": "The network is trained on pixel values scaled to 0–1, so every image is divided by 255 first.",
        "show_pixels": "Show the pixel values",
        "mean_images": "The mean image of each class",
        "mean_caption": "Each picture is the average of all images of one class in this split.",
        # Train.
        "train_title": "Train a model",
        "train_intro": (
            "The tutorial's build, compile, fit and evaluate steps. **MLP** is the tutorial's network "
            "(Flatten → Dense 128 → Dense 10), by default with batch normalisation before the ReLU, which makes it "
            "learn faster (**As in the tutorial** builds it exactly); **CNN** is a small convolutional network: each step costs more, "
            "but its default recipe ends higher in less time than the tutorial's. A smaller training subset makes a quick try."
        ),
        "model_mlp": "MLP (the tutorial's)",
        "model_cnn": "CNN",
        "batch_size": "Batch size",
        "learning_rate": "Learning rate",
        "validation_split": "Validation split",
        "subset": "Training images used",
        "start": "Start training",
        "run_config": (
            "Run: {model}, {epochs} epochs, batch size {batch_size}, {optimizer} with learning rate {learning_rate}, "
            "{limit} training images ({validation_split:.0%} held out for validation), seed {seed}."
        ),
        "starting": "Starting TensorFlow…",
        "progress": "Epoch {epoch}/{epochs} · batch {batch}/{steps} · {speed} images/s · {eta} left",
        "stop": "Stop",
        "stopping": "Stopping…",
        "no_data_yet": "The curves appear after the first batch.",
        "per_batch": "per batch",
        "smoothed": "smoothed",
        "step": "step (batch)",
        "train_epoch": "training (epoch)",
        "validation_epoch": "validation (epoch)",
        "finished": "Training finished: {epochs} epoch(s) in {seconds}.",
        "stopped": (
            "Training was stopped after {batches} batches, in epoch {epoch}. "
            "The partly trained model is kept: it is evaluated below, and you can save it or use it on the Predict page."
        ),
        "failed": "Training failed.",
        "evaluation": "Evaluation on the test images",
        "epochs_run": "Epochs run",
        "train_time": "Training time",
        "normalize": "Show fractions of each true class",
        "predictions": "Predictions",
        "mistakes_only": "Mistakes only",
        "no_mistakes": "This model makes no mistakes on the test images.",
        "grid_first": "The first 15 test images: the predicted class in blue when right, red when wrong (the true class in brackets).",
        "grid_mistakes": "The first 15 of the {count} test images this model gets wrong.",
        "save_title": "Save the model",
        "model_name": "Name",
        "model_name_help": "Letters, digits, dots, dashes and underscores; saved models can be chosen by everyone on the Predict page.",
        "save": "Save model",
        "saved": "Saved as “{name}”. Every visitor can now choose it on the Predict page.",
    },
    "zh": {
        "nav_home": "首页",
        "nav_browse": "浏览数据",
        "nav_train": "训练模型",
        "nav_predict": "预测",
        "sidebar_caption": "TensorFlow 教程《基本分类：对服装图像进行分类》，在浏览器里动手做。",
        "home_intro": (
            "Fashion-MNIST Studio 把 TensorFlow 教程《基本分类：对服装图像进行分类》变成一个应用："
            "**浏览** 70,000 张服装图片，**训练** 一个 Keras 网络并实时观察它的学习过程，"
            "然后 **画出或上传** 一件衣服，看看模型认为它是什么。"
        ),
        "home_dataset": "数据集",
        "home_source": "读取自 {source} — {verified}。",
        "verified": "校验和已验证",
        "not_verified": "校验和未通过验证",
        "home_default_model": "默认模型",
        "home_pages": "页面",
        "home_browse": "形状、标签、5×5 图片网格、单张图片细节、每个类别的平均图像。",
        "home_train": "构建、编译、训练并评估网络，实时显示损失和准确率。",
        "home_predict": "画图、上传或选择一张测试图片，查看十个类别的概率。",
        "train_images": "训练图片",
        "test_images": "测试图片",
        "classes": "类别",
        "class": "类别",
        "image_size": "图片尺寸",
        "architecture": "架构",
        "test_accuracy": "测试准确率",
        "test_loss": "测试损失",
        "epochs": "训练轮数",
        "optimizer": "优化器",
        "seed": "随机种子",
        "label": "标签",
        "model": "模型",
        "loss": "损失",
        "accuracy": "准确率",
        "browse_title": "浏览数据",
        "browse_intro": "教程的第一步：了解数据集的格式，查看图片，并在训练前把像素值从 0–255 缩放到 0–1。",
        "facts": "基本信息",
        "facts_caption": "每张图片是 28 × 28 像素、灰度值 0–255；每个标签是 0–9 的整数。",
        "train_count": "训练图片",
        "test_count": "测试图片",
        "grid": "图片",
        "split": "数据集划分",
        "split_train": "训练集",
        "split_test": "测试集",
        "all_classes": "全部类别",
        "order": "顺序",
        "order_first": "按顺序",
        "order_random": "随机",
        "page_of": "页码（共 {pages} 页）",
        "no_images": "没有符合条件的图片。",
        "grid_caption": "当前选择中的第 {first} 到第 {last} 张图片及其类别名称。",
        "one_image": "单张图片细节",
        "image_index": "图片编号（0–{last}）",
        "image_label": "标签 **{label}**：{en} · {zh}",
        "before_scaling": "像素值 0–255",
        "after_scaling": "除以 255 后：0–1",
        "scaling_caption": "网络使用缩放到 0–1 的像素值进行训练，所以每张图片先除以 255。",
        "show_pixels": "显示像素值",
        "mean_images": "每个类别的平均图像",
        "mean_caption": "每张图是该划分中某一类别所有图片的平均。",
        "train_title": "训练模型",
        "train_intro": (
            "教程中的构建、编译、训练和评估步骤。**MLP** 是教程里的网络（Flatten → Dense 128 → Dense 10），"
            "默认在 ReLU 之前加了批归一化，学得更快（**按教程设置** 则完全按教程搭建）；"
            "**CNN** 是一个小型卷积网络：每一步更费时，但它的默认配方比教程用时更短、准确率更高。用较小的训练子集可以快速试一试。"
        ),
        "model_mlp": "MLP（教程中的网络）",
        "model_cnn": "CNN",
        "batch_size": "批大小",
        "learning_rate": "学习率",
        "validation_split": "验证集比例",
        "subset": "使用的训练图片数",
        "start": "开始训练",
        "run_config": (
            "本次训练：{model}，{epochs} 轮，批大小 {batch_size}，{optimizer}（学习率 {learning_rate}），"
            "{limit} 张训练图片（其中 {validation_split:.0%} 用于验证），随机种子 {seed}。"
        ),
        "starting": "正在启动 TensorFlow…",
        "progress": "第 {epoch}/{epochs} 轮 · 批次 {batch}/{steps} · 每秒 {speed} 张 · 剩余 {eta}",
        "stop": "停止",
        "stopping": "正在停止…",
        "no_data_yet": "第一个批次完成后显示曲线。",
        "per_batch": "每批次",
        "smoothed": "平滑",
        "step": "步数（批次）",
        "train_epoch": "训练（每轮）",
        "validation_epoch": "验证（每轮）",
        "finished": "训练完成：{epochs} 轮，用时 {seconds}。",
        "stopped": "训练在第 {epoch} 轮、共 {batches} 个批次后被停止。部分训练的模型已保留：下面是它的评估结果，你可以保存它，或在预测页使用它。",
        "failed": "训练失败。",
        "evaluation": "在测试图片上的评估",
        "epochs_run": "已训练轮数",
        "train_time": "训练用时",
        "normalize": "按真实类别显示比例",
        "predictions": "预测结果",
        "mistakes_only": "只看预测错误的",
        "no_mistakes": "这个模型在测试图片上没有出错。",
        "grid_first": "前 15 张测试图片：预测正确为蓝色，错误为红色（括号中是真实类别）。",
        "grid_mistakes": "该模型预测错误的 {count} 张测试图片中的前 15 张。",
        "save_title": "保存模型",
        "model_name": "名称",
        "model_name_help": "可用字母、数字、点、短横线和下划线；保存的模型所有人都能在预测页选择。",
        "save": "保存模型",
        "saved": "已保存为“{name}”。所有访问者现在都可以在预测页选择它。",
    },
}


def text(key: str, language: str = "en", **values) -> str:
    """The string `key` in `language` ("en" or "zh") with `values` filled in; English if the language is unknown."""
    strings = STRINGS.get(language, STRINGS["en"])
    if key not in strings:
        raise KeyError(f'No UI string called "{key}".')
    return strings[key].format(**values) if values else strings[key]


def image_error(error: Exception, language: str = "en") -> str:
    """What a refused picture or drawing says in `language`: in English its own message (which may add a detail
    for a developer); in another language its text from fmnist.data.messages, if it names one."""
    key = getattr(error, "key", None)  # fmnist.uploads.ImageError; any other error has its message only.
    if language == "en" or key is None:
        return str(error)
    return text(key, language, **error.values)


def _merge(*parts: dict) -> None:
    """Add each page's own strings (a {"en": {...}, "zh": {...}} dict) to STRINGS; a key defined twice is an error."""
    for part in parts:
        for language in LANGUAGES:
            twice = STRINGS[language].keys() & part[language].keys()
            if twice:
                raise KeyError(f"UI strings defined twice: {', '.join(sorted(twice))}")
            STRINGS[language].update(part[language])


_merge(
    predict.STRINGS,
    inspect.STRINGS,
    runs.STRINGS,
    train.STRINGS,
    epochs.STRINGS,
    code.STRINGS,
    owners.STRINGS,
    messages.STRINGS,
)
