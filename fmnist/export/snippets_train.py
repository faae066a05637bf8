"""The tutorial's build, compile, fit and evaluate steps for a TrainConfig, in the tutorial's style.

Each function takes a resolved TrainConfig and a language ("en" or "zh") and returns Python source that
continues the data steps of fmnist.export.snippets (train_images ... scaled to 0–1). With `names`, a number
setting is written as that name instead of its value ({"epochs": "EPOCHS"}): the /runs script declares
those names at its top so that a reader changes them in one place (fmnist.export.codegen).
"""

from __future__ import annotations

from fmnist.export.snippets import comment
from fmnist.model.config import WARMUP_FRACTION, architecture_settings
from fmnist.model.network import MLP_NORM_MOMENTUM

# The settings `names` may replace by a name.
NAMED = ("epochs", "batch_size", "learning_rate", "seed", "limit", "validation_split", "early_stopping", "label_smoothing")
OPTIMIZER_CODE = {
    "adam": "keras.optimizers.Adam(learning_rate=learning_rate)",
    "sgd": "keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)",
    "rmsprop": "keras.optimizers.RMSprop(learning_rate=learning_rate)",
}


def _value(config, key: str, names: dict | None) -> str:
    if names and key in names:
        return names[key]
    return repr(getattr(config, key))


def prepare(config, lang: str = "en", names: dict | None = None) -> str:
    """The seed, the training subset and the validation images held out (the last ones, as the app does)."""
    c = lambda en, zh: comment(lang, en, zh)
    seed = _value(config, "seed", names)
    lines = [c("Seed the weights and the shuffling: the same seed gives the same run on the same machine.",
               "设定随机种子（权重和打乱顺序）：同一台机器上，同样的种子得到同样的结果。"),
             f"keras.utils.set_random_seed({seed})"]  # fmt: skip
    if config.limit is not None:
        limit = _value(config, "limit", names)
        lines += [c(f"Train on the first {config.limit} training images only.", f"只用前 {config.limit} 张训练图像。"),
                  f"train_images, train_labels = train_images[:{limit}], train_labels[:{limit}]"]  # fmt: skip
    if config.validation_split:
        split = _value(config, "validation_split", names)
        lines += [
            c(f"Hold out the last {config.validation_split:.0%} of the training images to validate after each epoch.",
              f"留出最后 {config.validation_split:.0%} 的训练图像，每轮训练后用来验证。"),
            f"kept = len(train_images) - int(len(train_images) * {split})",
            "validation_images, validation_labels = train_images[kept:], train_labels[kept:]",
            "train_images, train_labels = train_images[:kept], train_labels[:kept]",
        ]  # fmt: skip
    return "\n".join(lines) + "\n"


def build(config, lang: str = "en") -> str:
    """`model = keras.Sequential([...])` with every layer of the chosen network written out."""
    c = lambda en, zh: comment(lang, en, zh)
    s = architecture_settings(config.model, config.architecture())
    if config.model == "mlp":
        title = c("Build the model: set up the layers (the tutorial's network, Flatten -> Dense -> Dense).",
                  "构建模型：设置层（教程中的网络：Flatten -> Dense -> Dense）。")  # fmt: skip
        stack = ["keras.Input(shape=(28, 28)),",
                 "layers.Flatten(),  " + c("28 × 28 pixels -> one row of 784.", "把 28 × 28 像素展平成 784 个数。")]  # fmt: skip
        for units in s["hidden_units"]:
            if s["batch_norm"]:
                stack += [f"layers.Dense({units}, use_bias=False),",
                          f"layers.BatchNormalization(momentum={MLP_NORM_MOMENTUM!r}),  "
                          + c("Batch normalisation before the ReLU.", "在 ReLU 之前做批归一化。"),
                          'layers.Activation("relu"),']  # fmt: skip
            else:
                stack.append(f'layers.Dense({units}, activation="relu"),')
            if s["dropout"]:
                stack.append(f"layers.Dropout({s['dropout']!r}),")
    else:
        title = c("Build the model: set up the layers (a small convolutional network).", "构建模型：设置层（一个小型卷积网络）。")
        stack = ["keras.Input(shape=(28, 28)),", "layers.Reshape((28, 28, 1)),  " + c("One grey channel.", "一个灰度通道。")]
        for filters in s["filters"]:
            if not s["batch_norm"]:
                stack += [f'layers.Conv2D({filters}, 3, padding="same", activation="relu"),', "layers.MaxPooling2D(),"]
                continue
            normalise = ["layers.BatchNormalization(),", 'layers.Activation("relu"),']
            conv = f'layers.Conv2D({filters}, 3, padding="same", use_bias=False),'
            stack += (
                [conv, "layers.MaxPooling2D(),", *normalise]
                if s["norm_after_pool"]
                else [conv, *normalise, "layers.MaxPooling2D(),"]
            )
        stack.append("layers.Flatten(),")
        if s["dropout"]:
            stack.append(f"layers.Dropout({s['dropout']!r}),")
        stack.append(f'layers.Dense({s["dense_units"]}, activation="relu"),')
    stack.append("layers.Dense(10),  " + c("One logit per class.", "每个类别一个 logit（未归一化的分数）。"))
    body = "\n".join(f"    {line}" for line in stack)
    return f"{title}\nmodel = keras.Sequential([\n{body}\n])\nmodel.summary()\n"


