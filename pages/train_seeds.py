"""The Train page's "Repeat with 3 seeds": the same settings queued once per seed as one group (/runs shows its
mean ± sd), through the job manager's public submit."""

from __future__ import annotations

import dataclasses

import streamlit as st

from fmnist.model.config import TrainConfig
from fmnist.runs import groups, jobs, store
from pages.identity import current_actor
from pages.navigation import t
from pages.resources import job_manager


def start_seeds(config: TrainConfig) -> None:
    """Queue `config` once per seed (its seed and the next two) as one group; when a later run is refused (a full
    queue, a limit on runs at once), the runs already queued stay and a note says what was not."""
    manager, group_id, queued, reason = job_manager(), groups.new_group_id(), [], None
    seeds = groups.repeat_seeds(config.seed or 0)
    for seed in seeds:
        try:
            run_id = manager.submit(dataclasses.replace(config, seed=seed), source="page", owner=current_actor())
            groups.write_group(store.get(run_id, manager.root), group_id)
        except jobs.TooManyRuns as error:
            reason = t("too_many_runs", limit=error.limit)
        except jobs.QueueFull:
            reason = t("queue_full", count=manager.max_queue)
        except Exception as error:  # Any refusal (a bad setting, a full disk, a limit per learner): say it, keep the rest.
            reason = str(error)
        if reason:
            break
        queued.append((seed, run_id))
    if not queued:
        st.warning(reason, icon=":material/hourglass_top:")
        return
    shown = ", ".join(str(seed) for seed, _ in queued)
    note = (t("seeds_queued", count=len(queued), seeds=shown) if reason is None
            else t("seeds_partly_queued", count=len(queued), total=len(seeds), seeds=shown, reason=reason))  # fmt: skip
    st.session_state.train_seeds_note = (reason is None, note)
    st.session_state.train_run = queued[0][1]
    st.query_params["run"] = queued[0][1]
    st.rerun()


# After a rerun: what the 3-seed start queued, and what it could not.
def seeds_note_ui() -> None:
    if "train_seeds_note" in st.session_state:
        done, note = st.session_state.pop("train_seeds_note")
        (st.success if done else st.warning)(note, icon=":material/stacks:")
