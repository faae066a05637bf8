"""`python -m fmnist train --seeds 0,1,2`: the same settings once per seed, recorded as one group."""

import json

import pytest

from fmnist.cli import build_parser, main, train_options
from fmnist.runs import groups, table
from tests.test_cli import run_cli


@pytest.mark.parametrize(
    ("seeds", "says"), [("x", "'x' is not a whole number"), ("1,1", "1 is given twice"), ("", "comma-separated")]
)
def test_bad_seeds_are_refused_by_the_parser_with_a_clear_message(seeds, says, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["train", "--seeds", seeds])
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert "argument --seeds" in error and says in error and "Traceback" not in error


@pytest.mark.parametrize(
    ("extra", "says"), [(["--seed", "4"], "either --seed or --seeds"), (["--name", "m"], "--seeds trains several models")]
)
def test_seeds_refuse_a_single_seed_or_a_single_name(extra, says, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_RUNS_DIR", str(tmp_path))
    assert main(["train", "--seeds", "0,1", *extra]) == 2
    assert says in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # Nothing was recorded.


def test_each_seed_makes_the_same_config_but_for_its_seed():
    args = build_parser().parse_args(["train", "--epochs", "2", "--seeds", "3,1"])
    configs = train_options.train_configs(args)
    assert [c.seed for c in configs] == [3, 1]
    assert configs[0].to_dict() | {"seed": 1} == configs[1].to_dict() and configs[0].epochs == 2


@pytest.mark.slow
def test_train_with_seeds_records_one_group(tmp_path):
    result = run_cli(
        "train", "--epochs", "1", "--limit", "600", "--seeds", "0,1", "--json", env={"FMNIST_RUNS_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    report = lines[-1]
    assert report["seeds"] == [0, 1] and len(report["runs"]) == 2 and [line["run"] for line in lines[:-1]] == report["runs"]
    assert report["test_accuracy"]["mean"] == pytest.approx(sum(line["test_accuracy"] for line in lines[:-1]) / 2)
    assert report["test_accuracy"]["sd"] is not None and report["train_seconds"]["mean"] > 0
    rows = table.rows(tmp_path)
    assert {r["group"] for r in rows} == {report["group"]} and sorted(r["seed"] for r in rows) == [0, 1]
    (group,) = groups.group_rows(rows)
    assert group["n"] == 2 and group["seeds"] == "0, 1"
