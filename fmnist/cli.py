"""The command line: python -m fmnist info | train | evaluate | predict | explain | bench.

Each command prints a readable report, or with --json machine-readable lines
(the last line is always one JSON object). Errors are one line on stderr and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
import unicodedata
from pathlib import Path

from fmnist import cli_config, data
from fmnist.distribute import STRATEGIES


def fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def info_command(args) -> int:
    """Describe the dataset without importing TensorFlow."""
    dataset = data.load()
    report = {"source": dataset.source, "verified": dataset.verified}
    for split in ("train", "test"):
        images, labels = dataset.split(split)
        report[split] = {
            "shape": list(images.shape),
            "labels_shape": list(labels.shape),
            "dtype": str(images.dtype),
            "min": int(images.min()),
            "max": int(images.max()),
            "class_counts": [int(c) for c in data.np.bincount(labels, minlength=10)],
        }
    report["class_names"] = list(data.CLASS_NAMES)
    report["class_names_zh"] = list(data.CLASS_NAMES_ZH)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"Fashion-MNIST from {report['source']} ({'verified' if report['verified'] else 'NOT verified'})")
    for split in ("train", "test"):
        r = report[split]
        print(
            f"  {split:5s} images {tuple(r['shape'])} {r['dtype']} values {r['min']}..{r['max']}, labels {tuple(r['labels_shape'])}"
        )
    print("  label  class          类别        train   test")
    for i, (en, zh) in enumerate(zip(data.CLASS_NAMES, data.CLASS_NAMES_ZH)):
        print(
            f"  {i:5d}  {en:13s}  {zh}{' ' * (10 - display_width(zh))}  {report['train']['class_counts'][i]:5d}  {report['test']['class_counts'][i]:5d}"
        )
    return 0


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def progress_line(progress, history: dict, epochs: int) -> str:
    epoch, _, fraction = progress.position(epochs)
    bar = "#" * int(30 * fraction)
    eta = f"ETA {progress.eta:4.0f}s" if progress.eta is not None else "ETA    ?"
    loss = history["batch_loss"][-1] if history["batch_loss"] else float("nan")
    return f"\repoch {epoch}/{epochs} [{bar:30s}] {100 * fraction:3.0f}% loss {loss:.3f} {progress.samples_per_second:6.0f} samples/s {eta}"


def train_command(args) -> int:
    """Train a model in this process, recorded as a run (runs/<id>/), evaluate it and optionally save it."""
    import logging
    import signal

    from fmnist import registry, runs
    from fmnist.history import Control, RunLog
    from fmnist.worker import execute

    if args.name and args.out:
        return fail("give either --name or --out, not both")
    try:
        if args.name:
            registry.validate_name(args.name)
        config = cli_config.config_from_args(args)
    except (ValueError, registry.RegistryError) as error:
        return fail(str(error))
    dataset = data.load()
    strategy = None
    if args.distribute:
        from fmnist.distribute import DistributeError, make_strategy

        try:
            strategy = make_strategy(args.distribute, cpu_devices=args.cpu_devices)
        except DistributeError as error:
            return fail(str(error))
    try:
        run = runs.create(config, "cli")
    except runs.RunsError as error:
        return fail(str(error))
    # A failure's whole traceback goes to the run's log; the terminal gets one line.
    handler = logging.FileHandler(run.log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("fmnist").addHandler(handler)
    control, log = Control(), RunLog()
    show_bar = sys.stderr.isatty() and not args.json
    shown = [0.0]

    def emit(event: dict) -> None:
        log.apply(event)
        if show_bar and time.monotonic() - shown[0] > 0.25:
            shown[0] = time.monotonic()
            print(progress_line(*log.copy(), config.epochs), end="", file=sys.stderr, flush=True)

    def interrupted(*_) -> None:
        # The first Ctrl-C stops at the next step and keeps the weights; a second one interrupts at once.
        control.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("\nstopping; the weights learned so far are kept", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, interrupted)
    started = time.perf_counter()
    try:
        status, model, evaluation = execute(run, control, emit, dataset, strategy)
    except runs.RunsError as error:
        return fail(str(error))
    finally:
        signal.signal(signal.SIGINT, previous)
        logging.getLogger("fmnist").removeHandler(handler)
        handler.close()
    if show_bar:
        print(progress_line(*log.copy(), config.epochs), file=sys.stderr)
    if status["status"] == "failed":
        return fail(f"{status['error']} (details in {run.log_path})")
    return finish_training(args, run, model, evaluation, time.perf_counter() - started)


def finish_training(args, run, model, evaluation, wall_seconds: float) -> int:
    from fmnist import registry, runs
    from fmnist.distribute import is_chief

    command = "python -m fmnist " + shlex.join(sys.argv[1:] if args.argv is None else args.argv)
    metadata = runs.registry_metadata(run, command)
    path = None
    try:
        if args.distribute == "multiworker" and not is_chief():
            pass  # In a cluster only the chief (worker 0) writes the model.
        elif args.name:
            path = str(registry.save(model, args.name, metadata, overwrite=args.overwrite).path)
        elif args.out:
            path = str(registry.write_pair(model, Path(args.out), metadata).path)
    except registry.RegistryError as error:
        return fail(str(error))
    summary = {
        "model": run.config().model,
        "status": metadata["status"],
        "epochs_run": metadata["epochs_run"],
        "train_seconds": metadata["train_seconds"],
        "wall_seconds": round(wall_seconds, 2),
        "test_accuracy": evaluation.accuracy,
        "test_loss": evaluation.loss,
        "path": path,
        "run": run.id,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"{summary['model']}: test accuracy {evaluation.accuracy:.4f}, loss {evaluation.loss:.4f} after {summary['epochs_run']} epochs in {summary['train_seconds']:.1f} s"
        )
        print(f"run recorded in {run.path}")
        if path:
            print(f"saved to {path}")
    return 0


def load_model_arg(value: str):
    """A model by registry name or, on the command line only, by path to its .weights.npz or .json file."""
    from fmnist import registry

    if value.endswith((".npz", ".json")) or os.sep in value:
        return registry.load_info(registry.info_for_path(Path(value)))
    return registry.load(value)


def evaluate_command(args) -> int:
    """Score a model on the 10,000 test images."""
    from fmnist import registry
    from fmnist.evaluation import evaluate

    try:
        model = load_model_arg(args.model)
    except registry.RegistryError as error:
        return fail(str(error))
    dataset = data.load()
    result = evaluate(model, dataset.test_images, dataset.test_labels)
    if args.json:
        print(json.dumps({"model": args.model, **result.to_dict()}))
        return 0
    print(f"model {args.model}: test accuracy {result.accuracy:.4f}, loss {result.loss:.4f}, {len(result.mistakes)} mistakes")
    for i, accuracy in enumerate(result.per_class_accuracy):
        print(f"  {i}  {data.CLASS_NAMES[i]:12s} {accuracy:.3f}")
    print("confusion matrix (rows true, columns predicted):")
    for row in result.confusion:
        print("  " + " ".join(f"{n:4d}" for n in row))
    return 0


def predict_command(args) -> int:
    """Classify picture files; every file is tried, exit 1 if any failed."""
    from fmnist import preprocess, registry
    from fmnist.predict import Predictor

    try:
        predictor = Predictor(load_model_arg(args.model))
    except registry.RegistryError as error:
        return fail(str(error))
    failed = False
    for name in args.files:
        try:
            raw = read_file(name)
            probabilities = predictor.predict_one(preprocess.from_bytes(raw))
        except (OSError, preprocess.ImageError) as error:
            failed = True
            message = str(error) if isinstance(error, preprocess.ImageError) else file_error(name, error)
            print(json.dumps({"file": name, "error": message}, ensure_ascii=False) if args.json else f"{name}: error: {message}")
            continue
        class_id = int(probabilities.argmax())
        if args.json:
            record = {
                "file": name,
                "class_id": class_id,
                "class_name": data.CLASS_NAMES[class_id],
                "probabilities": [round(float(p), 6) for p in probabilities],
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(f"{name}: {data.CLASS_NAMES[class_id]} ({data.CLASS_NAMES_ZH[class_id]}) {probabilities[class_id]:.1%}")
    return 1 if failed else 0


def read_file(name: str) -> bytes:
    """Read at most one byte more than the upload limit, so huge files are refused cheaply."""
    from fmnist import preprocess

    with open(name, "rb") as f:
        return f.read(preprocess.MAX_UPLOAD_BYTES + 1)


def file_error(name: str, error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "this is a folder, not a file"
    if isinstance(error, PermissionError):
        return "permission denied"
    return f"cannot read the file ({error.strerror or 'input/output error'})"


def explain_command(args) -> int:
    """Look inside the model for picture files (see fmnist/explain_command.py)."""
    from fmnist import explain_command

    return explain_command.run(args, load_model_arg, read_file, file_error, fail)


def bench_command(args) -> int:
    """Measure speed side by side with the tutorial's recipe (see fmnist/bench_command.py)."""
    from fmnist import bench_command

    return bench_command.run(args, fail)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fmnist", description="Fashion-MNIST Studio from the command line.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    info = commands.add_parser(
        "info",
        help="describe the dataset (no TensorFlow)",
        description="Describe the dataset: source, shapes, value range, class counts, checksum.",
    )
    info.add_argument("--json", action="store_true", help="print one JSON object")

    train = commands.add_parser(
        "train",
        help="train a model",
        description="Train a model in this process, recorded as a run in runs/ ($FMNIST_RUNS_DIR), evaluate it on the test images, and save it if asked. Ctrl-C stops at the next step and keeps the weights.",
    )
    cli_config.add_arguments(train)
    train.add_argument(
        "--distribute",
        choices=STRATEGIES,
        help="data-parallel training: all local GPUs (or the CPU), or the workers named in TF_CONFIG",
    )
    train.add_argument(
        "--cpu-devices", type=int, help="with --distribute mirrored and no GPU: split the CPU into N logical devices"
    )
    train.add_argument("--name", help="save into the model registry under this name")
    train.add_argument("--out", help="save to this NAME.weights.npz path (metadata NAME.json beside it)")
    train.add_argument("--overwrite", action="store_true", help="replace a saved model of the same name")
    train.add_argument("--json", action="store_true", help="no progress bar; the last line is one JSON object")

    evaluate = commands.add_parser(
        "evaluate",
        help="score a model on the test images",
        description="Accuracy, loss, per-class accuracy and confusion matrix on the 10,000 test images.",
    )
    evaluate.add_argument(
        "--model", default="default", help="registry name or path to a .weights.npz or .json file (default: the shipped model)"
    )
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")

    predict = commands.add_parser(
        "predict",
        help="classify picture files",
        description="Classify pictures (PNG, JPEG, GIF, BMP, WebP). Exit 1 if any file failed.",
    )
    predict.add_argument(
        "--model", default="default", help="registry name or path to a .weights.npz or .json file (default: the shipped model)"
    )
    predict.add_argument("--json", action="store_true", help="one JSON object per file")
    predict.add_argument("files", nargs="+", metavar="FILE")

    from fmnist import explain_command

    explain_command.add_parser(commands)

    from fmnist import bench_command

    bench_command.add_parser(commands)

    from fmnist import cli_experiments

    for name, handler in cli_experiments.add_commands(commands).items():
        commands.choices[name].set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = argv
    handlers = {
        "info": info_command,
        "train": train_command,
        "evaluate": evaluate_command,
        "predict": predict_command,
        "explain": explain_command,
        "bench": bench_command,
    }
    try:
        return getattr(args, "handler", handlers.get(args.command))(args)
    except data.DataError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
