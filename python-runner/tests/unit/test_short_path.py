"""The consume loop's short path (``Runner._serve_short``): once a pipeline runs on the loop thread,
its calls skip the general path — and every call the short path does not take must still get the
general path's answer. Driven through ``Runner._iterate`` with stand-ins for the consumer and the
producers; the real Kafka behaviour is covered by tests/integration."""

import time
import uuid

import pytest

from mlbridge_runner import error_codes
from mlbridge_runner.codec.envelopes import ReplyStatus, RequestEnvelope, decode_reply, encode_request
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import decode_value, encode_value
from mlbridge_runner.config import RunnerConfig
from mlbridge_runner.registry import Registry
from mlbridge_runner.runner import loop
from mlbridge_runner.runner.dispatch import Dispatcher, execute, run_untyped
from mlbridge_runner.runner.idempotency import HEADER as IDEMPOTENCY_HEADER
from mlbridge_runner.runner.inline import PROBATION

TOPIC = "requests"
REPLY_TO = "replies"
REF = wire_schemas().value.reference


class Message:
    def __init__(self, value, offset):
        self._value, self._offset = value, offset

    def error(self):
        return None

    def value(self):
        return self._value

    def topic(self):
        return TOPIC

    def partition(self):
        return 0

    def offset(self):
        return self._offset


class Consumer:
    def __init__(self):
        self.batches = []
        self.stored = []

    def poll(self, timeout):
        return self.batches[0][0] if self.batches else None

    def consume(self, num_messages, timeout):
        return self.batches.pop(0)[1:]

    def store_offsets(self, offsets):
        self.stored.extend((tp.partition, tp.offset) for tp in offsets)

    def pause(self, partitions):
        pass

    def resume(self, partitions):
        pass

    def assignment(self):
        return []


class Producer:
    """Delivery reported at the next poll, as librdkafka does."""

    def __init__(self):
        self.replies = []
        self._callbacks = []

    def produce_batch(self, topic, messages):
        for message in messages:
            self.replies.append(decode_reply(message["value"]))
            self._callbacks.append(message["callback"])
        return len(messages)

    def produce(self, topic, value, key, on_delivery):
        self.replies.append(decode_reply(value))
        self._callbacks.append(on_delivery)

    def poll(self, timeout):
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(None, None)
        return len(callbacks)

    def flush(self, timeout):
        return self.poll(timeout)


def echo(payload=None):
    return payload


def flaky(mode=None):
    """Fast while promoted; then ``mode`` makes it fail as a pipeline can."""
    if mode == "raise":
        raise ValueError("no")
    if mode == "object":
        return object()
    return mode


@pytest.fixture
def runner():
    registry = Registry()
    registry.register(echo, "echo")
    registry.register(flaky, "flaky")
    r = loop.Runner(RunnerConfig(request_topic=TOPIC), registry, identity="test/1/short")
    r.wire(Consumer(), Producer(), bulk_producer=Producer())
    r._tracker.assign([(TOPIC, 0)])
    r._next_offset = 0
    yield r
    r._pool.close()


def _request(pipeline="echo", args=None, **fields):
    return RequestEnvelope(
        id=str(uuid.uuid4()), pipeline=pipeline, args=encode_value({} if args is None else args) if not isinstance(args, bytes) else args,
        args_schema=fields.pop("args_schema", REF), reply_to=REPLY_TO, **fields,
    )


def _serve(runner, requests):
    """Feed ``requests`` as one consumed batch; wait for the pool; return their replies by id."""
    batch = []
    for request in requests:
        batch.append(Message(encode_request(request), runner._next_offset))
        runner._next_offset += 1
    runner._consumer.batches.append(batch)
    runner._iterate()
    deadline = time.monotonic() + 10
    while runner._pool.active and time.monotonic() < deadline:
        time.sleep(0.001)
    runner._service()
    runner._service()  # delivery reports of replies produced by the first
    replies = runner._producer.replies + runner._bulk_producer.replies
    runner._producer.replies, runner._bulk_producer.replies = [], []
    return {reply.id: reply for reply in replies}


def _promote(runner, pipeline="echo"):
    """Probation on the pool, then the trial on the loop thread: calls from then on take the short path."""
    for _ in range(3 * PROBATION):
        _serve(runner, [_request(pipeline, {"payload": 1} if pipeline == "echo" else {})])
    assert runner._inline.allows(runner.registry[pipeline])


def _short_path_taken(runner, request):
    taken = []
    original = loop.Runner._dispatch

    def dispatch(self, *args, **kwargs):
        taken.append(False)
        return original(self, *args, **kwargs)

    loop.Runner._dispatch = dispatch
    try:
        replies = _serve(runner, [request])
    finally:
        loop.Runner._dispatch = original
    return (not taken), replies[request.id]


