"""The words of the Train page's per-epoch view (the live probe grid and the replay) in English and Chinese;
merged into fmnist.i18n."""

STRINGS = {
    "en": {
        "epochs_live_title": "What it predicts now",
        "epochs_live_waiting": "The first 25 test images appear here with the model's guesses once the first epoch ends.",
        "epochs_live_caption": (
            "After epoch {epoch}: the model's guess for the first 25 test images and how sure it is, with the true class "
            "in brackets — blue when right, red when wrong ({right} of {count} right)."
        ),
        "epochs_replay_title": "Replay: how it learned",
        "epochs_replay_intro": "Drag the slider to see the predictions and the confusion matrix as they stood after each epoch.",
        "epochs_slider": "After epoch",
        "epochs_none": (
            "This run has no per-epoch records: it was recorded before runs kept them, "
            "or it ended before its first epoch was complete."
        ),
        "epochs_grid_caption": (
            "The first 25 test images after epoch {epoch} of {epochs}: {right} of {count} right "
            "(blue when right, red when wrong; the true class in brackets)."
        ),
        "epochs_confusion_validation": "Confusion matrix on the {count} validation images",
        "epochs_confusion_test": "Confusion matrix on the first {count} test images (this run has no validation split)",
        "epochs_accuracy": "Accuracy on these images",
    },
    "zh": {
        "epochs_live_title": "模型现在的预测",
        "epochs_live_waiting": "第一轮结束后，这里会显示前 25 张测试图片和模型的猜测。",
        "epochs_live_caption": (
            "第 {epoch} 轮之后：模型对前 25 张测试图片的猜测及其把握，括号中是真实类别——"
            "正确为蓝色，错误为红色（{count} 张中 {right} 张正确）。"
        ),
        "epochs_replay_title": "回放：模型是怎样学会的",
        "epochs_replay_intro": "拖动滑块，查看每一轮结束时的预测和混淆矩阵。",
        "epochs_slider": "第几轮之后",
        "epochs_none": "这次训练没有逐轮记录：它是在记录此信息之前训练的，或者在第一轮完成之前就结束了。",
        "epochs_grid_caption": "第 {epoch}/{epochs} 轮之后的前 25 张测试图片：{count} 张中 {right} 张正确（正确为蓝色，错误为红色；括号中是真实类别）。",
        "epochs_confusion_validation": "在 {count} 张验证图片上的混淆矩阵",
        "epochs_confusion_test": "在前 {count} 张测试图片上的混淆矩阵（这次训练没有验证集）",
        "epochs_accuracy": "在这些图片上的准确率",
    },
}
