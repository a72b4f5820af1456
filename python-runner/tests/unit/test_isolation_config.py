import pytest

from mlbridge_runner.config import RunnerConfig
from mlbridge_runner.errors import ConfigError
from mlbridge_runner.runner.processes import _describe_exit


def test_isolation_is_validated():
    RunnerConfig(isolation="process", pipeline_specs=("p.py",)).validate()
    with pytest.raises(ConfigError, match="isolation"):
        RunnerConfig(isolation="fork").validate()
    with pytest.raises(ConfigError, match="--pipelines"):
        RunnerConfig(isolation="process").validate()


def test_idempotency_settings_are_validated():
    RunnerConfig(idempotency_cache=0).validate()
    with pytest.raises(ConfigError):
        RunnerConfig(idempotency_cache=-1).validate()
    with pytest.raises(ConfigError):
        RunnerConfig(idempotency_ttl_seconds=0).validate()


def test_exit_descriptions():
    assert _describe_exit(-11) == "was killed by signal SIGSEGV"
    assert _describe_exit(7) == "exited with code 7"
    assert _describe_exit(None) == "stopped answering"
