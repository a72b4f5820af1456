"""docs/protocol.md §2: Kafka record headers on a request are not read. Everything the runner needs
travels inside the envelope (``Request.headers`` included), so a request whose record carries
headers — arbitrary ones, or names the runner reads from the envelope (``idempotency-key``,
``traceparent``) — is answered exactly as the same request without them."""

from __future__ import annotations

from pathlib import Path

from mlbridge_runner.codec.envelopes import ReplyEnvelope, ReplyStatus, encode_request
from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, read_all, unique
from .runner_process import FIXTURES, RunnerProcess

ENVELOPE_TRACE = "0af7651916cd43dd8448eb211c80319c"
RECORD_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"

ARBITRARY = [
    ("x-tenant", b"acme"),
    ("x-tenant", b"other"),  # repeated name
    ("binary", bytes(range(256))),
    ("empty", b""),
    ("null-valued", None),
    ("deadline-ms", b"1"),  # the envelope's deadline (0: none) is the one that counts
    ("mlbridge-max-attempts", b"1"),  # read on job requests' envelopes only
    ("traceparent", f"00-{RECORD_TRACE}-00f067aa0ba902b7-01".encode()),
]


def _send(caller: Caller, pipeline: str, args: dict, record_headers: list | None, **overrides) -> ReplyEnvelope:
    request = caller.request(pipeline, args, **overrides)
    caller.send_raw(encode_request(request), key=request.id.encode(), headers=record_headers)
    return caller.wait(request.id)


def _answer(reply: ReplyEnvelope) -> tuple:
    """What the runner answered, without what differs between any two calls (id, runner, timings)."""
    error = None if reply.error is None else (reply.error.code, reply.error.type, reply.error.message, reply.error.retryable)
    return reply.status, reply.result, reply.result_schema, error, reply.progress


def test_arbitrary_record_headers_change_no_reply(caller: Caller) -> None:
    calls = [
        ("add", {"a": 40, "b": 2}),
        ("echo", {"value": {"nested": [1, "two", None]}}),
        ("fails", {"message": "no"}),
        ("add", {"a": "not a number"}),
        ("nope", {}),
    ]
    for pipeline, args in calls:
        plain = _send(caller, pipeline, args, None)
        headed = _send(caller, pipeline, args, ARBITRARY)
        assert _answer(headed) == _answer(plain), (pipeline, plain, headed)
    assert decode_value(_send(caller, "add", {"a": 40, "b": 2}, ARBITRARY).result) == 42


def test_an_idempotency_key_as_a_record_header_is_not_one(caller: Caller, tmp_path: Path) -> None:
    """Only the envelope's ``idempotency-key`` makes a repeat (§11); as a record header it is
    ignored and each call runs."""
    runs = tmp_path / "runs.txt"
    as_record = [("idempotency-key", b"record-key-1")]
    first = _send(caller, "counted", {"path": str(runs)}, as_record)
    second = _send(caller, "counted", {"path": str(runs)}, as_record)
    assert first.status is second.status is ReplyStatus.OK
    assert decode_value(first.result) != decode_value(second.result)
    assert len(runs.read_text().split()) == 2
    # Control: the same key in the envelope's headers is honoured.
    envelope = {"idempotency-key": "envelope-key-1"}
    once = _send(caller, "counted", {"path": str(runs)}, None, headers=envelope)
    again = _send(caller, "counted", {"path": str(runs)}, None, headers=envelope)
    assert decode_value(once.result) == decode_value(again.result)
    assert len(runs.read_text().split()) == 3


def test_a_traceparent_record_header_is_not_the_parent(brokers: str, tmp_path: Path) -> None:
    """Trace context is read from the envelope's headers (§15): with tracing on (a pipelines module
    that installs an OpenTelemetry provider), the reply's ``traceparent`` record header continues
    the envelope's trace, and a trace only in the request's record headers is not continued."""
    runner = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--partitions", "1",
        "--pipelines", str(FIXTURES / "traced_pipelines.py"), "--job-concurrency", "0",
        env={"MLBRIDGE_TEST_SPANS": str(tmp_path / "spans.jsonl")},
    )
    caller = Caller(brokers, runner.request_topic)
    record_header = [("traceparent", f"00-{RECORD_TRACE}-00f067aa0ba902b7-01".encode())]
    try:
        runner.wait_for("runner.assigned")
        in_envelope = _send(
            caller, "traced_step", {"n": 1}, record_header,
            headers={"traceparent": f"00-{ENVELOPE_TRACE}-b7ad6b7169203331-01"},
        )
        only_in_record = _send(caller, "traced_step", {"n": 2}, record_header, headers={})
        assert in_envelope.status is only_in_record.status is ReplyStatus.OK
        records = read_all(brokers, caller.reply_topic, 0, lambda found: len(found) >= 2)
        trace_of = {
            m.key().decode(): dict(m.headers() or [])["traceparent"].decode().split("-")[1] for m in records
        }
        assert trace_of[in_envelope.id] == ENVELOPE_TRACE
        assert trace_of[only_in_record.id] not in (RECORD_TRACE, ENVELOPE_TRACE)  # a new root
    finally:
        caller.close()
        runner.terminate()
