"""python -m fmnist bench [NAME]: speed beside the tutorial's recipe, measured in the same run, and named measurements.

Without a name or options: data load, training throughput, one-picture latency and batch throughput
(fmnist.bench.speed); `--recipes` adds whole training processes; `--frontier [RECIPE ...]` measures only whole
`train` processes of the accuracy/time frontier's recipes (fmnist.bench.recipes), each with the seeds `--seeds`
names. `bench NAME [options]` runs one named measurement of fmnist.bench (NAMED), with its own options.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

# Named measurements: NAME -> the module of fmnist.bench that holds its options (add_arguments) and run(args, fail).
NAMED = {
    "predict": "fmnist.bench.prediction",
    "inspect": "fmnist.bench.inside",
    "epoch-cost": "fmnist.bench.epoch_cost",
    "augmentation": "fmnist.bench.augmentation",
    "upload-memory": "fmnist.bench.upload_memory",
    "runs-page": "fmnist.bench.runs_page",
    "drawings": "fmnist.bench.drawings",
}


def seed_list(text: str) -> tuple[int, ...]:
    """Seeds from "0,1,2" (whole numbers from 0, at most 10 of them)."""
    parts = [part.strip() for part in str(text).split(",") if part.strip()]
    if not parts or len(parts) > 10 or not all(part.isdigit() for part in parts):
        raise argparse.ArgumentTypeError(f"give 1 to 10 whole numbers from 0, separated by commas, not {text!r}")
    return tuple(int(part) for part in parts)


def add_parser(commands) -> None:
    bench = commands.add_parser(
        "bench",
        help="measure speed against the tutorial's recipe",
        description="Data load, training throughput, one-picture latency and batch throughput, each beside the tutorial's recipe "
        "measured in the same run; or, given a NAME, one of the named measurements below.",
    )
    bench.add_argument("--json", action="store_true", help="the last line is one JSON object")
    bench.add_argument(
        "--recipes",
        action="store_true",
        help="also time whole training runs of both models and of the tutorial's recipe (minutes)",
    )
    bench.add_argument("--quick", action="store_true", help="small sizes, for a smoke test (figures not for reporting)")
    bench.add_argument(
        "--frontier",
        nargs="*",
        metavar="RECIPE",
        help="only whole training processes of these recipes (default: all of fmnist.bench.recipes.FRONTIER) beside the tutorial's",
    )
    bench.add_argument(
        "--seeds",
        type=seed_list,
        metavar="0,1,2",
        help="with --frontier: train every recipe with each of these seeds (default: 0 for CNN recipes, 0,1,2 for MLP ones)",
    )
    named = bench.add_subparsers(
        dest="bench_name",
        metavar="NAME",
        title="named measurements",
        description="python -m fmnist bench NAME --help for its options",
    )
    for name, module_name in NAMED.items():
        module = importlib.import_module(module_name)
        doc = module.__doc__.strip().splitlines()[0]
        module.add_arguments(named.add_parser(name, help=module.HELP, description=doc.split(": ", 1)[-1]))


def run(args, fail) -> int:
    """Measure as `args` say; with --json the last line is one object. `fail(message)` reports a refusal."""
    if args.bench_name:
        given = [option for option, value in (("--json", args.json), ("--recipes", args.recipes), ("--quick", args.quick),
                                              ("--frontier", args.frontier is not None), ("--seeds", args.seeds)) if value]  # fmt: skip
        if given:
            return fail(f"{given[0]} goes with the speed measurement or the frontier, not with {args.bench_name!r}")
        return importlib.import_module(NAMED[args.bench_name]).run(args, fail)
    report = (lambda line: print(line, file=sys.stderr)) if args.json else print
    if args.seeds and args.frontier is None:
        return fail("--seeds chooses the seeds of --frontier's recipes; give --frontier too")
    if args.frontier is not None:
        from fmnist.bench import recipes

        unknown = [name for name in args.frontier if name not in recipes.FRONTIER]
        if unknown:
            return fail(f"unknown recipe {unknown[0]!r}; choose from: {', '.join(recipes.FRONTIER)}")
        seeds = {"seeds": args.seeds, "mlp_seeds": args.seeds} if args.seeds else {}
        results = recipes.measure(args.frontier or tuple(recipes.FRONTIER), report=report, **seeds)
    else:
        from fmnist.bench import speed

        results = speed.run(quick=args.quick, recipes=args.recipes, report=report)
    if args.json:
        print(json.dumps(results))
    return 0
