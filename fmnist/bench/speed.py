"""python -m fmnist bench: our figures side by side with the tutorial's recipe, measured in one run.

Every figure is measured here and now, together with its baseline, so that the
ratio between them holds on whatever machine runs it:
- data load, cold (decoding the .gz files) and warm (the .npy cache);
- training throughput of `mlp` and `cnn` with their defaults, against the
  tutorial's `model.fit` with batch 32;
- one 280×280 canvas drawing to 10 probabilities, against the tutorial's
  `probability_model.predict` on one image;
- batch prediction throughput, and the process's peak memory;
- one drawing to probabilities while a CNN trains in a child process of the job
  runner (as in the web server), beside the same figure idle;
- with --recipes, whole `train` processes of both models (the MLP over seeds 0, 1, 2)
  beside the tutorial's recipe as written (`python -m fmnist.tutorial`): wall time,
  its ratio to the tutorial's, test accuracy (fmnist.bench.recipes); `--frontier`
  measures only those, for every recipe of the frontier.
"""

from __future__ import annotations

import os
import platform
import resource
import time

import numpy as np

from fmnist.data import fashion_mnist


def percentiles_ms(seconds: list[float]) -> dict:
    values = np.asarray(seconds) * 1000
    return {"p50": round(float(np.percentile(values, 50)), 3), "p99": round(float(np.percentile(values, 99)), 3)}


