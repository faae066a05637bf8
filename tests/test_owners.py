"""Run owners: only the browser that started a run, the teacher or the command line manage it; the per-learner
limit; display names as untrusted text; the teacher password and its slowdown. No training: runs stay queued."""

import json
import logging
import secrets
import stat

import pytest

from fmnist.model.config import TrainConfig
from fmnist.runs import compare, jobs, owners, store

TINY = {"model": "mlp", "epochs": 1, "limit": 300}
PASSWORD = "correct horse battery staple"


@pytest.fixture
def root(tmp_path, monkeypatch):
    folder = tmp_path / "runs"
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(folder))
    return folder


@pytest.fixture
def manager(root):
    """A manager whose runs all stay queued (no training slot), so no child process starts."""
    manager = jobs.JobManager(root=root, max_queue=10)
    manager.max_trainings = 0
    yield manager
    manager.shutdown()


def learner(name="", root=None):
    secret = secrets.token_hex(32)
    return secret, owners.actor(secret, name, root=root)


def finished_run(root, owner: owners.Actor) -> str:
    run = store.create(TrainConfig(**TINY).resolved(), "page", root, owner=owner.owner, owner_name=owner.name)
    run.update_status(status="finished")
    return run.id


def test_only_the_owner_the_teacher_and_the_command_line_manage_a_run(manager, root, monkeypatch):
    _, lin = learner("Lin", root)
    _, other = learner("Max", root)
    run_id = manager.submit(TrainConfig(**TINY), owner=lin)
    for _ in range(3):  # Refused every time, whatever the run's state allows.
        for action in ("stop", "pause", "resume", "cancel"):
            with pytest.raises(owners.NotAllowed, match="belongs to someone else"):
                getattr(manager, action)(run_id, other)
        with pytest.raises(owners.NotAllowed):
            manager.stop(run_id, None)  # No identity at all.
    assert manager.view(run_id).status == "queued" and not manager.may_manage(run_id, other)
    assert manager.may_manage(run_id, lin) and manager.may_manage(run_id, owners.COMMAND_LINE)
    monkeypatch.setenv("FMNIST_TEACHER_PASSWORD", PASSWORD)
    token = owners.TeacherGate().attempt(PASSWORD, "teacher").token
    teacher = owners.actor(secrets.token_hex(32), "Ms Wu", token, root=root)
    assert teacher.teacher and manager.may_manage(run_id, teacher)
    assert manager.cancel(run_id, lin) and manager.view(run_id).status == "cancelled"
    second = manager.submit(TrainConfig(**TINY), owner=lin)
    assert manager.stop(second, teacher) and manager.view(second).status == "cancelled"


def test_a_forged_owner_or_secret_gains_nothing(manager, root):
    _, lin = learner("Lin", root)
    run_id = manager.submit(TrainConfig(**TINY), owner=lin)
    recorded = json.loads((root / run_id / "status.json").read_text())
    assert recorded["owner"] == lin.owner and recorded["owner_name"] == "Lin"
    # What a stranger could learn (the recorded owner, its hash alone) is no secret that makes that owner.
    assert owners.actor(lin.owner) is None
    forged = owners.actor(lin.owner.removeprefix(owners.LEARNER), root=root)
    assert forged is not None and forged.owner != lin.owner and not manager.may_manage(run_id, forged)
    for bad in ("", "short", "x" * 200, "../../etc/passwd" * 3, None, 42, ["a" * 64]):
        assert owners.actor(bad, root=root) is None
    assert not owners.may_manage(owners.Actor("learner:"), "")  # An older run without an owner: teacher only.
    with pytest.raises(owners.NotAllowed):
        manager.cancel(run_id, forged)


def test_the_secret_is_never_stored_and_the_key_is_private(manager, root):
    secret, lin = learner("Lin", root)
    run_id = manager.submit(TrainConfig(**TINY), owner=lin)
    for path in root.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    key = root / owners.KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    assert owners.actor(secret, root=root).owner == lin.owner  # The same browser again (a reload, a second tab).
    assert store.get(run_id, root).owner() == (lin.owner, "Lin")


def test_refusals_are_logged_without_the_secret(manager, root, caplog):
    _, lin = learner("Lin", root)
    secret, other = learner("Max", root)
    run_id = manager.submit(TrainConfig(**TINY), owner=lin)
    with caplog.at_level(logging.INFO, logger="fmnist"), pytest.raises(owners.NotAllowed):
        manager.stop(run_id, other)
    assert f"Refused to stop run {run_id}" in caplog.text
    assert owners.describe(other.owner) in caplog.text and owners.describe(lin.owner) in caplog.text
    assert secret not in caplog.text and other.owner not in caplog.text  # Not even a whole hash.


def test_delete_of_a_run_checks_its_owner(root):
    _, lin = learner("Lin", root)
    _, other = learner("Max", root)
    run_id = finished_run(root, lin)
    for _ in range(2):
        with pytest.raises(owners.NotAllowed):
            compare.delete(run_id, root, actor=other)
    assert store.get(run_id, root)
    compare.delete(run_id, root, actor=lin)
    with pytest.raises(store.NoSuchRun):
        store.get(run_id, root)
    cli_run = store.create(TrainConfig(**TINY).resolved(), "cli", root)
    cli_run.update_status(status="finished")
    assert cli_run.owner() == ("cli", "")
    with pytest.raises(owners.NotAllowed):
        compare.delete(cli_run.id, root, actor=lin)  # A run of the command line is the command line's.
    compare.delete(cli_run.id, root, actor=owners.COMMAND_LINE)


