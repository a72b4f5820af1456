"""Undecodable messages go to <request-topic>.dlq with headers; the runner keeps serving."""

import time

import pytest

from mlbridge_runner.codec.envelopes import ReplyStatus, encode_request
from mlbridge_runner.codec.framing import MAGIC

from .kafka_client import read_all, wait_for_lag

REQUIRED_HEADERS = {
    "mlbridge.dlq.reason",
    "mlbridge.dlq.error",
    "mlbridge.source.topic",
    "mlbridge.source.partition",
    "mlbridge.source.offset",
    "mlbridge.dlq.at",
}


def _headers(msg):
    return {name: (value or b"").decode() for name, value in (msg.headers() or [])}


def _dead_letter_with_marker(brokers, runner, marker: bytes):
    found = read_all(
        brokers,
        runner.request_topic + ".dlq",
        0,
        stop=lambda msgs: any(m.key() == marker for m in msgs),
    )
    matching = [m for m in found if m.key() == marker]
    assert matching, f"no dead letter keyed {marker!r}; runner log:\n{runner.log_text()}"
    return matching[0]


def _good_request_bytes(caller):
    return encode_request(caller.request("echo", {"value": "x" * 50}))


CASES = {
    "garbage": (lambda c: b"this is not avro at all", "bad-magic"),
    "wrong-magic": (lambda c: b"\xc3\x02" + _good_request_bytes(c)[2:], "bad-magic"),
    "unknown-fingerprint": (lambda c: MAGIC + b"\x00" * 8 + _good_request_bytes(c)[10:], "unknown-fingerprint"),
    "too-short": (lambda c: MAGIC + b"\x01\x02", "frame-too-short"),
    "empty": (lambda c: b"", "empty-message"),
    "truncated-body": (lambda c: _good_request_bytes(c)[:-30], "undecodable-body"),
    "trailing-bytes": (lambda c: _good_request_bytes(c) + b"\x00", "undecodable-body"),
    "huge-declared-length": (lambda c: MAGIC + _good_request_bytes(c)[2:10] + b"\xfe\xff\xff\xff\x0f", "undecodable-body"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_message_goes_to_dead_letters(brokers, runner, caller, case):
    build, reason = CASES[case]
    marker = f"dlq-{case}-{time.monotonic_ns()}".encode()
    payload = build(caller)
    caller.send_raw(payload, key=marker, headers=[("origin", b"test")])
    dead = _dead_letter_with_marker(brokers, runner, marker)
    headers = _headers(dead)
    assert REQUIRED_HEADERS <= set(headers)
    assert headers["mlbridge.dlq.reason"] == reason
    assert headers["mlbridge.dlq.error"]
    assert headers["mlbridge.source.topic"] == runner.request_topic
    assert int(headers["mlbridge.source.offset"]) >= 0
    assert abs(int(headers["mlbridge.dlq.at"]) - time.time() * 1000) < 60_000
    assert headers["origin"] == "test"
    assert (dead.value() or b"") == payload
    # still serving good calls
    assert caller.invoke("add", {"a": 20, "b": 22}).status is ReplyStatus.OK


def test_truncated_request_with_readable_id_gets_an_error_reply(brokers, runner, caller):
    request = caller.request("echo", {"value": "hello"})
    caller.send_raw(encode_request(request)[:-5], key=b"readable-id")
    reply = caller.wait(request.id)
    assert reply.status is ReplyStatus.ERROR and reply.error.code == "UNDECODABLE_REQUEST"
    _dead_letter_with_marker(brokers, runner, b"readable-id")


def test_invalid_reply_topic_goes_to_dead_letters(brokers, runner, caller):
    request = caller.request("echo", {"value": 1}, reply_to="not a topic!")
    marker = b"bad-reply-to"
    caller.send_raw(encode_request(request), key=marker)
    assert _headers(_dead_letter_with_marker(brokers, runner, marker))["mlbridge.dlq.reason"] == "invalid-reply-to"


def test_reply_to_a_vanished_topic_does_not_block(runner, caller):
    lost = caller.send(caller.request("echo", {"value": 1}, reply_to="mlbt.nobody-listens-here"))
    assert caller.invoke("add", {"a": 1}).status is ReplyStatus.OK
    failed = runner.wait_for("reply.failed", timeout=15, id=lost)
    assert failed["topic"] == "mlbt.nobody-listens-here"


def test_dead_letters_and_failed_replies_are_committed(brokers, runner, caller):
    """Runs last in this module: every message above, good or bad, ends up committed."""
    assert caller.invoke("add", {"a": 1}).status is ReplyStatus.OK
    assert wait_for_lag(brokers, runner.group, runner.request_topic, 0) == 0
