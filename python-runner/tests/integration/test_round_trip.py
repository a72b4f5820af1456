import math

from mlbridge_runner.codec.envelopes import ReplyStatus
from mlbridge_runner.codec.value import decode_value

from .kafka_client import wait_for_lag


def result_of(reply):
    assert reply.status is ReplyStatus.OK, reply.error
    return decode_value(reply.result)


def test_echo_round_trips_every_value_type(caller):
    value = {
        "null": None,
        "yes": True,
        "no": False,
        "zero": 0,
        "minus": -1,
        "beyond_js": 2**53 + 1,
        "int64": [-(2**63), 2**63 - 1],
        "double": 1.5,
        "whole_double": 1.0,
        "specials": [math.inf, -math.inf],
        "text": ["", "héllo wörld", "🙂🚀", "数据"],
        "bytes": [b"", bytes(range(256))],
        "empty": [[], {}],
        "nested": {"a": [1, {"b": [None, "c", b"\x00"]}]},
    }
    reply = caller.invoke("echo", {"value": value})
    got = result_of(reply)
    assert got == value
    assert type(got["whole_double"]) is float and type(got["zero"]) is int and got["yes"] is True
    assert reply.runner.count("/") == 2
    assert reply.timings.received_at_ms <= reply.timings.started_at_ms <= reply.timings.finished_at_ms


def test_nan_round_trips(caller):
    assert math.isnan(result_of(caller.invoke("echo", {"value": math.nan})))


def test_keyword_arguments_and_defaults(caller):
    assert result_of(caller.invoke("add", {"a": 2, "b": 40})) == 42
    assert result_of(caller.invoke("add", {"a": 2})) == 2


def test_offsets_are_committed_while_running(brokers, runner, caller):
    for i in range(20):
        caller.send(caller.request("add", {"a": i}))
    assert result_of(caller.invoke("add", {"a": 99})) == 99
    assert wait_for_lag(brokers, runner.group, runner.request_topic, 0) == 0
