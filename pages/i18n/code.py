"""The words of the tutorial's code beside each step (pages/code_view.py) in English and Chinese; merged into
pages.i18n."""

STRINGS = {
    "en": {
        "code_title": "The tutorial's code",
        "code_view_caption": (
            "What this step just did, as the tutorial's Keras code with your values. It continues the code of the steps "
            "before it: Browse loads and scales the data, Train builds and trains `model`. Copy it with the button at "
            "the top right."
        ),
    },
    "zh": {
        "code_title": "教程代码",
        "code_view_caption": (
            "这一步刚才做的事，写成教程风格的 Keras 代码，用的是你选的值。它接着前面各步的代码："
            "“浏览数据”加载并缩放数据，“训练模型”构建并训练 `model`。点右上角的按钮即可复制。"
        ),
    },
}
