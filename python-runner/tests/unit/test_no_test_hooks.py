"""The installed runner carries no test-only behaviour: no ``MLBRIDGE_TEST_*`` switch, no config
field for tests. Tests that need a different runner wrap it from the test side
(``tests/fixtures/delayed_commit_runner.py``)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import mlbridge_runner
from mlbridge_runner.config import RunnerConfig

PACKAGE = Path(mlbridge_runner.__file__).resolve().parent


def test_no_test_env_switch_in_the_package():
    hits = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"MLBRIDGE_TEST|[Tt]ests? only", line)
    ]
    assert hits == []


def test_no_config_field_for_tests():
    names = [f.name for f in dataclasses.fields(RunnerConfig)]
    assert "transactional" in names  # the real fields are there
    assert [n for n in names if n.startswith("test")] == []
