"""The command line, in-process (no broker is contacted: every case stops before the runner)."""

import gc
import json
import logging
import sys

import pytest

from mlbridge_runner import Registry
from mlbridge_runner import cli
from mlbridge_runner import logging as runner_logging
from mlbridge_runner.cli import EXIT_MISSING_DEPENDENCIES, EXIT_USAGE, main


def test_missing_dependencies_exit_3_with_one_clear_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "confluent_kafka", None)  # makes the import fail
    assert main(["--pipelines", str(tmp_path / "p.py")]) == EXIT_MISSING_DEPENDENCIES
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "confluent-kafka" in err[0] and "pip install confluent-kafka fastavro" in err[0]
    assert "npx mlbridge setup-python" in err[0]


def test_missing_file(capsys):
    assert main(["--pipelines", "/nonexistent/pipelines.py"], registry=Registry()) == EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err


def test_missing_module(capsys):
    assert main(["--pipelines", "no_such_module_anywhere"], registry=Registry()) == EXIT_USAGE
    assert "no_such_module_anywhere" in capsys.readouterr().err


def test_file_that_fails_to_import(tmp_path, capsys):
    bad = tmp_path / "bad_pipelines.py"
    bad.write_text("raise RuntimeError('broken on purpose')\n")
    assert main(["--pipelines", str(bad)], registry=Registry()) == EXIT_USAGE
    assert "broken on purpose" in capsys.readouterr().err


def test_no_pipelines_registered(tmp_path, capsys):
    empty = tmp_path / "empty_pipelines.py"
    empty.write_text("X = 1\n")
    assert main(["--pipelines", str(empty)], registry=Registry()) == EXIT_USAGE
    assert "no pipelines registered" in capsys.readouterr().err


def test_bad_log_level(tmp_path, capsys):
    assert main(["--pipelines", "x.py", "--log-level", "chatty"], registry=Registry()) == EXIT_USAGE
    assert "log level" in capsys.readouterr().err


def test_bad_concurrency(tmp_path, capsys):
    registry = Registry()
    registry.register(lambda: None, "noop")
    ok = tmp_path / "ok_pipelines.py"
    ok.write_text("X = 1\n")
    assert main(["--pipelines", str(ok), "--concurrency", "0"], registry=registry) == EXIT_USAGE
    assert "concurrency" in capsys.readouterr().err


def test_pipelines_is_required(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


@pytest.fixture
def restore_logger():
    logger = logging.getLogger(runner_logging.LOGGER_NAME)
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_json_lines_logs_are_quiet_by_default(capsys, monkeypatch, restore_logger):
    monkeypatch.delenv(runner_logging.ENV_LEVEL, raising=False)
    runner_logging.configure(None)
    runner_logging.log_event(runner_logging.DEBUG, "call.received", id="x")
    runner_logging.log_event(runner_logging.INFO, "runner.started", pipelines=["a"], runner="h/1/ab")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["event"] == "runner.started" and entry["level"] == "info" and entry["pipelines"] == ["a"]
    assert entry["ts"].endswith("+00:00")


def test_log_level_from_environment(capsys, monkeypatch, restore_logger):
    monkeypatch.setenv(runner_logging.ENV_LEVEL, "debug")
    runner_logging.configure(None)
    runner_logging.log_event(runner_logging.DEBUG, "call.received", id="x")
    assert json.loads(capsys.readouterr().err)["id"] == "x"
    assert runner_logging.resolve_level("warning") == logging.WARNING
    assert runner_logging.resolve_level("WARN") == logging.WARNING  # the TS spelling, same env variable


def test_pipelines_by_module_name(tmp_path, monkeypatch):
    (tmp_path / "mlbt_module_pipelines.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from mlbridge_runner.loading import load_pipelines

    load_pipelines("mlbt_module_pipelines")
    assert sys.modules["mlbt_module_pipelines"].LOADED is True
    monkeypatch.delitem(sys.modules, "mlbt_module_pipelines")


def test_pipelines_file_may_import_its_neighbours(tmp_path, monkeypatch):
    (tmp_path / "mlbt_helper.py").write_text("VALUE = 42\n")
    (tmp_path / "mlbt_file_pipelines.py").write_text("from mlbt_helper import VALUE\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    from mlbridge_runner.loading import load_pipelines

    load_pipelines(str(tmp_path / "mlbt_file_pipelines.py"))
    assert sys.modules["mlbt_file_pipelines"].VALUE == 42
    for name in ("mlbt_helper", "mlbt_file_pipelines"):
        monkeypatch.delitem(sys.modules, name)


@pytest.mark.parametrize(
    "extra, expected",
    [
        (["--isolation", "fork"], "invalid choice"),
        (["--idempotency-cache", "-1"], "idempotency cache"),
        (["--idempotency-ttl-seconds", "0"], "idempotency ttl"),
        (["--transaction-timeout-ms", "10"], "transaction timeout"),
    ],
)
def test_bad_new_options(tmp_path, capsys, extra, expected):
    ok = tmp_path / "ok_pipelines.py"
    ok.write_text("def f():\n    return 1\n")
    registry = Registry()
    registry.register(lambda: 1, "f")
    try:
        code = main(["--pipelines", str(ok), *extra], registry=registry)
    except SystemExit as exit_:  # argparse refuses a choice itself
        code = exit_.code
    assert code == EXIT_USAGE
    assert expected in capsys.readouterr().err


def test_process_isolation_needs_the_default_registry(tmp_path, capsys):
    ok = tmp_path / "ok_pipelines.py"
    ok.write_text("X = 1\n")
    registry = Registry()
    registry.register(lambda: 1, "f")
    assert main(["--pipelines", str(ok), "--isolation", "process"], registry=registry) == EXIT_USAGE
    assert "--isolation process" in capsys.readouterr().err


def test_warnings_are_logged_with_the_typescript_spelling(capsys: pytest.CaptureFixture[str]) -> None:
    runner_logging.configure("info")
    runner_logging.log_event(logging.WARNING, "test.warned", detail=1)
    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["level"] == "warn" and entry["event"] == "test.warned" and entry["detail"] == 1


def test_the_runner_process_freezes_what_it_loaded_and_collects_young_objects_less_often():
    before = gc.get_threshold()
    try:
        assert gc.get_freeze_count() == 0
        cli._tune_gc()
        assert gc.get_freeze_count() > 1000  # the interpreter, pytest and the runner's modules
        assert gc.get_threshold() == (cli.GC_YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
