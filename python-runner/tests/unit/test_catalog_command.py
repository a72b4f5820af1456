"""``python -m mlbridge_runner catalog ...`` without a broker: the dump codegen reads, and every
usage error (none of these cases contacts a broker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlbridge_runner.catalog.command import main
from mlbridge_runner.catalog.entries import CatalogKind, decode_record, encode_entry, entry_from_wire
from mlbridge_runner.cli import main as cli_main
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.contract import schema_ref

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
REPO = PACKAGE_ROOT.parent
TYPED = REPO / "test" / "fixtures" / "typed_pipelines.py"
TYPED_V2 = REPO / "test" / "fixtures" / "typed_pipelines_v2.py"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "mlbridge_runner", "catalog", *args], capture_output=True, text=True, env=env, timeout=60
    )


def dumped(path: Path) -> list[dict]:
    done = run_cli("--pipelines", str(path), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_json_dump_of_the_typed_fixture():
    entries = dumped(TYPED)
    names = [e["name"] for e in entries]
    assert names == sorted(names)
    assert {"typed_train", "typed_echo", "typed_add", "typed_weigh", "typed_nothing"} <= set(names)
    fields = {f["name"] for f in wire_schemas().catalog.raw["fields"]}
    for shown in entries:
        assert set(shown) == {"key", *fields}
        assert shown["key"] == f"pipeline/{shown['name']}/1"
        assert shown["kind"] == "PIPELINE" and shown["version"] == 1 and shown["typed"] is True
        # The text is the schema of the ref: a reader (codegen, the TS catalogue) can trust both.
        assert schema_ref(json.loads(shown["argsSchema"])) == shown["argsRef"]
        assert schema_ref(json.loads(shown["resultSchema"])) == shown["resultRef"]
        # The same object is a valid catalogue record.
        entry = entry_from_wire({k: v for k, v in shown.items() if k != "key"})
        assert decode_record(shown["key"], encode_entry(entry))[1] == entry
    add = next(e for e in entries if e["name"] == "typed_add")
    assert add["doc"] == "Add two integers."
    assert json.loads(add["argsSchema"])["fields"] == [
        {"name": "a", "type": "long"},
        {"name": "b", "type": "long", "default": 0},
    ]
    assert json.loads(add["resultSchema"]) == "long"


def test_json_dump_of_version_2():
    entries = {e["name"]: e for e in dumped(TYPED_V2)}
    assert entries["typed_add"]["key"] == "pipeline/typed_add/2"
    assert [f["name"] for f in json.loads(entries["typed_add"]["argsSchema"])["fields"]] == ["a", "b", "c"]


def test_untyped_pipelines_are_dumped_too():
    entries = {e["name"]: e for e in dumped(PACKAGE_ROOT / "tests" / "fixtures" / "pipelines.py")}
    echo = entries["echo"]
    assert echo["typed"] is False
    assert echo["argsRef"] == echo["resultRef"] == wire_schemas().value.reference
    assert echo["argsSchema"] == echo["resultSchema"] == ""
    assert entries["slow"]["timeoutMs"] == 60_000


def test_text_dump():
    done = run_cli("--pipelines", str(TYPED))
    assert done.returncode == 0, done.stderr
    assert "pipeline  typed_add v1  typed  args crc64:" in done.stdout
    assert "Add two integers." in done.stdout


def test_through_the_main_cli(tmp_path, capsys):
    # `python -m mlbridge_runner catalog` goes to the sub-command, not to the runner's parser.
    assert cli_main(["catalog"]) == 2
    assert "give --pipelines" in capsys.readouterr().err


def test_missing_pipelines_file(capsys):
    assert main(["--pipelines", "/nonexistent/p.py"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_pipelines_file_that_fails(tmp_path, capsys):
    bad = tmp_path / "bad_catalog_pipelines.py"
    bad.write_text("raise RuntimeError('broken on purpose')\n")
    assert main(["--pipelines", str(bad)]) == 2
    assert "broken on purpose" in capsys.readouterr().err


def test_unsupported_annotation_is_a_usage_error(tmp_path):
    odd = tmp_path / "odd_pipelines.py"
    odd.write_text("from mlbridge_runner import pipeline\n\n@pipeline\ndef odd(x: complex) -> int:\n    return 0\n")
    done = run_cli("--pipelines", str(odd), "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert "odd" in done.stderr and "complex" in done.stderr  # raised at registration, named


def test_no_pipelines_registered(tmp_path, capsys):
    empty = tmp_path / "empty_catalog_pipelines.py"
    empty.write_text("X = 1\n")
    from mlbridge_runner import Registry

    assert main(["--pipelines", str(empty)], registry=Registry()) == 2
    assert "no pipelines registered" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, problem",
    [
        ([], "give --pipelines"),
        (["retire", "add"], "VERSION"),
        (["retire", "add", "zero"], "VERSION must be an integer >= 1, got 'zero'"),
        (["retire", "add", "0"], "VERSION must be an integer >= 1, got '0'"),
        (["list", "--catalog-topic", "bad topic!"], "not a valid Kafka topic name"),
        (["--pipelines", "p.py", "list"], "--pipelines does not go with 'list'"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors(argv, problem, capsys):
    assert main(argv) == 2
    assert problem in capsys.readouterr().err


def test_help(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--pipelines" in out and "list" in out and "retire" in out


def test_kinds_are_the_schema_symbols():
    symbols = wire_schemas().catalog.raw["fields"][0]["type"]["symbols"]
    assert [k.value for k in CatalogKind] == symbols


# ---------------------------------------------------------------------------- the runner's option


def test_runner_catalog_topic_option_and_env(monkeypatch):
    from mlbridge_runner.cli import parse_args

    assert parse_args(["--pipelines", "p.py"]).catalog_topic == "ml.pipeline.catalog"
    monkeypatch.setenv("MLBRIDGE_CATALOG_TOPIC", "team.catalog")
    assert parse_args(["--pipelines", "p.py"]).catalog_topic == "team.catalog"
    assert parse_args(["--pipelines", "p.py", "--catalog-topic", "x.catalog"]).catalog_topic == "x.catalog"


def test_runner_refuses_a_bad_catalog_topic(tmp_path, capsys):
    from mlbridge_runner import Registry

    registry = Registry()
    registry.register(lambda: None, "noop")
    ok = tmp_path / "ok_catalog_pipelines.py"
    ok.write_text("X = 1\n")
    assert cli_main(["--pipelines", str(ok), "--catalog-topic", "no spaces allowed"], registry=registry) == 2
    assert "catalog topic 'no spaces allowed' is not a valid Kafka topic name" in capsys.readouterr().err


def test_config_validates_the_catalog_topic():
    from mlbridge_runner.config import RunnerConfig
    from mlbridge_runner.errors import ConfigError

    assert RunnerConfig().catalog_topic == "ml.pipeline.catalog"
    with pytest.raises(ConfigError, match="catalog topic"):
        RunnerConfig(catalog_topic="").validate()
