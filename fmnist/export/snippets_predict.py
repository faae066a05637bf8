"""The tutorial's "make predictions" steps for the input a learner gave, in the tutorial's style.

`model_input` brings the input to the 28×28 image the model gets (a test image, or a drawing or a picture made
to look like the dataset's), `predict` adds the tutorial's probability model and predicts, `plot_prediction`
draws the tutorial's `plot_image` and `plot_value_array`. They continue the steps of fmnist.export.snippets and
fmnist.export.snippets_train (test_images scaled to 0–1, class_names, model).
"""

from __future__ import annotations

import textwrap

from fmnist.export.snippets import comment

SAMPLE, DRAW = "Test sample", "Draw"

# A short version of fmnist.data.preprocess.to_dataset_look: the same steps, without its noise estimate.
TO_DATASET_LOOK = """\
from PIL import Image, ImageOps


def to_dataset_look(path):
    {doc}
    picture = ImageOps.exif_transpose(Image.open(path))
{alpha}
    if picture.mode in ("RGBA", "LA", "P"):
        picture = Image.alpha_composite(Image.new("RGBA", picture.size, "white"), picture.convert("RGBA"))
    grey = np.asarray(picture.convert("L"), dtype=np.float32) / 255.0
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
{background}
    ink = grey - np.median(border)
{polarity}
    if ink[np.abs(ink) > 0.04].sum() < 0:
        ink = -ink
    ink = np.maximum(ink, 0)
{crop}
    box = ink > 0.15 * ink.max()
    rows, columns = np.flatnonzero(box.any(axis=1)), np.flatnonzero(box.any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
{fit}
    height, width = (min(28, max(1, round(side * 28 / max(crop.shape)))) for side in crop.shape)
    small = np.asarray(Image.fromarray(crop).resize((width, height), Image.LANCZOS))
    image = np.zeros((28, 28), dtype=np.float32)
    top, left = (28 - height + 1) // 2, (28 - width + 1) // 2
    image[top : top + height, left : left + width] = small
    return np.clip(image / image.max(), 0, 1)  {stretch}
"""


