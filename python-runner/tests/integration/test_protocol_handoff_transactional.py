"""docs/protocol.md §14, hand-on with ``--transactional``: a transactional runner that lacks a
pipeline forwards the call inside the transaction that commits the original's offset. Killed before
that transaction commits, it leaves neither a visible forward nor a committed original, so the call
runs exactly once — on the runner that has the pipeline, after the group hands it the dead runner's
partition. (Were the forward produced outside the transaction, it would run twice: once from the
forward, once from the uncommitted original.)

Runner A: ``--transactional``, the fixture pipelines, each transaction held open 60 s once written
(python-runner/tests/fixtures/delayed_commit_runner.py). Runner B: test/fixtures/protocol/handoff_only_here.py,
the only one with ``counted_once``. One group, two partitions, one each."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from mlbridge_runner.codec.envelopes import ReplyStatus, encode_request
from mlbridge_runner.codec.value import decode_value
from mlbridge_runner.presence.records import decode_presence, presence_topic_for

from .kafka_client import Caller, create_topics, read_all, unique
from .runner_process import FIXTURES, PACKAGE_ROOT, RunnerProcess

ONLY_HERE = PACKAGE_ROOT.parent / "test" / "fixtures" / "protocol" / "handoff_only_here.py"
HOPS = "mlbridge-handoff-hops"


def _owners(brokers: str, request_topic: str, pids: set[int]) -> dict[int, tuple[int, ...]]:
    """pid → call partitions, once every runner in ``pids`` has published some."""
    owned: dict[int, tuple[int, ...]] = {}

    def settled(messages: list[Any]) -> bool:
        for m in messages:
            if m.value() is not None:
                record = decode_presence(m.value())
                owned[record.pid] = record.call_partitions
        return set(owned) >= pids and all(owned[p] for p in pids) and sum(len(owned[p]) for p in pids) == 2

    read_all(brokers, presence_topic_for(request_topic), 0, settled, timeout=40)
    assert settled([]), owned
    return owned


def _committed_to_end(brokers: str, group: str, topic: str, partition: int, timeout: float = 20.0) -> bool:
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": False})
    deadline = time.monotonic() + timeout
    try:
        while True:
            (committed,) = consumer.committed([TopicPartition(topic, partition)], timeout=10)
            _, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            if committed.offset == high or time.monotonic() > deadline:
                return committed.offset == high
            time.sleep(0.2)
    finally:
        consumer.close()


def _records(brokers: str, topic: str, partition: int, isolation: str, seconds: float) -> list[Any]:
    consumer = Consumer(
        {"bootstrap.servers": brokers, "group.id": unique("reader"), "enable.auto.commit": False,
         "isolation.level": isolation}
    )
    consumer.assign([TopicPartition(topic, partition, 0)])
    found: list[Any] = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            msg = consumer.poll(0.1)
            if msg is not None and msg.error() is None:
                found.append(msg)
    finally:
        consumer.close()
    return found


def test_a_hand_on_inside_an_aborted_transaction_runs_the_call_once(brokers: str, tmp_path: Path) -> None:
    topic, group = unique("mlbt.requests"), unique("mlbt.group")
    create_topics(brokers, {topic: 2})
    runs = tmp_path / "runs.txt"
    common = ("--presence-interval", "0.5", "--job-concurrency", "0", "--max-poll-interval-ms", "20000")
    a = RunnerProcess(
        brokers, topic, group, "--transactional", "--transaction-timeout-ms", "1000", *common, log_level="debug",
        launcher=(str(FIXTURES / "delayed_commit_runner.py"), "60000"),
    )
    a.wait_for("runner.assigned")
    b = RunnerProcess(brokers, topic, group, "--pipelines", str(ONLY_HERE), *common, log_level="debug")
    caller = Caller(brokers, topic)
    try:
        owners = _owners(brokers, topic, {a.proc.pid, b.proc.pid})
        (a_partition,), (b_partition,) = owners[a.proc.pid], owners[b.proc.pid]

        request = caller.request("counted_once", {"path": str(runs)})
        caller.producer.produce(topic, value=encode_request(request), key=request.id.encode(), partition=a_partition)
        caller.producer.flush(10)
        handed = a.wait_for("call.handed_on", timeout=20, id=request.id)
        assert handed["partition"] == b_partition, handed
        opened = a.wait_for("txn.open", timeout=20)
        assert opened["records"] == [f"handoff:{topic}/{b_partition}"], opened
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait(5)

        reply = caller.wait(request.id, timeout=45)
        assert reply.status is ReplyStatus.OK, reply.error
        assert decode_value(reply.result) == b.proc.pid
        # The original is committed on A's old partition (B's only holds the aborted forward and its
        # transaction marker, which count in a watermark lag without being records to commit).
        assert _committed_to_end(brokers, group, topic, a_partition)
        time.sleep(1)
        assert runs.read_text().split() == [str(b.proc.pid)]  # ran once
        # The forward was written, in A's transaction, and aborted with it.
        written = [m for m in _records(brokers, topic, b_partition, "read_uncommitted", 3) if m.key() == request.id.encode()]
        assert [dict(m.headers() or {}).get(HOPS) for m in written] == [b"1"], written
        visible = [m for m in _records(brokers, topic, b_partition, "read_committed", 3) if m.key() == request.id.encode()]
        assert visible == []
    finally:
        caller.close()
        a.terminate()
        b.terminate()
