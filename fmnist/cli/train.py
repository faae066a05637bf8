"""python -m fmnist train: train a model in this process, recorded as a run, evaluate it and optionally save it.

A progress bar goes to stderr when it is a terminal (never with --json). The first Ctrl-C stops at the next
step and keeps the weights learned so far; a second one interrupts at once.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

from fmnist import settings
from fmnist.cli import train_options
from fmnist.cli.models import fail
from fmnist.data import fashion_mnist
from fmnist.model.distribute import STRATEGIES
from fmnist.runs import backends, groups


def progress_line(progress, history: dict, epochs: int) -> str:
    """One redrawn line of the progress bar: epoch, bar, percentage, last loss, speed and time left."""
    epoch, _, fraction = progress.position(epochs)
    bar = "#" * int(30 * fraction)
    eta = f"ETA {progress.eta:4.0f}s" if progress.eta is not None else "ETA    ?"
    loss = history["batch_loss"][-1] if history["batch_loss"] else float("nan")
    return f"\repoch {epoch}/{epochs} [{bar:30s}] {100 * fraction:3.0f}% loss {loss:.3f} {progress.samples_per_second:6.0f} samples/s {eta}"


def show_progress(args, config):
    """What draws the progress bar of a run trained elsewhere: show(progress, history, last=False)."""
    show_bar, shown = sys.stderr.isatty() and not args.json, [0.0]

    def show(progress, history, last: bool = False) -> None:
        if show_bar and (last or time.monotonic() - shown[0] > 0.25):
            shown[0] = time.monotonic()
            print(progress_line(progress, history, config.epochs), end="\n" if last else "", file=sys.stderr, flush=True)

    return show


def train_command(args) -> int:
    """Train a model in this process, recorded as a run (runs/<id>/), evaluate it and optionally save it; with
    --seeds, one run per seed, one after the other, recorded as one group."""
    from fmnist import registry

    if args.name and args.out:
        return fail("give either --name or --out, not both")
    try:
        args.backend = args.backend or settings.backend()
    except ValueError as error:
        return fail(str(error))
    if args.backend == "ray" and args.distribute:
        return fail("--distribute trains in this process; with --backend ray each run is one Ray actor")
    if args.seeds and (args.name or args.out):
        return fail("--seeds trains several models: download the one you want from /runs, or `python -m fmnist export --run ID`")
    try:
        if args.name:
            registry.validate_name(args.name)
        configs = train_options.train_configs(args)
    except (ValueError, registry.RegistryError) as error:
        return fail(str(error))
    dataset = fashion_mnist.load() if args.backend == "local" else None  # The nodes read their own.
    strategy = None
    if args.distribute:
        from fmnist.model.distribute import DistributeError, make_strategy

        try:
            strategy = make_strategy(args.distribute, cpu_devices=args.cpu_devices)
        except DistributeError as error:
            return fail(str(error))
    if not args.seeds:
        code, _ = train_one(args, configs[0], dataset, strategy)
        return code
    group_id, summaries = groups.new_group_id(), []
    for config in configs:
        code, summary = train_one(args, config, dataset, strategy, group_id)
        if code:
            return code
        summaries.append(summary)
        if summary["status"] == "stopped":  # Ctrl-C: the seeds left are not trained.
            print(f"stopped: {len(configs) - len(summaries)} seed(s) not trained", file=sys.stderr)
            break
    return report_group(args, group_id, summaries)


def train_one(args, config, dataset, strategy, group_id: str | None = None) -> tuple[int, dict | None]:
    """Train one run of `config` in this process (in the group `group_id` if given); (exit code, summary)."""
    import logging
    import signal

    from fmnist.model.history import Control, RunLog
    from fmnist.runs import store
    from fmnist.runs.worker import execute

    if args.backend != "local":
        from fmnist.cli.train_remote import train_remote

        return train_remote(args, config, group_id, show_progress(args, config), lambda *done: finish_training(args, *done))
    try:
        run = store.create(config, "cli")
        if group_id:
            groups.write_group(run, group_id)
    except store.RunsError as error:
        return fail(str(error)), None
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
    except store.RunsError as error:
        return fail(str(error)), None
    finally:
        signal.signal(signal.SIGINT, previous)
        logging.getLogger("fmnist").removeHandler(handler)
        handler.close()
    if show_bar:
        print(progress_line(*log.copy(), config.epochs), file=sys.stderr)
    if status["status"] == "failed":
        return fail(f"{status['error']} (details in {run.log_path})"), None
    return finish_training(args, run, model, evaluation, time.perf_counter() - started)


def report_group(args, group_id: str, summaries: list[dict]) -> int:
    """After --seeds: the group's mean ± sd of test accuracy, test loss and training time (one JSON object with --json)."""
    report = {"group": group_id, "runs": [s["run"] for s in summaries], "seeds": list(args.seeds[: len(summaries)])}
    for key in ("test_accuracy", "test_loss", "train_seconds"):
        mean, sd = groups.mean_sd(s[key] for s in summaries)
        report[key] = {"mean": mean, "sd": sd}
    if args.json:
        print(json.dumps(report))
        return 0
    sd = lambda key, spec: "" if report[key]["sd"] is None else f" ± {report[key]['sd']:{spec}}"
    print(
        f"group {group_id} of {len(summaries)} seeds: test accuracy {report['test_accuracy']['mean']:.4f}"
        f"{sd('test_accuracy', '.4f')}, loss {report['test_loss']['mean']:.4f}{sd('test_loss', '.4f')}, "
        f"{report['train_seconds']['mean']:.1f}{sd('train_seconds', '.1f')} s"
    )
    return 0


