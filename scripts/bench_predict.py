"""Time one single-image prediction of the shipped model as the server makes it (issue 11).

Run: `.venv/bin/python scripts/bench_predict.py [--repeats 40]`. Every call follows a
`keras.backend.clear_session()`, as in the server (Streamlit calls it after every script run), and is made
from a fresh thread, as Streamlit runs every script run in one. Printed, as medians over the calls:
- `fmnist.predict.Predictor.predict_one` as shipped (the pass runs on its one long-lived thread);
- the same compiled pass called directly in the fresh thread (what predict_one did before);
- the same compiled pass called directly from one thread that lives on, for comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40, help="calls per way (default: 40)")
    args = parser.parse_args()

    import keras
    import numpy as np

    from fmnist import registry
    from fmnist.model.predict import Predictor, as_batch

    predictor = Predictor(registry.load(registry.DEFAULT_NAME))
    if not predictor.compile_one():
        sys.exit("XLA could not compile the model's single-image pass; predict_one uses the plain path here.")
    image = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    batch = as_batch(image)
    compiled = predictor._forward_one  # Our own class: the pass predict_one hands to its thread.
    predictor.predict_one(image)

    def clear():
        keras.backend.clear_session()

    ways = {
        "predict_one (pass on its long-lived thread), from fresh threads": (lambda: predictor.predict_one(image), True),
        "the compiled pass in each fresh thread": (lambda: compiled(batch).numpy(), True),
        "the compiled pass, always from the same thread": (lambda: compiled(batch).numpy(), False),
    }
    for name, (call, fresh) in ways.items():
        wall, cpu = median_ms(call, args.repeats, clear, fresh)
        print(f"{name}: {wall:.2f} ms wall, {cpu:.2f} ms CPU (median of {args.repeats}, each after a clear_session)")


if __name__ == "__main__":
    main()
