"""The words of the Train page's network builder, augmentation, early stopping, preset and shared links;
merged into fmnist.i18n."""

STRINGS = {
    "en": {
        "schedule": "Learning-rate schedule",
        "schedule_cosine": "cosine decay",
        "schedule_constant": "constant (the tutorial)",
        "schedule_onecycle": "one-cycle (warm-up, then cosine)",
        "schedule_choice_cosine": "cosine decay",
        "schedule_choice_constant": "constant (the tutorial)",
        "schedule_choice_onecycle": "one-cycle",
        "schedule_help": "How the learning rate moves during the run. **constant**: the same at every step, as in the "
        "tutorial. **cosine decay**: from the chosen rate down to 2 % of it along a cosine. **one-cycle**: a warm-up "
        "from a tenth of the chosen rate over the first {warmup} % of the steps, then the same cosine down; the defaults "
        "use it.",
        "batch_norm": "Batch normalisation",
        "batch_norm_help": "Normalise each convolution's outputs over the batch before the ReLU: a CNN then learns "
        "faster at a higher learning rate.",
        "batch_norm_help_mlp": "Normalise each hidden layer's outputs over the batch before the ReLU: the MLP then "
        "learns faster at a higher learning rate (0.888 instead of 0.878 on the test images in the default 4 epochs). Off: the "
        "tutorial's network.",
        "run_batch_norm": " · batch normalisation",
        "norm_after_pool": "Normalise after pooling",
        "norm_after_pool_help": "With batch normalisation: pool first, then normalise and apply the ReLU. The same "
        "kind of network on a quarter of the values: on this machine an epoch costs about 30 % less.",
        "run_norm_after_pool": " (after pooling)",
        "network": "Network",
        "hidden_units": "Hidden layers (units of each, comma-separated)",
        "hidden_units_help": "The tutorial has one hidden layer of 128 units. `256, 128` makes two hidden layers.",
        "filters": "Convolution blocks (filters of each, comma-separated)",
        "filters_help": "Each block is a 3×3 convolution and a 2×2 max pooling; at most 4 blocks.",
        "dense_units": "Dense layer units",
        "dropout": "Dropout",
        "dropout_help": "Fraction of units switched off at random during training, against overfitting (0: none).",
        "parameters": "Parameters to learn: **{count:,}** (the tutorial's network: 101,770)",
        "augment": "Augment the training images",
        "repeat_seeds": "Repeat with 3 seeds",
        "repeat_seeds_help": "Queue the same settings three times, with seeds {seeds}, as one group: /runs then shows "
        "their mean ± standard deviation (turn on Group by settings there).",
        "seeds_queued": "Queued {count} runs with seeds {seeds} as one group; compare them on the Runs page (Group by settings).",
        "seeds_partly_queued": "Queued {count} of {total} runs (seeds {seeds}); the rest were refused: {reason}",
        "augment_help": "Each epoch shows the network every training image randomly shifted (up to 2 px), rotated "
        "(up to 10°) and zoomed (up to 10 %).",
        "augment_preview": "What augmentation does: the first training images (top) as the network sees them (bottom)",
        "augment_again": "Another draw",
        "early_stopping": "Early stopping (epochs of patience, 0: off)",
        "early_stopping_help": "Stop once the validation loss has not improved for this many epochs, and keep the "
        "weights of the best epoch. Needs a validation split.",
        "label_smoothing": "Label smoothing",
        "label_smoothing_help": "How much of each answer's certainty the loss spreads over all ten classes: with 0.1 it "
        "aims at 0.91 for the true class and 0.01 for each other one instead of 1 and 0, so the network is not pushed "
        "to ever more certain answers. The loss then cannot reach 0 (0: the tutorial's loss).",
        "run_label_smoothing": " · label smoothing {smoothing}",
        "label_smoothing_short": "Label smoothing",
        "preset_tutorial": "As in the tutorial",
        "preset_tutorial_help": "The tutorial's recipe: the MLP without batch normalisation, 10 epochs, batch 32, "
        "Adam at 0.001, a constant learning rate, no validation split.",
        "preset_cnn_fast": "A fast CNN",
        "preset_cnn_fast_help": "The quickest CNN recipe measured on this 2-core machine: about 92.3 % test accuracy "
        "after 4 epochs (under half a minute, less time than the tutorial's MLP). Filters 16 and 32, each block "
        "normalised after its pooling, dense 128, batches of 128, a one-cycle learning rate peaking at 0.005.",
        "preset_cnn_accurate": "An accurate CNN",
        "preset_cnn_accurate_help": "The most accurate recipe measured within 2.5 times the tutorial's time on this "
        "2-core machine: 92.7 to 93.1 % test accuracy after 10 epochs (seeds 0, 1 and 2; about a minute and a half). "
        "The fast CNN with a dense layer of 256, dropout 0.3 and label smoothing 0.1.",
        "share_settings": "This page's address holds these settings: copy it to share a form filled in like this.",
        "query_ignored": "The link's value {name}={value} was ignored ({reason}); the form shows its default.",
        "run_network": "Network: {layers}, dropout {dropout}, {parameters:,} parameters · learning rate: {schedule}",
        "layers_mlp": "hidden layers of {widths} units",
        "layers_cnn": "convolution blocks of {widths} filters, dense layer of {dense} units",
        "run_augmented": " · augmented images",
        "run_early_stopping": " · early stopping after {patience} epochs without improvement",
        "parameters_short": "Parameters",
        "augment_short": "Augmented",
        "early_stopping_short": "Early stopping",
        "early_stopped": "Early stopping ended the run after epoch {stopped}: the validation loss had not improved "
        "since epoch {best}, whose weights the model keeps.",
        "backend_unavailable": "The training cluster cannot be reached just now. Your run keeps its place in the "
        "queue and starts when the cluster is back; the server tries again every few seconds.",
    },
    "zh": {
        "schedule": "学习率调度",
        "schedule_cosine": "余弦衰减",
        "schedule_constant": "恒定（教程）",
        "schedule_onecycle": "单周期（先预热，再余弦衰减）",
        "schedule_choice_cosine": "余弦衰减",
        "schedule_choice_constant": "恒定（教程）",
        "schedule_choice_onecycle": "单周期",
        "schedule_help": "训练过程中学习率如何变化。**恒定**：每一步都相同，与教程一致。**余弦衰减**：沿余弦曲线从所选学习率"
        "降到它的 2%。**单周期**：在前 {warmup}% 的步数里从所选学习率的十分之一预热上升，再按同样的余弦曲线下降；默认配置使用它。",
        "batch_norm": "批归一化",
        "batch_norm_help": "在 ReLU 之前对每个卷积的输出按批做归一化：CNN 因而能用更大的学习率、学得更快。",
        "batch_norm_help_mlp": "在 ReLU 之前对每个隐藏层的输出按批做归一化：MLP 因而能用更大的学习率、学得更快"
        "（默认的 4 轮后测试准确率 0.888，而不是 0.878）。关闭：即教程中的网络。",
        "run_batch_norm": " · 批归一化",
        "norm_after_pool": "池化之后再归一化",
        "norm_after_pool_help": "在批归一化的前提下：先池化，再归一化并做 ReLU。网络结构相同，但只需处理四分之一的数值："
        "在这台机器上每个 epoch 约省 30% 的时间。",
        "run_norm_after_pool": "（池化之后）",
        "network": "网络结构",
        "hidden_units": "隐藏层（各层单元数，用逗号分隔）",
        "hidden_units_help": "教程中只有一个 128 单元的隐藏层。`256, 128` 表示两个隐藏层。",
        "filters": "卷积块（各块的卷积核数，用逗号分隔）",
        "filters_help": "每个块是一个 3×3 卷积加一个 2×2 最大池化；最多 4 个块。",
        "dense_units": "全连接层单元数",
        "dropout": "Dropout 比例",
        "dropout_help": "训练时随机关闭的单元比例，用来防止过拟合（0 表示不用）。",
        "parameters": "需要学习的参数：**{count:,}**（教程中的网络：101,770）",
        "augment": "数据增强",
        "repeat_seeds": "用 3 个随机种子重复",
        "repeat_seeds_help": "以种子 {seeds} 将相同设置排队训练三次，作为一组：运行页面会显示它们的平均值 ± 标准差"
        "（在那里打开“按设置分组”）。",
        "seeds_queued": "已将种子为 {seeds} 的 {count} 次运行作为一组排队；请在运行页面比较它们（按设置分组）。",
        "seeds_partly_queued": "已排队 {total} 次中的 {count} 次（种子 {seeds}）；其余被拒绝：{reason}",
        "augment_help": "每一轮都把每张训练图片随机平移（最多 2 像素）、旋转（最多 10°）和缩放（最多 10%）后再给网络看。",
        "augment_preview": "数据增强的效果：上面是前几张训练图片，下面是网络实际看到的样子",
        "augment_again": "再随机一次",
        "early_stopping": "提前停止（容忍的轮数，0 表示关闭）",
        "early_stopping_help": "验证集损失连续这么多轮没有改善就停止训练，并保留最好那一轮的权重。需要验证集。",
        "label_smoothing": "标签平滑",
        "label_smoothing_help": "把每个答案的确定性拿出这么多，平均分给全部十个类别：取 0.1 时，损失函数的目标是真实类别 0.91、"
        "其他每个类别 0.01，而不是 1 和 0，网络就不会被一味推向越来越确定的答案。这时损失降不到 0（0 表示教程的损失函数）。",
        "run_label_smoothing": " · 标签平滑 {smoothing}",
        "label_smoothing_short": "标签平滑",
        "preset_tutorial": "按教程设置",
        "preset_tutorial_help": "教程的做法：不带批归一化的 MLP、10 轮、批大小 32、Adam 学习率 0.001、恒定学习率、不留验证集。",
        "preset_cnn_fast": "快速 CNN",
        "preset_cnn_fast_help": "在这台双核机器上测得最快的 CNN 配方：4 轮（不到半分钟，比教程的 MLP 还快）后测试准确率约 92.3%。"
        "卷积核 16 和 32，每个卷积块在池化之后做批归一化，全连接 128，批大小 128，峰值 0.005 的单周期学习率。",
        "preset_cnn_accurate": "精确 CNN",
        "preset_cnn_accurate_help": "在这台双核机器上、教程 2.5 倍时间之内测得的最准确的配方：10 轮（约一分半钟）后测试准确率 92.7% 到 93.1%"
        "（随机种子 0、1、2）。"
        "即快速 CNN 加上 256 单元的全连接层、0.3 的 dropout 和 0.1 的标签平滑。",
        "share_settings": "本页地址包含这些设置：复制地址即可分享一份这样填好的表单。",
        "query_ignored": "链接中的 {name}={value} 已被忽略（{reason}）；表单使用默认值。",
        "run_network": "网络：{layers}，dropout {dropout}，共 {parameters:,} 个参数 · 学习率：{schedule}",
        "layers_mlp": "隐藏层单元数 {widths}",
        "layers_cnn": "卷积块卷积核数 {widths}，全连接层 {dense} 个单元",
        "run_augmented": " · 数据增强",
        "run_early_stopping": " · 提前停止（容忍 {patience} 轮没有改善）",
        "parameters_short": "参数数",
        "augment_short": "数据增强",
        "early_stopping_short": "提前停止",
        "early_stopped": "提前停止在第 {stopped} 轮结束了训练：验证集损失自第 {best} 轮起没有再改善，模型保留的是第 {best} 轮的权重。",
        "backend_unavailable": "暂时无法连接训练集群。你的训练仍在队列中保留位置，集群恢复后就会开始；服务器每隔几秒会重试一次。",
    },
}