def timed(function, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def measure_data_load(repeats: int) -> dict:
    cold = timed(lambda: fashion_mnist.load(use_cache=False), repeats)
    fashion_mnist.load()  # Make sure the cache exists.
    warm = timed(fashion_mnist.load, repeats)
    return {"cold": round(float(np.median(cold)), 4), "warm": round(float(np.median(warm)), 4)}


def training_throughput(model: str, dataset, samples: int) -> float:
    """Samples per second of a model's default recipe in its second epoch (the first one compiles)."""
    from fmnist.model.training import TrainConfig, TrainingJob

    job = TrainingJob(TrainConfig(model=model, epochs=2, limit=samples, validation_split=0.0), dataset).run()
    ends = job.snapshot().history["epoch_elapsed"]
    return samples / (ends[1] - ends[0])


def tutorial_throughput(dataset, samples: int) -> float:
    """The tutorial's recipe: Flatten/Dense(128)/Dense(10), adam, batch 32, `model.fit`."""
    import keras

    from fmnist.model import architectures

    x = dataset.train_images[:samples].astype(np.float32) / 255.0
    y = dataset.train_labels[:samples]
    model = architectures.build_mlp()
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(x[:1024], y[:1024], epochs=1, batch_size=32, verbose=0)  # Warm-up: trace and compile.
    started = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    return samples / (time.perf_counter() - started)


def measure_prediction(model, dataset, calls: int) -> dict:
    """One canvas drawing to probabilities, ours and the tutorial's, plus batch throughput."""
    import keras

    from fmnist.data import preprocess
    from fmnist.model.predict import Predictor

    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[40:240, 100:180, :3] = 255  # A pair of trousers, roughly.
    canvas[140:240, 135:145, :3] = 0

    predictor = Predictor(model)
    ours = lambda: predictor.predict_one(preprocess.from_canvas(canvas))
    probability_model = keras.Sequential([model, keras.layers.Softmax()])
    tutorial = lambda: probability_model.predict(preprocess.from_canvas(canvas)[None], verbose=0)[0]
    for function in (ours, tutorial):
        timed(function, 5)  # Warm-up.
    ours_times = timed(ours, calls)
    tutorial_times = timed(tutorial, max(20, calls // 10))

    images = dataset.test_images
    predictor(images[:256])
    batch_seconds = min(timed(lambda: predictor(images), 3))
    baseline_batch_seconds = min(timed(lambda: probability_model.predict(images / 255.0, verbose=0), 2))
    return {
        "predict_one_ms": percentiles_ms(ours_times),
        "baseline_predict_one_ms": percentiles_ms(tutorial_times),
        "batch_images_per_s": round(len(images) / batch_seconds),
        "baseline_batch_images_per_s": round(len(images) / baseline_batch_seconds),
    }


def prediction_while_training(model, calls: int, quick: bool) -> dict:
    """One drawing to probabilities in this process, idle and while a CNN trains in a job runner's child."""
    import tempfile

    from fmnist.data import preprocess
    from fmnist.model.config import TrainConfig
    from fmnist.model.predict import Predictor
    from fmnist.runs import jobs

    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[40:240, 100:180, :3] = 255
    predictor = Predictor(model)

    def spread_calls() -> list[float]:
        # A short pause between calls spreads them over the training's phases, as visitors' clicks are.
        times = []
        for _ in range(calls):
            times += timed(lambda: predictor.predict_one(preprocess.from_canvas(canvas)), 1)
            time.sleep(0.002)
        return times

    spread_calls()  # Warm-up.
    idle = spread_calls()
    with tempfile.TemporaryDirectory() as root:
        manager = jobs.JobManager(root=root, max_trainings=1, max_queue=0, max_seconds=900)
        run_id = manager.submit(TrainConfig(model="cnn", epochs=100, limit=3000 if quick else 20000))
        try:
            deadline = time.monotonic() + 300
            while not manager.view(run_id).history["step"]:
                if manager.view(run_id).ended or time.monotonic() > deadline:
                    raise RuntimeError(f"the training for the benchmark did not start: {manager.view(run_id).error}")
                time.sleep(0.1)
            busy = spread_calls()
            if manager.view(run_id).ended:
                raise RuntimeError("the training ended before the predictions were measured")
        finally:
            manager.shutdown(wait=60)
            manager.kill_all()
    idle_ms, busy_ms = percentiles_ms(idle), percentiles_ms(busy)
    return {"idle_ms": idle_ms, "training_ms": busy_ms, "ratio_p50": round(busy_ms["p50"] / idle_ms["p50"], 2)}


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"


def run(quick: bool = False, recipes: bool = False, report=print) -> dict:
    """Measure everything; `quick` uses small sizes (for tests), not fit for reporting."""
    from fmnist import registry

    results = {"machine": machine(), "quick": quick}
    results["data_load_s"] = measure_data_load(1 if quick else 5)
    report(f"data load: cold {results['data_load_s']['cold']:.3f} s, warm {results['data_load_s']['warm']:.3f} s")
    dataset = fashion_mnist.load()
    samples = 2048 if quick else 12000
    results["train_samples_per_s"] = {name: round(training_throughput(name, dataset, samples)) for name in ("mlp", "cnn")}
    results["baseline_train_samples_per_s"] = round(tutorial_throughput(dataset, samples))
    report(
        "training samples/s: "
        + ", ".join(f"{k} {v}" for k, v in results["train_samples_per_s"].items())
        + f"; tutorial recipe (batch 32) {results['baseline_train_samples_per_s']}"
    )
    results.update(measure_prediction(registry.load("default"), dataset, 50 if quick else 1000))
    ours, theirs = results["predict_one_ms"], results["baseline_predict_one_ms"]
    report(
        f"one drawing -> probabilities: p50 {ours['p50']:.2f} ms, p99 {ours['p99']:.2f} ms; "
        f"tutorial model.predict p50 {theirs['p50']:.2f} ms, p99 {theirs['p99']:.2f} ms "
        f"({theirs['p50'] / ours['p50']:.0f}x)"
    )
    report(
        f"batch prediction: {results['batch_images_per_s']} images/s; model.predict {results['baseline_batch_images_per_s']} images/s"
    )
    figures = results["predict_while_training"] = prediction_while_training(
        registry.load("default"), 100 if quick else 500, quick
    )
    report(
        f"one drawing -> probabilities while a CNN trains in a child process: p50 {figures['training_ms']['p50']:.2f} ms, "
        f"p99 {figures['training_ms']['p99']:.2f} ms; idle p50 {figures['idle_ms']['p50']:.2f} ms ({figures['ratio_p50']:.2f}x)"
    )
    if recipes:
        from fmnist.bench import recipes

        results["recipes"] = recipes.measure(report=report)
    results["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    report(f"peak memory: {results['peak_memory_mb']} MB on {results['machine']}")
    return results