def model_input(source: str = SAMPLE, index: int = 0, lang: str = "en") -> str:
    """The image the model gets: `image` (28×28, 0–1) and `true_label` (None for a drawing or a picture)."""
    c = lambda en, zh: comment(lang, en, zh)
    inside = lambda en, zh: textwrap.indent(c(en, zh), "    ")
    if source == SAMPLE:
        lines = [c(f"Test image {int(index)}: already 28 × 28 and scaled to 0–1 like the training images.",
                   f"第 {int(index)} 张测试图像：已经是 28 × 28，并且和训练图像一样缩放到了 0–1。"),
                 f"image = test_images[{int(index)}]", f"true_label = test_labels[{int(index)}]"]  # fmt: skip
        return "\n".join(lines) + "\n"
    doc = ('"""A picture brought to the dataset\'s look: a light object on black, cropped, fitted into 28 × 28."""'
           if lang == "en" else '"""把图片变成数据集的样子：黑色背景上的浅色物体，裁剪后放进 28 × 28。"""')  # fmt: skip
    steps = TO_DATASET_LOOK.format(
        doc=doc,
        alpha=inside("Transparency onto white, like the product photos the dataset was made from.",
                "透明部分铺在白色上，就像数据集所用的商品照片。"),
        background=inside("The background is the median of the border pixels.", "背景是边缘像素的中位数。"),
        polarity=inside("A dark garment on a light background: invert it.", "浅色背景上的深色衣服：反转颜色。"),
        crop=inside("Crop to the object's bounding box.", "裁剪到物体的边界框。"),
        fit=inside("The longest side fills 28 pixels; the other is centred.", "最长的一边占满 28 像素，另一边居中。"),
        stretch=c("The brightest pixel becomes 1.", "最亮的像素变成 1。"),
    )  # fmt: skip
    if source == DRAW:
        path, note = "drawing.png", c("Your drawing, saved as drawing.png: white strokes on black, 280 × 280 pixels.",
                                      "你的画，保存为 drawing.png：黑底白色笔画，280 × 280 像素。")  # fmt: skip
    else:
        path, note = "picture.png", c("Your picture, saved as picture.png (PNG, JPEG, WebP, ...).",
                                      "你的图片，保存为 picture.png（PNG、JPEG、WebP 等）。")  # fmt: skip
    lines = [
        c("Fashion-MNIST Studio's preprocessing (fmnist.data.preprocess), in short: the model only knows images that "
          "look like the dataset's.",
          "Fashion-MNIST Studio 的预处理（fmnist.data.preprocess）的简化版：模型只认识和数据集长得一样的图像。"),
        steps,
        "",
        note,
        f"image = to_dataset_look({path!r})",
        "true_label = None  " + c("A drawing or a picture has no true class.", "画或照片没有真实类别。"),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def predict(lang: str = "en", model_name: str | None = None) -> str:
    """The tutorial's probability model (a softmax after the logits) and its prediction for `image`."""
    c = lambda en, zh: comment(lang, en, zh)
    lines = []
    if model_name:
        lines.append(c(f"`model` is the network trained by the code above; the app used the model “{model_name}”.",
                       f"`model` 是上面的代码训练出的网络；应用里用的是模型“{model_name}”。"))  # fmt: skip
    lines += [
        c("Make predictions: attach a softmax layer to convert the model's linear outputs (logits) to probabilities.",
          "进行预测：附加一个 softmax 层，将模型的线性输出（logits）转换成概率。"),
        "probability_model = keras.Sequential([model, layers.Softmax()])",
        c("Keras predicts on batches: add the image to a batch where it's the only member.",
          "Keras 对一批数据进行预测：把这张图像放进一个只有它的批次。"),
        "predictions = probability_model.predict(np.expand_dims(image, 0), verbose=0)",
        c("Ten numbers: the model's confidence that the image is each of the ten classes.",
          "十个数字：模型对图像属于十个类别中每一个的置信度。"),
        "print(predictions[0])",
        'print("Prediction:", class_names[np.argmax(predictions[0])])',
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


PLOTS = """\
def plot_image(predictions_array, true_label, img):
    plt.grid(False)
    plt.xticks([])
    plt.yticks([])
    plt.imshow(img, cmap=plt.cm.binary)
    predicted_label = np.argmax(predictions_array)
    text = f"{{class_names[predicted_label]}} {{100 * np.max(predictions_array):2.0f}}%"
    if true_label is None:
        plt.xlabel(text)
    else:  {colours}
        color = "blue" if predicted_label == true_label else "red"
        plt.xlabel(f"{{text}} ({{class_names[true_label]}})", color=color)


def plot_value_array(predictions_array, true_label):
    plt.grid(False)
    plt.xticks(range(10))
    plt.yticks([])
    thisplot = plt.bar(range(10), predictions_array, color="#777777")
    plt.ylim([0, 1])
    predicted_label = np.argmax(predictions_array)
    thisplot[predicted_label].set_color("red")
    if true_label is not None:
        thisplot[true_label].set_color("blue")


plt.figure(figsize=(6, 3))
plt.subplot(1, 2, 1)
plot_image(predictions[0], true_label, image)
plt.subplot(1, 2, 2)
plot_value_array(predictions[0], true_label)
plt.show()
"""


def plot_prediction(lang: str = "en") -> str:
    """The tutorial's plot_image and plot_value_array, for this one image."""
    c = lambda en, zh: comment(lang, en, zh)
    intro = c("Graph the prediction: the image with its predicted class, and the ten class probabilities.",
              "把预测结果画成图：图像和预测的类别，以及十个类别的概率。")  # fmt: skip
    colours = c("Correct predictions in blue, incorrect in red.", "正确的预测标签为蓝色，错误的为红色。")
    return f"{intro}\n{PLOTS.format(colours=colours)}"


def prediction(source: str = SAMPLE, index: int = 0, lang: str = "en", model_name: str | None = None) -> str:
    """The Predict and Inside-the-model pages' code: this input, the probability model, the plots."""
    return "\n".join((model_input(source, index, lang), predict(lang, model_name), plot_prediction(lang)))
