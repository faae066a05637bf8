"""python -m fmnist bench predict: one single-image prediction of the shipped model as the server makes it.

Every call follows a `keras.backend.clear_session()`, as in the server (Streamlit calls it after every script
run), and is made from a fresh thread, as Streamlit runs every script run in one. Printed, as medians over the
calls, in wall and process-CPU milliseconds:
- `Predictor.predict_one` as the app calls it (the pass runs on its one long-lived thread);
- the same XLA-compiled pass called directly in each fresh thread, the cost the long-lived thread avoids;
- that compiled pass called always from one thread that lives on, for comparison.
"""

from __future__ import annotations

import os
import statistics
import threading
import time

NAME = "predict"
HELP = "one prediction as the server makes it: after a clear_session, from a fresh thread"


def add_arguments(parser) -> None:
    parser.add_argument("--repeats", type=int, default=40, help="calls per way (default: 40)")


def median_ms(call, repeats: int, clear, fresh: bool = True) -> tuple[float, float]:
    """Median wall and process-CPU milliseconds of `call()`, each made after `clear()`: in a new thread each
    time (`fresh`), or all from this one."""
    walls, cpus = [], []

    def once():
        clear()
        started, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)

    for _ in range(repeats):
        if fresh:
            thread = threading.Thread(target=once)
            thread.start()
            thread.join()
        else:
            once()
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus)


def run(args, fail) -> int:
    """Time each way of making one prediction; `fail(message)` reports what stops the measurement."""
    if args.repeats < 1:
        return fail(f"--repeats must be at least 1, not {args.repeats}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up notes would bury the figures.
    import keras
    import numpy as np
    import tensorflow as tf

    from fmnist import registry
    from fmnist.model.predict import Predictor, as_batch

    model = registry.load(registry.DEFAULT_NAME)
    predictor = Predictor(model)
    if not predictor.compile_one():
        return fail("XLA could not compile the model's single-image pass; predict_one uses the plain path here")
    # The pass predict_one hands to its thread, compiled the same way, to be called from other threads.
    compiled = tf.function(
        lambda x: model(x, training=False), input_signature=[tf.TensorSpec([1, 28, 28], tf.float32)], jit_compile=True
    )
    image = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    batch = as_batch(image)
    predictor.predict_one(image)
    compiled(batch)

    ways = {
        "predict_one (pass on its long-lived thread), from fresh threads": (lambda: predictor.predict_one(image), True),
        "the compiled pass in each fresh thread": (lambda: compiled(batch).numpy(), True),
        "the compiled pass, always from the same thread": (lambda: compiled(batch).numpy(), False),
    }
    for name, (call, fresh) in ways.items():
        wall, cpu = median_ms(call, args.repeats, keras.backend.clear_session, fresh)
        print(f"{name}: {wall:.2f} ms wall, {cpu:.2f} ms CPU (median of {args.repeats}, each after a clear_session)")
    return 0
