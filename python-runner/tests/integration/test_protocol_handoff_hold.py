"""docs/protocol.md §14, holding a call to hand on: while a live runner lists the pipeline but owns
no partition this runner can reach, a refused call is held off the consume thread — at most 20 s,
never past its deadline, at most 1,000 at once — then the refusal is answered.

Real runners in one group on a one-partition request topic: A (the fixture pipelines) owns the
partition; B (test/fixtures/protocol/handoff_only_here.py, the only one with ``counted_once``)
joined second and owns none, for longer than the bound."""

from __future__ import annotations

import time

from mlbridge_runner.codec.envelopes import ReplyEnvelope, ReplyStatus, encode_request
from mlbridge_runner.codec.value import decode_value
from mlbridge_runner.presence.records import decode_presence, presence_topic_for

from .kafka_client import Caller, create_topics, read_all, unique
from .runner_process import PACKAGE_ROOT, RunnerProcess

ONLY_HERE = PACKAGE_ROOT.parent / "test" / "fixtures" / "protocol" / "handoff_only_here.py"
HOLD_MS = 20_000
MAX_HELD = 1000


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _refused_at(reply: ReplyEnvelope) -> int:
    assert reply.status is ReplyStatus.ERROR and reply.error.code == "UNKNOWN_PIPELINE", (reply.status, reply.error)
    return reply.timings.received_at_ms  # a refusal's timings are the moment of refusal


def test_held_calls_are_answered_at_the_bound_the_deadline_or_at_once_past_the_cap(brokers: str, tmp_path) -> None:
    topic, group = unique("mlbt.requests"), unique("mlbt.group")
    create_topics(brokers, {topic: 1})
    common = ("--presence-interval", "0.5", "--job-concurrency", "0")
    a = RunnerProcess(brokers, topic, group, *common, log_level="debug")
    a.wait_for("runner.assigned")
    b = RunnerProcess(brokers, topic, group, "--pipelines", str(ONLY_HERE), *common)
    caller = Caller(brokers, topic)
    runs = tmp_path / "runs.txt"
    try:
        # B is live, lists counted_once, and owns no partition.
        def b_announced(messages: list) -> bool:
            return any(
                m.value() is not None and decode_presence(m.value()).pid == b.proc.pid
                and "counted_once" in decode_presence(m.value()).pipelines for m in messages
            )

        read_all(brokers, presence_topic_for(topic), 0, b_announced, timeout=30)

        def produce(request) -> str:
            caller.producer.produce(topic, value=encode_request(request), key=request.id.encode())
            return request.id

        args = {"path": str(runs)}
        sent = _now_ms()
        with_deadline = produce(caller.request("counted_once", args, deadline_ms=sent + 8_000))
        held = [produce(caller.request("counted_once", args)) for _ in range(MAX_HELD - 1)]
        past_cap = [produce(caller.request("counted_once", args)) for _ in range(3)]
        other = produce(caller.request("add", {"a": 1, "b": 2}))
        caller.producer.flush(10)
        sent_all = _now_ms()
        assert sent_all - sent < 4_000, "producing the calls took too long for the timings below"

        # The consume loop is not blocked by the held calls; past the cap, refusals are answered at once.
        ran = caller.wait(other, timeout=10)
        assert ran.status is ReplyStatus.OK and decode_value(ran.result) == 3, ran.error
        for request_id in past_cap:
            assert _refused_at(caller.wait(request_id, timeout=10)) - sent_all < 5_000
        assert a.wait_for("call.held", id=held[0])
        # A deadline shorter than the bound ends the hold at the deadline, not past it.
        at = _refused_at(caller.wait(with_deadline, timeout=20))
        assert sent + 8_000 - 300 <= at <= sent + 8_000 + 1_500, at - sent
        # The others are held for the bound, then refused.
        times = [_refused_at(caller.wait(request_id, timeout=40)) for request_id in held]
        assert min(times) >= sent + HOLD_MS - 300, min(times) - sent
        assert max(times) <= sent_all + HOLD_MS + 3_000, max(times) - sent
        assert a.wait_for("call.not_handed_on", id=held[-1], reason="no runner that has it could be reached in time")
        assert not runs.exists()  # B never got any of them
    finally:
        caller.close()
        a.terminate()
        b.terminate()
