"""The commands that use a saved model: python -m fmnist evaluate | predict, and the helpers every command shares
to name a model and read a picture file (explain and export use them too)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from fmnist.data import fashion_mnist


def fail(message: str, code: int = 2) -> int:
    """An error as every command reports it: one line on stderr, and the exit code."""
    print(f"error: {message}", file=sys.stderr)
    return code


def load_model_arg(value: str):
    """A model by registry name or, on the command line only, by path to its .weights.npz or .json file."""
    from fmnist import registry

    if value.endswith((".npz", ".json")) or os.sep in value:
        return registry.load_info(registry.info_for_path(Path(value)))
    return registry.load(value)


def evaluate_command(args) -> int:
    """Score a model on the 10,000 test images."""
    from fmnist import registry
    from fmnist.model.evaluation import evaluate

    try:
        model = load_model_arg(args.model)
    except registry.RegistryError as error:
        return fail(str(error))
    dataset = fashion_mnist.load()
    result = evaluate(model, dataset.test_images, dataset.test_labels)
    if args.json:
        print(json.dumps({"model": args.model, **result.to_dict()}))
        return 0
    print(f"model {args.model}: test accuracy {result.accuracy:.4f}, loss {result.loss:.4f}, {len(result.mistakes)} mistakes")
    for i, accuracy in enumerate(result.per_class_accuracy):
        print(f"  {i}  {fashion_mnist.CLASS_NAMES[i]:12s} {accuracy:.3f}")
    print("confusion matrix (rows true, columns predicted):")
    for row in result.confusion:
        print("  " + " ".join(f"{n:4d}" for n in row))
    return 0


def predict_command(args) -> int:
    """Classify picture files; every file is tried, exit 1 if any failed."""
    from fmnist import registry
    from fmnist.data import preprocess
    from fmnist.model.predict import Predictor

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
                "class_name": fashion_mnist.CLASS_NAMES[class_id],
                "probabilities": [round(float(p), 6) for p in probabilities],
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(
                f"{name}: {fashion_mnist.CLASS_NAMES[class_id]} ({fashion_mnist.CLASS_NAMES_ZH[class_id]}) {probabilities[class_id]:.1%}"
            )
    return 1 if failed else 0


def read_file(name: str) -> bytes:
    """Read at most one byte more than the upload limit, so huge files are refused cheaply."""
    from fmnist.data import preprocess

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


def add_commands(commands) -> dict:
    """Add evaluate and predict to the subparsers `commands`; return their handlers by name."""
    evaluate = commands.add_parser(
        "evaluate",
        help="score a model on the test images",
        description="Accuracy, loss, per-class accuracy and confusion matrix on the 10,000 test images.",
    )
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")

    predict = commands.add_parser(
        "predict",
        help="classify picture files",
        description="Classify pictures (PNG, JPEG, GIF, BMP, WebP). Exit 1 if any file failed.",
    )
    predict.add_argument("--json", action="store_true", help="one JSON object per file")
    predict.add_argument("files", nargs="+", metavar="FILE")
    for parser in (evaluate, predict):
        parser.add_argument(
            "--model",
            default="default",
            help="registry name or path to a .weights.npz or .json file (default: the shipped model)",
        )
    return {"evaluate": evaluate_command, "predict": predict_command}
