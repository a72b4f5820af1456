import dataclasses
import re
import os
import time
import uuid

import pytest

from mlbridge_runner.codec.envelopes import ReplyStatus

MALICIOUS_NAMES = [
    "__import__('os').system('touch {marker}')",
    "os.system",
    "eval",
    "builtins.exec",
    "exec",
    "touch ",  # a registered name with trailing whitespace
    " touch",
    "Touch",
]


def error_of(reply, code):
    assert reply.status is ReplyStatus.ERROR, reply
    assert reply.error is not None and reply.error.code == code, reply.error
    return reply.error


def test_unknown_pipeline_names_the_request_and_the_registered(caller):
    error = error_of(caller.invoke("no_such_pipeline"), "UNKNOWN_PIPELINE")
    assert "'no_such_pipeline'" in error.message
    assert "echo" in error.message and "touch" in error.message


@pytest.mark.parametrize("template", MALICIOUS_NAMES)
def test_names_are_looked_up_never_evaluated(caller, tmp_path, template):
    marker = tmp_path / f"marker-{uuid.uuid4().hex}"
    name = template.format(marker=marker)
    error = error_of(caller.invoke(name, {"path": str(marker)}), "UNKNOWN_PIPELINE")
    assert repr(name) in error.message
    time.sleep(0.05)
    assert not marker.exists()


def test_raising_pipeline_gives_type_traceback_and_causes(caller):
    error = error_of(caller.invoke("fails", {"message": "bad rows"}), "PIPELINE_ERROR")
    assert error.type == "pipelines.DataError"
    assert error.message == "bad rows"
    assert "Traceback" in error.traceback and "DataError: bad rows" in error.traceback
    assert [(c.type, c.message) for c in error.causes] == [("KeyError", "'missing'")]
    assert error.retryable is False
    # and the runner is still serving
    assert caller.invoke("add", {"a": 1, "b": 1}).status is ReplyStatus.OK


@pytest.mark.parametrize(
    ("args", "named"),
    [({}, "a"), ({"a": 1, "c": 3}, "c"), ({"a": "one"}, "a"), ({"a": True}, "a")],
)
def test_invalid_arguments_name_the_argument_and_nothing_runs(caller, args, named):
    error = error_of(caller.invoke("add", args), "INVALID_ARGUMENTS")
    assert repr(named) in error.message


def test_arguments_must_be_a_map(caller):
    error = error_of(caller.invoke("add", [1, 2]), "INVALID_ARGUMENTS")
    assert "must be a map" in error.message


def test_unsupported_args_schema(caller):
    error = error_of(caller.invoke("add", {"a": 1}, args_schema="registry:7"), "INVALID_ARGUMENTS")
    assert "registry:7" in error.message


def test_expired_deadline_is_not_run(caller, tmp_path):
    marker = tmp_path / "should-not-exist"
    past = int(time.time() * 1000) - 1000
    error_of(caller.invoke("touch", {"path": str(marker)}, deadline_ms=past), "DEADLINE_EXCEEDED")
    assert not marker.exists()


def test_future_deadline_runs(caller, tmp_path):
    marker = tmp_path / "exists"
    future = int(time.time() * 1000) + 60_000
    assert caller.invoke("touch", {"path": str(marker)}, deadline_ms=future).status is ReplyStatus.OK
    assert marker.exists()


def test_unencodable_result(caller):
    error = error_of(caller.invoke("unencodable"), "RESULT_NOT_ENCODABLE")
    assert "result.ok[2]" in error.message and "set" in error.message


def test_time_limit(caller):
    started = time.monotonic()
    error = error_of(caller.invoke("sleeps_past_limit", {"seconds": 3.0}), "PIPELINE_TIMEOUT")
    assert time.monotonic() - started < 2.5
    assert "0.5" in error.message
    assert caller.invoke("add", {"a": 1}).status is ReplyStatus.OK


def test_pid_is_the_runner_s(caller, runner):
    reply = caller.invoke("add", {"a": 1})
    assert reply.runner.split("/")[1] == str(runner.proc.pid)
    assert os.getpid() != runner.proc.pid


def test_result_larger_than_the_broker_accepts(caller):
    error = error_of(caller.invoke("big", {"size": 2_000_000}), "RESULT_TOO_LARGE")
    size = int(re.search(r"(\d+) bytes encoded", error.message).group(1))
    assert 2_000_000 < size < 2_001_000
    assert "the limit is 1000000 bytes" in error.message
    assert caller.invoke("big", {"size": 10}).status is ReplyStatus.OK


def test_hostile_nesting_in_arguments_is_refused(caller):
    from mlbridge_runner.codec.value import ARRAY

    nested = bytes([ARRAY << 1, 2]) * 200_000
    request = dataclasses.replace(caller.request("echo"), args=nested)
    reply = caller.wait(caller.send(request))
    error = error_of(reply, "INVALID_ARGUMENTS")
    assert "deeper" in error.message
    assert caller.invoke("add", {"a": 1}).status is ReplyStatus.OK