def compile_model(config, lang: str = "en", names: dict | None = None) -> str:
    """`model.compile` with the chosen optimizer, learning-rate schedule and loss."""
    c = lambda en, zh: comment(lang, en, zh)
    rate, epochs = _value(config, "learning_rate", names), _value(config, "epochs", names)
    batch = _value(config, "batch_size", names)
    lines = [c("Compile the model: the optimizer, the loss function and the metric to watch.",
               "编译模型：优化器、损失函数和要监控的指标。")]  # fmt: skip
    if config.schedule == "constant":
        lines.append(f"learning_rate = {rate}")
    else:
        lines += [f"steps = {epochs} * math.ceil(len(train_images) / {batch})  "
                  + c("Batches in the whole run.", "整个训练的批次数。")]  # fmt: skip
        if config.schedule == "onecycle":
            lines += [
                c(f"One cycle: the rate climbs from a tenth of {config.learning_rate:g} to it over the first "
                  f"{WARMUP_FRACTION:.0%} of the steps, then falls along a cosine to 2 % of it.",
                  f"单周期：学习率在前 {WARMUP_FRACTION:.0%} 的步数中从 {config.learning_rate:g} 的十分之一升到它，"
                  "然后沿余弦曲线降到它的 2%。"),
                f"warmup = int(steps * {WARMUP_FRACTION!r})",
                "learning_rate = keras.optimizers.schedules.CosineDecay(",
                f"    {rate} / 10, decay_steps=steps - warmup, alpha=0.02, warmup_target={rate}, warmup_steps=warmup",
                ")",
            ]  # fmt: skip
        else:
            lines += [c(f"Cosine: the rate falls from {config.learning_rate:g} to 2 % of it over the run.",
                        f"余弦：学习率在训练过程中从 {config.learning_rate:g} 降到它的 2%。"),
                      f"learning_rate = keras.optimizers.schedules.CosineDecay({rate}, decay_steps=steps, alpha=0.02)"]  # fmt: skip
    if config.label_smoothing:
        smoothing = _value(config, "label_smoothing", names)
        lines += [
            "",
            "",
            "def smoothed_loss(labels, logits):",
            "    " + c("Cross-entropy against smoothed one-hot targets.", "对平滑后的 one-hot 目标计算交叉熵。"),
            '    targets = keras.ops.one_hot(keras.ops.cast(keras.ops.reshape(labels, (-1,)), "int32"), 10)',
            f"    return keras.losses.categorical_crossentropy(targets, logits, from_logits=True, label_smoothing={smoothing})",
            "",
            "",
        ]  # fmt: skip
        loss = "smoothed_loss"
    else:
        loss = "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"
    lines += ["model.compile(", f"    optimizer={OPTIMIZER_CODE[config.optimizer]},", f"    loss={loss},",
              '    metrics=["accuracy"],', ")"]  # fmt: skip
    return "\n".join(lines) + "\n"