def test_a_promoted_pipeline_takes_the_short_path_and_answers_as_before(runner):
    _promote(runner)
    request = _request(args={"payload": b"x" * 100})
    short, reply = _short_path_taken(runner, request)
    assert short
    assert reply.status is ReplyStatus.OK and decode_value(reply.result) == b"x" * 100
    assert reply.result_schema == REF and reply.runner == "test/1/short"
    assert reply.timings.received_at_ms <= reply.timings.started_at_ms <= reply.timings.finished_at_ms
    assert runner._consumer.stored[-1] == (0, runner._next_offset)  # its offset is stored after delivery


@pytest.mark.parametrize(
    "request_fields, code",
    [
        ({"args": {"payload": 1, "extra": 2}}, error_codes.INVALID_ARGUMENTS),
        ({"args": b"\x0e\x02"}, error_codes.INVALID_ARGUMENTS),  # undecodable args
        ({"args": [1, 2]}, error_codes.INVALID_ARGUMENTS),  # not a map
        ({"args_schema": "crc64:0011223344556677"}, error_codes.INVALID_ARGUMENTS),
        ({"deadline_ms": 1}, error_codes.DEADLINE_EXCEEDED),
        ({"pipeline": "nope"}, error_codes.UNKNOWN_PIPELINE),
    ],
)
def test_calls_to_refuse_go_to_the_general_path_which_answers_them(runner, request_fields, code):
    _promote(runner)
    fields = dict(request_fields)
    request = _request(fields.pop("pipeline", "echo"), fields.pop("args", {"payload": 1}), **fields)
    short, reply = _short_path_taken(runner, request)
    assert not short
    assert reply.status is ReplyStatus.ERROR and reply.error.code == code
    short, reply = _short_path_taken(runner, _request(args={"payload": 2}))
    assert short and reply.status is ReplyStatus.OK  # the next good call still takes the short path


def test_an_idempotency_key_goes_to_the_general_path(runner):
    _promote(runner)
    request = _request(args={"payload": 1}, headers={IDEMPOTENCY_HEADER: "k1"})
    short, reply = _short_path_taken(runner, request)
    assert not short and reply.status is ReplyStatus.OK
    repeat = _request(args={"payload": 2}, headers={IDEMPOTENCY_HEADER: "k1"})
    _, answer = _short_path_taken(runner, repeat)
    assert decode_value(answer.result) == 1  # the stored outcome of the first call, not a new run


@pytest.mark.parametrize("mode, code", [("raise", error_codes.PIPELINE_ERROR), ("object", error_codes.RESULT_NOT_ENCODABLE)])
def test_a_failing_call_on_the_short_path_gets_the_same_error_as_on_the_general_one(runner, mode, code):
    _promote(runner, "flaky")
    short, reply = _short_path_taken(runner, _request("flaky", {"mode": mode}))
    assert short
    assert reply.status is ReplyStatus.ERROR and reply.error.code == code
    general = execute(runner._dispatcher.prepare(_request("flaky", {"mode": mode}))).error
    assert (general.code, general.type, general.message) == (reply.error.code, reply.error.type, reply.error.message)


def test_a_replaced_pipeline_leaves_the_short_path_until_prepared_again(runner):
    _promote(runner)
    del runner.registry["echo"]
    runner.registry.register(lambda payload=None: ["new", payload], "echo")
    assert runner._dispatcher.untyped_plan("echo") is None
    short, reply = _short_path_taken(runner, _request(args={"payload": 3}))
    assert not short and decode_value(reply.result) == ["new", 3]  # the new function, prepared afresh
    assert runner._dispatcher.untyped_plan("echo")[0] is runner.registry["echo"]


def test_run_untyped_is_execute_for_plain_pipelines():
    registry = Registry()
    registry.register(echo, "echo")
    registry.register(flaky, "flaky")
    dispatcher = Dispatcher(registry, REF)
    for name, args in [("echo", {"payload": [1, "a"]}), ("flaky", {"mode": "raise"}), ("flaky", {"mode": "object"})]:
        call = dispatcher.prepare(_request(name, args))
        a, b = execute(call), run_untyped(registry[name].fn, call.kwargs, call.received_at_ms)
        assert (a.result, a.error and (a.error.code, a.error.type, a.error.message)) == (
            b.result, b.error and (b.error.code, b.error.type, b.error.message)
        )


def test_untyped_plan_only_for_prepared_untyped_pipelines():
    registry = Registry()
    registry.register(echo, "echo")
    dispatcher = Dispatcher(registry, REF)
    assert dispatcher.untyped_plan("echo") is None  # not prepared yet
    dispatcher.prepare(_request("echo", {}))
    pipeline, binder = dispatcher.untyped_plan("echo")
    assert pipeline is registry["echo"] and binder.bind({"payload": 1}) == {"payload": 1}
    assert dispatcher.untyped_plan("other") is None
    del registry["echo"]
    assert dispatcher.untyped_plan("echo") is None  # the registry no longer has it
