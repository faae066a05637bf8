"""The command line: python -m fmnist info | train | evaluate | predict | explain | bench | runs | export | code.

Each command prints a readable report, or with --json machine-readable lines
(the last line is always one JSON object). Errors are one line on stderr and a
non-zero exit code, never a traceback.

One module per command family, each with `add_commands(commands)`, which adds its commands to the
subparsers and returns their handlers by name: fmnist.cli.train (train), fmnist.cli.models (evaluate,
predict), fmnist.cli.explain (explain), fmnist.cli.bench (bench), fmnist.cli.runs (runs, export, code).
This module keeps the parser, `main` and the info command.
"""

from __future__ import annotations

import argparse
import json
import unicodedata

from fmnist.cli import explain, models, runs, train
from fmnist.cli.models import fail
from fmnist.data import fashion_mnist


def info_command(args) -> int:
    """Describe the dataset without importing TensorFlow."""
    dataset = fashion_mnist.load()
    report = {"source": dataset.source, "verified": dataset.verified}
    for split in ("train", "test"):
        images, labels = dataset.split(split)
        report[split] = {
            "shape": list(images.shape),
            "labels_shape": list(labels.shape),
            "dtype": str(images.dtype),
            "min": int(images.min()),
            "max": int(images.max()),
            "class_counts": [int(c) for c in fashion_mnist.np.bincount(labels, minlength=10)],
        }
    report["class_names"] = list(fashion_mnist.CLASS_NAMES)
    report["class_names_zh"] = list(fashion_mnist.CLASS_NAMES_ZH)
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
    for i, (en, zh) in enumerate(zip(fashion_mnist.CLASS_NAMES, fashion_mnist.CLASS_NAMES_ZH)):
        print(
            f"  {i:5d}  {en:13s}  {zh}{' ' * (10 - display_width(zh))}  {report['train']['class_counts'][i]:5d}  {report['test']['class_counts'][i]:5d}"
        )
    return 0


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def add_commands(commands) -> dict:
    """Add info to the subparsers `commands`; return its handler by name."""
    info = commands.add_parser(
        "info",
        help="describe the dataset (no TensorFlow)",
        description="Describe the dataset: source, shapes, value range, class counts, checksum.",
    )
    info.add_argument("--json", action="store_true", help="print one JSON object")
    return {"info": info_command}


def bench_commands(commands) -> dict:
    """Add bench (fmnist.cli.bench) to the subparsers `commands`; return its handler by name."""
    from fmnist.cli import bench

    bench.add_parser(commands)
    return {"bench": lambda args: bench.run(args, fail)}


# The command families in the order --help lists their commands.
FAMILIES = (add_commands, train.add_commands, models.add_commands, explain.add_commands, bench_commands, runs.add_commands)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fmnist", description="Fashion-MNIST Studio from the command line.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_family in FAMILIES:
        for name, handler in add_family(commands).items():
            commands.choices[name].set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        return args.handler(args)
    except fashion_mnist.DataError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