def test_one_learner_has_at_most_the_limit_of_runs_at_once(root, monkeypatch):
    monkeypatch.setenv("FMNIST_MAX_RUNS_PER_LEARNER", "2")
    manager = jobs.JobManager(root=root, max_queue=10)
    manager.max_trainings = 0
    _, lin = learner("Lin", root)
    _, other = learner("Max", root)
    first, _second = manager.submit(TrainConfig(**TINY), owner=lin), manager.submit(TrainConfig(**TINY), owner=lin)
    with pytest.raises(jobs.TooManyRuns, match="You already have 2 runs queued or training") as refusal:
        manager.submit(TrainConfig(**TINY), owner=lin)
    assert refusal.value.limit == 2 and isinstance(refusal.value, jobs.QueueFull)
    again = owners.actor(secrets.token_hex(32), root=root)
    third = manager.submit(TrainConfig(**TINY), owner=other)  # Another learner still may, behind them.
    assert [manager.view(run).position for run in (first, _second, third)] == [1, 2, 3]
    for _ in range(3):
        manager.submit(TrainConfig(**TINY), owner=owners.COMMAND_LINE)  # The command line has no limit.
    assert manager.cancel(first, lin)
    manager.submit(TrainConfig(**TINY), owner=lin)  # A cancelled run frees its place.
    assert manager.submit(TrainConfig(**TINY), owner=again)
    assert [view.owner_name for view in manager.queue()][:3] == ["Lin", "Max", ""]
    manager.shutdown()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Lin", "Lin"),
        ("  Lin   Wei \n", "Lin Wei"),
        ("李\u202eevil\u200b name", "李 evil name"),  # Bidi override and zero width: format characters.
        ("a\x00b\x1bc\x7f", "a b c"),
        ("**bold** <b>x</b> [link](javascript:alert(1))", "**bold** <b>x</b> [link](javascript:alert(1))"[:32]),
        ("x" * 500, "x" * owners.NAME_LENGTH),
        (None, ""),
        (42, ""),
    ],
)
def test_display_names_are_cleaned_untrusted_text(given, kept):
    assert owners.clean_name(given) == kept


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_teacher_password_right_wrong_and_off(monkeypatch, root, caplog):
    gate = owners.TeacherGate(clock=Clock())
    monkeypatch.delenv("FMNIST_TEACHER_PASSWORD", raising=False)
    assert not owners.teacher_enabled()
    assert gate.attempt(PASSWORD, "a").refused  # No teacher mode: nothing to unlock.
    monkeypatch.setenv("FMNIST_TEACHER_PASSWORD", PASSWORD)
    with caplog.at_level(logging.INFO, logger="fmnist"):
        wrong = gate.attempt("guess", "a")
        gate.clock.now += 5
        right = gate.attempt(PASSWORD, "a")
    assert not wrong.ok and wrong.wait == 1.0
    assert right.ok and owners.is_teacher_token(right.token, root)
    assert PASSWORD not in caplog.text and "guess" not in caplog.text and right.token not in caplog.text
    for forged in (
        None,
        "",
        "teacher",
        True,
        right.token[:-1] + ("1" if right.token.endswith("0") else "0"),
        owners.owner_of(PASSWORD, root),
    ):
        assert not owners.is_teacher_token(forged, root)
        assert not owners.actor(secrets.token_hex(32), teacher_token=forged, root=root).teacher
    monkeypatch.setenv("FMNIST_TEACHER_PASSWORD", "a new password")
    assert not owners.is_teacher_token(right.token, root)  # A changed password ends every teacher session.
    monkeypatch.delenv("FMNIST_TEACHER_PASSWORD")
    assert not owners.is_teacher_token(right.token, root)


def test_wrong_teacher_passwords_are_slowed_down_per_session_and_for_the_server(monkeypatch):
    monkeypatch.setenv("FMNIST_TEACHER_PASSWORD", PASSWORD)
    clock = Clock()
    gate = owners.TeacherGate(clock=clock)
    waits = []
    for _ in range(8):
        attempt = gate.attempt("nope", "a")
        assert not attempt.ok and not attempt.refused
        waits.append(attempt.wait)
        assert gate.attempt(PASSWORD, "a").refused  # During the wait even the right password is not checked.
        clock.now += attempt.wait
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    assert gate.attempt(PASSWORD, "a").ok and gate.wait("a") == 0  # Success ends the session's wait.
    # New sessions do not buy new tries: past GLOBAL_FREE wrong tries on the server, everyone waits.
    for number in range(owners.TeacherGate.GLOBAL_FREE - 8):
        gate.attempt("nope", f"fresh-{number}")
    assert gate.wait("never-tried") > 0 and gate.attempt(PASSWORD, "never-tried").refused
    clock.now += owners.TeacherGate.GLOBAL_WINDOW + 1
    assert gate.wait("never-tried") == 0 and gate.attempt(PASSWORD, "never-tried").ok


def test_the_command_line_deletes_any_ended_run(root, capsys):
    from fmnist.cli import main

    _, lin = learner("Lin", root)
    ended = finished_run(root, lin)
    queued = store.create(TrainConfig(**TINY).resolved(), "page", root, owner=lin.owner)
    assert main(["runs", "--delete", ended]) == 0 and f"deleted run {ended}" in capsys.readouterr().out
    assert main(["runs", "--delete", queued.id]) == 2 and "still queued" in capsys.readouterr().err
    assert main(["runs", "--delete", "../../etc"]) == 2 and "No such run" in capsys.readouterr().err
    assert [run.id for run in store.list_runs(root)] == [queued.id]