AUGMENTED_BATCHES = """\
class AugmentedBatches(keras.utils.PyDataset):
    {doc}

    def __init__(self, images, labels, batch_size, seed):
        super().__init__()
        self.images, self.labels, self.batch_size = images.astype("float32"), labels, batch_size
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(images))
        fill = {{"fill_mode": "constant", "fill_value": 0.0}}  {fill}
        self.augment = keras.Sequential([
            layers.RandomTranslation(2 / 28, 2 / 28, seed=seed, **fill),
            layers.RandomRotation(10 / 360, seed=seed + 1, **fill),
            layers.RandomZoom(0.1, seed=seed + 2, **fill),
        ])

    def __len__(self):
        return math.ceil(len(self.images) / self.batch_size)

    def __getitem__(self, index):
        batch = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        images = self.augment(self.images[batch][..., None], training=True)[..., 0]
        return images, self.labels[batch]

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.images))
"""


def fit(config, lang: str = "en", names: dict | None = None) -> str:
    """`model.fit` with the chosen epochs and batch size (and augmentation, validation, early stopping)."""
    c = lambda en, zh: comment(lang, en, zh)
    epochs, batch = _value(config, "epochs", names), _value(config, "batch_size", names)
    lines = []
    arguments = [f"epochs={epochs}"]
    if config.augment:
        doc = ('"""Shuffled batches of randomly shifted, rotated and zoomed images, new each epoch."""'
               if lang == "en" else '"""打乱顺序的批次，训练图像随机平移、旋转和缩放，每轮都不同。"""')  # fmt: skip
        fill = c("Black corners, like the dataset's background.", "角落填黑色，和数据集的背景一样。")
        lines += ["", AUGMENTED_BATCHES.format(doc=doc, fill=fill), ""]
        data = f"AugmentedBatches(train_images, train_labels, {batch}, {_value(config, 'seed', names)})"
    else:
        data = "train_images, train_labels"
        arguments.append(f"batch_size={batch}")
    if config.validation_split:
        arguments.append("validation_data=(validation_images, validation_labels)")
    if config.early_stopping:
        patience = _value(config, "early_stopping", names)
        lines += [c(f"Stop once the validation loss has not improved for {config.early_stopping} epochs; keep the best weights.",
                    f"验证损失连续 {config.early_stopping} 轮没有改善就停止训练，并保留最好的权重。"),
                  "early_stopping = keras.callbacks.EarlyStopping(",
                  f'    monitor="val_loss", patience={patience}, restore_best_weights=True',
                  ")"]  # fmt: skip
        arguments.append("callbacks=[early_stopping]")
    lines += [c(f"Train the model: feed it the training images and labels, {config.epochs} epoch(s)"
                + ("" if config.augment else f", batches of {config.batch_size}") + ".",
                f"训练模型：向模型馈送训练图像和标签，训练 {config.epochs} 轮"
                + ("" if config.augment else f"，每批 {config.batch_size} 张") + "。"),
              fit_call(data, arguments)]  # fmt: skip
    return "\n".join(lines) + "\n"


def fit_call(data: str, arguments: list[str]) -> str:
    """`history = model.fit(...)` on one line, or one argument group a line when that is too long to read."""
    line = f"history = model.fit({data}, {', '.join(arguments)}, verbose=2)"
    if len(line) <= 100:
        return line
    return "\n".join(
        ["history = model.fit(", f"    {data},", *(f"    {argument}," for argument in arguments), "    verbose=2,", ")"]
    )


def evaluate(lang: str = "en") -> str:
    """`model.evaluate` on the test set, and the accuracy printed."""
    lines = [
        comment(lang, "Evaluate accuracy: how the model does on the test set.", "评估准确率：比较模型在测试数据集上的表现。"),
        "test_loss, test_accuracy = model.evaluate(test_images, test_labels, verbose=2)",
        'print(f"Test accuracy: {test_accuracy:.4f}")',
    ]
    return "\n".join(lines) + "\n"


def train(config, lang: str = "en", names: dict | None = None) -> str:
    """The Train page's code: prepare, build, compile, fit, evaluate."""
    steps = (prepare(config, lang, names), build(config, lang), compile_model(config, lang, names), fit(config, lang, names),
             evaluate(lang))  # fmt: skip
    return "\n".join(steps)