def finish_training(args, run, model, evaluation, wall_seconds: float) -> tuple[int, dict | None]:
    """Save the trained model where --name or --out says, then report the run (one JSON object with --json)."""
    from fmnist import registry
    from fmnist.model.distribute import is_chief
    from fmnist.runs import store

    command = "python -m fmnist " + shlex.join(sys.argv[1:] if args.argv is None else args.argv)
    metadata = store.registry_metadata(run, command)
    path = None
    try:
        if args.distribute == "multiworker" and not is_chief():
            pass  # In a cluster only the chief (worker 0) writes the model.
        elif args.name:
            path = str(registry.save(model, args.name, metadata, overwrite=args.overwrite).path)
        elif args.out:
            path = str(registry.write_pair(model, Path(args.out), metadata).path)
    except registry.RegistryError as error:
        return fail(str(error)), None
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
    return 0, summary


def add_commands(commands) -> dict:
    """Add train to the subparsers `commands`; return its handler by name."""
    train = commands.add_parser(
        "train",
        help="train a model",
        description="Train a model in this process, recorded as a run in runs/ ($FMNIST_RUNS_DIR), evaluate it on the test images, and save it if asked. Ctrl-C stops at the next step and keeps the weights.",
    )
    train_options.add_arguments(train)
    train.add_argument(
        "--distribute",
        choices=STRATEGIES,
        help="data-parallel training: all local GPUs (or the CPU), or the workers named in TF_CONFIG",
    )
    train.add_argument(
        "--cpu-devices", type=int, help="with --distribute mirrored and no GPU: split the CPU into N logical devices"
    )
    train.add_argument(
        "--backend",
        choices=backends.NAMES,
        help="local: train in this process; ray: as a Ray actor on the cluster at RAY_ADDRESS, or a local Ray "
        "(default: $FMNIST_BACKEND, else local)",
    )
    train.add_argument("--name", help="save into the model registry under this name")
    train.add_argument("--out", help="save to this NAME.weights.npz path (metadata NAME.json beside it)")
    train.add_argument("--overwrite", action="store_true", help="replace a saved model of the same name")
    train.add_argument("--json", action="store_true", help="no progress bar; the last line is one JSON object")
    return {"train": train_command}
