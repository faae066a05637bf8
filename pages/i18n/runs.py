"""The words of the Runs page, and of a run as the Train page shows it (its status, the queue, Pause and Stop), in English
and Chinese; merged into fmnist.i18n."""

STRINGS = {
    "en": {
        "nav_runs": "Runs",
        "home_runs": "every training kept: overlay the curves of several, export a model, read a run as plain Keras code.",
        "runs_title": "Runs",
        "runs_intro": (
            "Every training run is kept: from this app and from `python -m fmnist train`. Pick runs in the table to "
            "overlay their curves and compare their accuracy per class; pick one to read its code, download its model, "
            "or delete it."
        ),
        "runs_none": "No runs yet. Start one on the Train page, or with `python -m fmnist train`.",
        "runs_select_hint": "Tick rows to compare runs; tick one to see its code and downloads.",
        "runs_pick_one": "Tick one run to see its code and downloads.",
        "runs_no_scores": "No run has a test accuracy yet: the chart appears once a run finishes or is stopped.",
        "run": "Run",
        "status": "Status",
        "source": "Started from",
        "train_seconds": "Training time (s)",
        "human_accuracy": "people (Zalando's crowd test)",
        "best_run": "best run so far ({run})",
        "tutorial_recipe": "the tutorial's MLP recipe",
        "scatter_caption": (
            "Each point is a run. Dashed lines: people labelling 1,000 test images ({human}), the tutorial's own recipe "
            "measured on this machine ({tutorial}; the grey line marks its training time), and the best run so far. "
            "Up and to the left is better."
        ),
        "compare": "Compare the selected runs",
        "compare_by": "x axis",
        "by_step": "step",
        "by_epoch": "epoch",
        "per_class_title": "Test accuracy of each class (best run of each class in green)",
        "run_tools": "Run {run}",
        "open_in_train": "Open on the Train page",
        "show_code": "Show the code",
        "code_caption": (
            "The same training as a plain Keras script in the tutorial's style: the settings are constants at the top, "
            "and it needs only keras and numpy."
        ),
        "download_code": "Download the script",
        "download_keras": "Keras model (.keras)",
        "download_tflite": "TFLite (.tflite)",
        "download_savedmodel": "SavedModel (.zip)",
        "delete_run": "Delete this run",
        "delete_confirm": "Delete run {run} with its history and weights? This cannot be undone.",
        "delete_yes": "Yes, delete it",
        "deleted": "Run {run} was deleted.",
        # A run on the Train page: its status, the queue, Pause and Stop.
        "run_status": "Run {run} · {status}",
        "status_queued": "queued",
        "status_running": "training",
        "status_paused": "paused",
        "status_stopped": "stopped",
        "status_finished": "finished",
        "status_failed": "failed",
        "status_cancelled": "cancelled",
        "queued": "Queued: position {position}, starts in about {minutes} min.",
        "cancel": "Cancel",
        "pause": "Pause",
        "resume": "Resume",
        "paused": "Paused after {batches} batches. Resume goes on with the same weights, optimizer state and schedule.",
        "cancelled": "This run was cancelled before it started.",
        "no_such_run": "No such run: the link may be wrong, or the run was deleted.",
        "time_limit": "The server stopped this run at its time limit of {seconds}.",
        "run_link_help": "This page's address names the run: a reload, another tab or a shared link shows it again.",
        "queue_full": "The training queue is full ({count} runs waiting). Try again when a run has ended.",
    },
    "zh": {
        "nav_runs": "训练记录",
        "home_runs": "每次训练都会保留：叠加多次训练的曲线、导出模型，把一次训练读成普通的 Keras 代码。",
        "runs_title": "训练记录",
        "runs_intro": (
            "每次训练都会保留：无论来自本应用还是 `python -m fmnist train`。在表格中勾选多次训练，可以叠加它们的曲线、"
            "比较每个类别的准确率；只勾选一次训练，可以查看它的代码、下载模型或删除它。"
        ),
        "runs_none": "还没有训练记录。请在训练页开始一次训练，或运行 `python -m fmnist train`。",
        "runs_select_hint": "勾选多行以比较训练；只勾选一行可查看代码和下载。",
        "runs_pick_one": "勾选一次训练以查看它的代码和下载。",
        "runs_no_scores": "还没有训练得到测试准确率：训练完成或被停止后会显示图表。",
        "run": "训练",
        "status": "状态",
        "source": "来源",
        "train_seconds": "训练用时（秒）",
        "human_accuracy": "人类（Zalando 众包测试）",
        "best_run": "目前最好的训练（{run}）",
        "tutorial_recipe": "教程中的 MLP 配方",
        "scatter_caption": (
            "每个点是一次训练。虚线：人类标注 1,000 张测试图片的准确率（{human}）、在本机上测得的教程原始配方（{tutorial}；"
            "灰线标出它的训练用时），以及目前最好的训练。越靠左上越好。"
        ),
        "compare": "比较所选的训练",
        "compare_by": "横轴",
        "by_step": "步数",
        "by_epoch": "轮数",
        "per_class_title": "每个类别的测试准确率（绿色为该类别最好的训练）",
        "run_tools": "训练 {run}",
        "open_in_train": "在训练页打开",
        "show_code": "查看代码",
        "code_caption": "用教程风格的纯 Keras 脚本完成同样的训练：设置都是文件开头的常量，只需要 keras 和 numpy。",
        "download_code": "下载脚本",
        "download_keras": "Keras 模型（.keras）",
        "download_tflite": "TFLite（.tflite）",
        "download_savedmodel": "SavedModel（.zip）",
        "delete_run": "删除这次训练",
        "delete_confirm": "删除训练 {run} 及其历史和权重？此操作无法撤销。",
        "delete_yes": "是的，删除",
        "deleted": "训练 {run} 已删除。",
        # A run on the Train page: its status, the queue, Pause and Stop.
        "run_status": "运行 {run} · {status}",
        "status_queued": "排队中",
        "status_running": "训练中",
        "status_paused": "已暂停",
        "status_stopped": "已停止",
        "status_finished": "已完成",
        "status_failed": "失败",
        "status_cancelled": "已取消",
        "queued": "排队中：第 {position} 位，大约 {minutes} 分钟后开始。",
        "cancel": "取消",
        "pause": "暂停",
        "resume": "继续",
        "paused": "在 {batches} 个批次后暂停。继续时沿用相同的权重、优化器状态和学习率计划。",
        "cancelled": "这次运行在开始前被取消了。",
        "no_such_run": "没有这个运行：链接可能有误，或者该运行已被删除。",
        "time_limit": "服务器在达到时间上限 {seconds} 时停止了这次运行。",
        "run_link_help": "本页地址包含这次运行的编号：刷新、在另一个标签页打开或分享链接都会再次显示它。",
        "queue_full": "训练队列已满（{count} 个运行在等待）。请在某个运行结束后再试。",
    },
}
