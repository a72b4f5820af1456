"""Scenarios that spend most of their time waiting (a 25 s pipeline, a session timeout, a
transaction timeout). ``conftest.py`` starts them in background threads when the session begins,
so they overlap the rest of the tier; ``test_zz_long_scenarios.py`` (collected last) collects
their verdicts. Each function raises AssertionError on failure."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from mlbridge_runner.codec.envelopes import ReplyStatus, decode_reply
from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, create_topics, unique, wait_for_lag
from .runner_process import FIXTURES, RunnerProcess


def _fresh(brokers: str, partitions: int) -> tuple[str, str, Caller]:
    topic, group = unique("mlbt.long"), unique("mlbt.group")
    create_topics(brokers, {topic: partitions, topic + ".dlq": 1})
    return topic, group, Caller(brokers, topic)


def long_call_past_max_poll_interval(brokers: str, workdir: Path) -> dict[str, Any]:
    """--max-poll-interval-ms 10000 and a 25 s pipeline: one execution, no rebalance."""
    topic, group, caller = _fresh(brokers, 3)
    runs = workdir / "long-call-runs.txt"
    runner = RunnerProcess(brokers, topic, group, "--max-poll-interval-ms", "10000", log_level="debug")
    try:
        runner.wait_for("runner.assigned")
        started = time.monotonic()
        request_id = caller.send(caller.request("counted", {"path": str(runs), "seconds": 25.0}))
        reply = caller.wait(request_id, timeout=60)
        took = time.monotonic() - started
        assert reply.status is ReplyStatus.OK, reply.error
        assert len(runs.read_text().split()) == 1, "executed more than once"
        assert decode_value(reply.result) == runs.read_text().split()[0]
        assert took >= 25.0
        assert wait_for_lag(brokers, group, topic, 0) == 0
        events = runner.events()
        names = [e.get("event") for e in events]
        assert names.count("runner.assigned") == 1, names
        assert "runner.revoked" not in names and "runner.lost" not in names, names
        assert [e for e in events if e.get("event") == "call.received" and e.get("id") == request_id].__len__() == 1
        problems = [e for e in events if e.get("event") == "kafka.error"]
        assert not problems, problems
        return {"seconds": round(took, 1)}
    finally:
        runner.terminate()
        caller.close()


def _replies_for(brokers: str, topic: str, request_id: str, isolation: str, until: Any, timeout: float) -> list[Any]:
    consumer = Consumer(
        {"bootstrap.servers": brokers, "group.id": unique("reader"), "enable.auto.commit": False, "isolation.level": isolation}
    )
    consumer.assign([TopicPartition(topic, 0, 0)])
    found: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not until(found):
            msg = consumer.poll(0.1)
            if msg is not None and msg.error() is None:
                reply = decode_reply(msg.value())
                if reply.id == request_id:
                    found.append(reply)
    finally:
        consumer.close()
    return found


def killed_mid_transaction(brokers: str, workdir: Path) -> dict[str, Any]:
    """A transactional runner SIGKILLed with a reply written in an open transaction: read-committed
    readers never see that reply; the next runner re-runs the call and its reply is the only one."""
    topic, group, caller = _fresh(brokers, 1)
    # Each transaction held open 60 s once its records are written: a test-side wrapper of the runner.
    first = RunnerProcess(
        brokers, topic, group, "--transactional", "--transaction-timeout-ms", "2000",
        log_level="debug", launcher=(str(FIXTURES / "delayed_commit_runner.py"), "60000"),
    )
    second = None
    try:
        first.wait_for("runner.assigned")
        request_id = caller.send(caller.request("add", {"a": 41, "b": 1}))
        opened = first.wait_for("txn.open", timeout=20)
        assert request_id in opened["records"]
        # The reply is in the log, inside the open transaction.
        raw = _replies_for(brokers, caller.reply_topic, request_id, "read_uncommitted", lambda f: f, 10)
        assert len(raw) == 1 and raw[0].runner.split("/")[1] == str(first.proc.pid)
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(5)

        second = RunnerProcess(brokers, topic, group, "--transactional", log_level="debug")
        second_pid = str(second.proc.pid)
        started = time.monotonic()
        committed = _replies_for(
            brokers, caller.reply_topic, request_id, "read_committed",
            lambda f: any(r.runner.split("/")[1] == second_pid for r in f), 45,
        )
        took = time.monotonic() - started
        assert [r.runner.split("/")[1] for r in committed] == [second_pid], committed
        assert decode_value(committed[0].result) == 42
        assert wait_for_lag(brokers, group, topic, 0) == 0
        # Read again from the start once everything settled: still exactly one visible reply.
        again = _replies_for(brokers, caller.reply_topic, request_id, "read_committed", lambda f: False, 2)
        assert len(again) == 1
        return {"recovered_seconds": round(took, 1)}
    finally:
        first.terminate()
        if second is not None:
            second.terminate()
        caller.close()


def transactional_rebalance_replies_once(brokers: str, workdir: Path) -> dict[str, Any]:
    """Two --transactional runners, the second joining while calls run: every request has exactly
    one committed reply (calls finished on a revoked partition are dropped and re-run)."""
    topic, group, caller = _fresh(brokers, 4)
    first = RunnerProcess(brokers, topic, group, "--transactional", "--concurrency", "4", log_level="debug")
    second = None
    try:
        first.wait_for("runner.assigned")
        ids = []
        for n in range(60):
            ids.append(caller.send(caller.request("slow", {"seconds": 0.2, "value": n}), key=f"k{n}".encode()))
            if n == 10:
                second = RunnerProcess(brokers, topic, group, "--transactional", "--concurrency", "4", log_level="debug")
            time.sleep(0.05)
        assert second is not None
        first.wait_for("runner.revoked", timeout=30)
        values = [decode_value(caller.wait(i, timeout=60).result) for i in ids]
        assert values == list(range(60))
        assert wait_for_lag(brokers, group, topic, 0, timeout=20) == 0
        counts: dict[str, int] = {}
        consumer = Consumer(
            {"bootstrap.servers": brokers, "group.id": unique("reader"), "enable.auto.commit": False,
             "isolation.level": "read_committed"}
        )
        consumer.assign([TopicPartition(caller.reply_topic, 0, 0)])
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline and (len(counts) < len(ids) or time.monotonic() < deadline - 8):
                msg = consumer.poll(0.1)
                if msg is not None and msg.error() is None:
                    reply_id = decode_reply(msg.value()).id
                    counts[reply_id] = counts.get(reply_id, 0) + 1
        finally:
            consumer.close()
        assert set(counts) == set(ids) and set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
        dropped = sum(1 for e in first.events() if e.get("event") == "txn.dropped")
        served_by_second = sum(1 for i in ids if caller.replies[i].runner.split("/")[1] == str(second.proc.pid))
        return {"calls": len(ids), "served_by_second": served_by_second, "dropped_after_revoke": dropped}
    finally:
        first.terminate()
        if second is not None:
            second.terminate()
        caller.close()


SCENARIOS = {
    "long_call_past_max_poll_interval": long_call_past_max_poll_interval,
    "killed_mid_transaction": killed_mid_transaction,
    "transactional_rebalance_replies_once": transactional_rebalance_replies_once,
}
