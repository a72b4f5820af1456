"""docs/protocol.md §12 and §8: delivery of a reply is retried only while its deadline is ahead, and
the request is committed whether or not its reply got through.

A runner whose reply producer times out after 1 s (test/fixtures/protocol/short_reply_timeout_runner.py)
answers two calls to a reply topic that does not exist yet; the topic is created 1.5 s later. The
call with a 20 s deadline gets its reply (the first attempt timed out; the retry found the topic);
the call whose deadline passed before its first attempt failed gets none, and the runner logs
``reply.failed`` for it."""

from __future__ import annotations

import time

from mlbridge_runner.codec.envelopes import ReplyStatus, decode_reply
from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, create_topics, read_all, unique, wait_for_lag
from .runner_process import PACKAGE_ROOT, RunnerProcess

WRAPPER = PACKAGE_ROOT.parent / "test" / "fixtures" / "protocol" / "short_reply_timeout_runner.py"
REPLY_TIMEOUT_MS = 1000


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def test_a_reply_is_retried_while_its_deadline_is_ahead_and_only_then(brokers: str) -> None:
    runner = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--partitions", "1", "--job-concurrency", "0",
        launcher=(str(WRAPPER), str(REPLY_TIMEOUT_MS)),
    )
    caller = Caller(brokers, runner.request_topic)
    late_topic = unique("mlbt.replies")  # created only after the replies were first tried
    try:
        runner.wait_for("runner.assigned")
        sent = _now_ms()
        patient = caller.request("add", {"a": 20, "b": 22}, reply_to=late_topic, deadline_ms=sent + 20_000)
        hasty = caller.request("add", {"a": 1, "b": 1}, reply_to=late_topic, deadline_ms=sent + 900)
        caller.send(patient)
        caller.send(hasty)
        # The hasty call's one attempt fails once its deadline has passed: no retry.
        failed = runner.wait_for("reply.failed", timeout=10, id=hasty.id)
        assert "timed out" in failed["error"].lower(), failed
        time.sleep(max(0.0, (sent + 1500 - _now_ms()) / 1000))
        create_topics(brokers, {late_topic: 1})
        created = _now_ms()

        records = read_all(brokers, late_topic, 0, lambda found: len(found) >= 1, timeout=10)
        time.sleep(2)  # anything else the runner still had for this topic would be there by now
        records = read_all(brokers, late_topic, 0, lambda found: False, timeout=2)
        replies = [decode_reply(m.value()) for m in records]
        assert [r.id for r in replies] == [patient.id], replies
        reply = replies[0]
        assert reply.status is ReplyStatus.OK and decode_value(reply.result) == 42, reply.error
        # Answered well before the topic existed: the reply that arrived is a retry, the first
        # attempt (1 s message timeout) having expired with no topic to go to.
        assert created - reply.timings.finished_at_ms > REPLY_TIMEOUT_MS, (created, reply.timings)
        assert not [e for e in runner.events() if e.get("event") == "reply.failed" and e.get("id") == patient.id]
        # Both requests are committed, the one whose reply was lost included (§8).
        assert wait_for_lag(brokers, runner.group, runner.request_topic, 0) == 0
    finally:
        caller.close()
        runner.terminate()
