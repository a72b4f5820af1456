"""docs/protocol.md §13: with ``--transactional`` runners, only a ``read_committed`` reader of a reply
topic is shielded from replies of aborted transactions; a ``read_uncommitted`` reader (the Java
consumer's default) sees the aborted reply as well as the committed one: a duplicate.

A transactional runner is SIGKILLed with its reply written inside an open transaction (the test-side
wrapper python-runner/tests/fixtures/delayed_commit_runner.py holds each transaction open); the
broker aborts that transaction after ``--transaction-timeout-ms``; a second runner re-runs the call
and commits its reply."""

from __future__ import annotations

import signal
import time
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from mlbridge_runner.codec.envelopes import ReplyEnvelope, decode_reply
from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, create_topics, unique, wait_for_lag
from .runner_process import FIXTURES, RunnerProcess


def _replies(brokers: str, topic: str, isolation: str, until: Any, timeout: float) -> list[ReplyEnvelope]:
    consumer = Consumer(
        {"bootstrap.servers": brokers, "group.id": unique("reader"), "enable.auto.commit": False,
         "isolation.level": isolation}
    )
    consumer.assign([TopicPartition(topic, 0, 0)])
    found: list[ReplyEnvelope] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not until(found):
            msg = consumer.poll(0.1)
            if msg is not None and msg.error() is None:
                found.append(decode_reply(msg.value()))
    finally:
        consumer.close()
    return found


def _pid(reply: ReplyEnvelope) -> int:
    return int(reply.runner.split("/")[1])


def test_a_read_uncommitted_reader_sees_the_aborted_reply_a_read_committed_one_does_not(brokers: str) -> None:
    topic, group = unique("mlbt.requests"), unique("mlbt.group")
    create_topics(brokers, {topic: 1})
    caller = Caller(brokers, topic)
    killed = RunnerProcess(
        brokers, topic, group, "--transactional", "--transaction-timeout-ms", "1000", "--job-concurrency", "0",
        log_level="debug", launcher=(str(FIXTURES / "delayed_commit_runner.py"), "60000"),
    )
    survivor = None
    try:
        killed.wait_for("runner.assigned")
        request_id = caller.send(caller.request("add", {"a": 41, "b": 1}))
        assert request_id in killed.wait_for("txn.open", timeout=20)["records"]
        killed.proc.send_signal(signal.SIGKILL)
        killed.proc.wait(5)

        survivor = RunnerProcess(brokers, topic, group, "--transactional", "--job-concurrency", "0")
        committed = _replies(brokers, caller.reply_topic, "read_committed", lambda found: bool(found), 45)
        assert wait_for_lag(brokers, group, topic, 0, timeout=15) == 0
        # Everything has settled: read the whole topic again both ways.
        committed = _replies(brokers, caller.reply_topic, "read_committed", lambda found: False, 3)
        uncommitted = _replies(brokers, caller.reply_topic, "read_uncommitted", lambda found: False, 3)

        assert [(r.id, _pid(r)) for r in committed] == [(request_id, survivor.proc.pid)], committed
        assert decode_value(committed[0].result) == 42
        assert sorted((r.id, _pid(r)) for r in uncommitted) == sorted(
            [(request_id, killed.proc.pid), (request_id, survivor.proc.pid)]
        ), uncommitted
        assert [decode_value(r.result) for r in uncommitted] == [42, 42]
    finally:
        caller.close()
        killed.terminate()
        if survivor is not None:
            survivor.terminate()
