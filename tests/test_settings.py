"""fmnist.settings: every FMNIST_* variable's default, a set value and a bad one; the README's table; one reader."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fmnist import settings
from fmnist.settings import PROJECT_DIR

HOME = Path.home()
CORES = os.cpu_count() or 1

# accessor, variable, value when unset, [(text, value or the ValueError's message)]
CASES = [
    (settings.data_dir, "FMNIST_DATA_DIR", None, [("~/fm", HOME / "fm"), ("/data/fm", Path("/data/fm")), ("", None)]),
    (settings.allow_download, "FMNIST_ALLOW_DOWNLOAD", False, [("1", True), ("yes", False), ("0", False)]),
    (settings.cache_dir, "FMNIST_CACHE_DIR", HOME / ".cache" / "fmnist", [("~/c", HOME / "c"), ("/tmp/c", Path("/tmp/c"))]),
    (settings.model_dir, "FMNIST_MODEL_DIR", PROJECT_DIR / "models", [("~/m", HOME / "m")]),
    (settings.runs_dir, "FMNIST_RUNS_DIR", PROJECT_DIR / "runs", [("/srv/runs", Path("/srv/runs"))]),
    (settings.max_models, "FMNIST_MAX_MODELS", 100, [
        ("7", 7), (" ", 100),
        ("many", "FMNIST_MAX_MODELS must be a positive whole number, not 'many'."),
        ("0", "FMNIST_MAX_MODELS must be a positive whole number, not '0'."),
    ]),
    (settings.max_model_bytes, "FMNIST_MAX_MODEL_BYTES", 500 * 10**6, [
        ("1000", 1000), ("-5", "FMNIST_MAX_MODEL_BYTES must be a positive whole number, not '-5'."),
    ]),
    (settings.max_trainings, "FMNIST_MAX_TRAININGS", 1, [
        (" 3 ", 3), ("", 1),
        ("zero", "FMNIST_MAX_TRAININGS must be a whole number, not 'zero'."),
        ("0", "FMNIST_MAX_TRAININGS must be at least 1, not 0."),
    ]),
    (settings.backend, "FMNIST_BACKEND", "local",
     [("ray", "ray"), (" Ray ", "ray"), ("", "local"), ("slurm", "FMNIST_BACKEND must be one of local, ray, not 'slurm'.")]),
    (settings.max_queue, "FMNIST_MAX_QUEUE", 40, [("0", 0), ("-1", "FMNIST_MAX_QUEUE must be at least 0, not -1.")]),
    (settings.max_runs_per_learner, "FMNIST_MAX_RUNS_PER_LEARNER", 2, [
        ("1", 1), ("", 2), ("0", "FMNIST_MAX_RUNS_PER_LEARNER must be at least 1, not 0."),
    ]),
    (settings.teacher_password, "FMNIST_TEACHER_PASSWORD", None, [("", None), ("s3cret word", "s3cret word")]),
    (settings.max_train_seconds, "FMNIST_MAX_TRAIN_SECONDS", 1800, [
        ("60", 60), ("1.5", "FMNIST_MAX_TRAIN_SECONDS must be a whole number, not '1.5'."),
    ]),
    (settings.train_threads, "FMNIST_TRAIN_THREADS", CORES, [
        ("3", 3), ("0", CORES), ("", CORES), ("all", "FMNIST_TRAIN_THREADS must be a whole number, not 'all'."),
    ]),
    (settings.train_nice, "FMNIST_TRAIN_NICE", 19, [
        ("7", 7), ("low", "FMNIST_TRAIN_NICE must be a whole number, not 'low'."),
        ("", "FMNIST_TRAIN_NICE must be a whole number, not ''."),
    ]),
    (settings.train_idle, "FMNIST_TRAIN_IDLE", True, [("0", False), ("no", True), ("1", True)]),
    (settings.warm_up, "FMNIST_WARM_UP", True, [("0", False), ("false", True)]),
    (settings.log_level, "FMNIST_LOG_LEVEL", "INFO", [("debug", "DEBUG"), ("WARNING", "WARNING"), ("loud", "INFO"), ("", "INFO")]),
]  # fmt: skip


@pytest.mark.parametrize(("accessor", "name", "unset", "values"), CASES, ids=[case[1] for case in CASES])
def test_each_accessor_reads_its_variable_at_call_time(monkeypatch, accessor, name, unset, values):
    monkeypatch.delenv(name, raising=False)
    assert accessor() == unset
    for text, expected in values:
        monkeypatch.setenv(name, text)
        if isinstance(expected, str) and expected.startswith(name):
            with pytest.raises(ValueError, match=re.escape(expected)):
                accessor()
        else:
            assert accessor() == expected, text


def test_every_variable_has_an_accessor_case_and_is_declared_once():
    names = [variable.name for variable in settings.VARIABLES]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(case[1] for case in CASES)
    assert all(variable.meaning and variable.default for variable in settings.VARIABLES)


def source_files() -> list[Path]:
    return [
        *PROJECT_DIR.glob("fmnist/**/*.py"),
        *PROJECT_DIR.glob("pages/**/*.py"),
        PROJECT_DIR / "app.py",
        PROJECT_DIR / "server.py",
    ]


# Reading the environment (os.environ["X"], os.environ.get(X), os.getenv(X)), and naming a variable in a string.
READS = re.compile(r"environ\s*\[|environ\.get\(|getenv\(")
NAMES = re.compile(r"""["']FMNIST_""")


def reads_variables(source: str) -> bool:
    """Whether `source` reads the environment and names an FMNIST_* variable (literally or through a name)."""
    return bool(READS.search(source) and NAMES.search(source))


def test_only_settings_reads_fmnist_variables_from_the_environment():
    assert reads_variables('os.environ.get("FMNIST_X", "1")') and reads_variables("os.environ['FMNIST_X']")
    assert reads_variables('for name in ("FMNIST_A", "FMNIST_B"):\n    text = os.environ.get(name, "")')
    assert not reads_variables('{**os.environ, "FMNIST_RUNS_DIR": runs}')  # Passing the environment on is not reading it.
    readers = [str(path.relative_to(PROJECT_DIR)) for path in source_files() if reads_variables(path.read_text(encoding="utf-8"))]
    # snippets.py holds the text of a standalone script for learners (it looks for the dataset as the app does);
    # fmnist itself reads nothing there.
    assert sorted(readers) == ["fmnist/export/snippets.py", "fmnist/settings.py"]


def test_every_variable_the_code_names_is_declared():
    named = set()
    for path in source_files():
        named |= set(re.findall(r"FMNIST_[A-Z_]*[A-Z]", path.read_text(encoding="utf-8")))
    assert named <= {variable.name for variable in settings.VARIABLES}


def test_the_readme_shows_the_generated_table():
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- settings:start -->\n(.*?)\n?<!-- settings:end -->", readme, re.S)
    assert block, "README.md lacks the <!-- settings:start --> ... <!-- settings:end --> block"
    assert block.group(1).strip() == settings.markdown_table()


def test_the_module_prints_the_table():
    printed = subprocess.run(
        [sys.executable, "-m", "fmnist.settings"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    )
    assert printed.stdout.strip() == settings.markdown_table()
    assert printed.stdout.startswith("| variable | default | what it does |")
