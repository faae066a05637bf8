"""python -m fmnist train --backend ray: the run trains where the server's runs would (a Ray actor on the cluster at
`RAY_ADDRESS`, or on a local Ray), through a job manager of this process; its record lands in runs/<id>/ here.

The terminal shows the same progress bar as a run trained in this process; Ctrl-C asks the run to stop at its
next step (it keeps its weights), a second one interrupts at once.
"""

from __future__ import annotations

import signal
import sys
import time

from fmnist.cli.models import fail


def train_remote(args, config, group_id: str | None, show, finish) -> tuple[int, dict | None]:
    """Train one run of `config` on `args.backend`; `show(progress, history)` draws the bar, `finish(run, model,
    evaluation, seconds)` saves and reports as the local path does. (exit code, summary)."""
    from fmnist.runs import compare, groups, jobs, store
    from fmnist.runs.owners import COMMAND_LINE

    manager = jobs.JobManager(max_trainings=1, backend=args.backend)
    started = time.perf_counter()
    try:
        run_id = manager.submit(config, "cli", COMMAND_LINE)
    except (ValueError, jobs.QueueFull, store.RunsError) as error:
        return fail(str(error)), None
    run = store.get(run_id, manager.root)
    if group_id:
        groups.write_group(run, group_id)

    def interrupted(*_) -> None:
        manager.stop(run_id, COMMAND_LINE)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("\nstopping; the weights learned so far are kept", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, interrupted)
    said = None
    try:
        while not (view := manager.view(run_id)).ended:
            if view.unavailable and view.unavailable != said:
                said = view.unavailable
                print(f"waiting: {said} Trying again every {jobs.RETRY_SECONDS:g} s (Ctrl-C to give up).", file=sys.stderr)
            show(view.progress, view.history)
            time.sleep(0.25)
    except KeyboardInterrupt:
        manager.shutdown()
        manager.kill_all()
        return fail(f"interrupted; the run is recorded in {run.path}"), None
    finally:
        signal.signal(signal.SIGINT, previous)
    show(view.progress, view.history, last=True)
    if view.status == "failed":
        return fail(f"{view.error} (details in {run.log_path})"), None
    if view.status not in ("finished", "stopped"):
        return fail(f"the run was {view.status} before it started"), None
    model = compare.load_model(run_id, manager.root) if (args.name or args.out) else None
    return finish(run, model, run.recorded_evaluation(), time.perf_counter() - started)
