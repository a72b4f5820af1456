"""Poison messages: a request whose execution kills the runner process (a segfault in native code,
``os._exit``, the OOM killer) must not take down the whole fleet in turn.

Kafka redelivers the unfinished records of a dead runner's partitions to the next owner, which
would run the fatal one again and die too. So deliveries are counted durably, in the compacted
topic ``<requestTopic>.deliveries`` (key ``topic/partition/offset``, value the count as text), and a
request that runners have already died on ``--max-deliveries`` times goes to the dead-letter topic
with reason ``poison``; its caller gets ``POISON_MESSAGE``.

Why only a window after each assignment, not every call: the steady-state hot path must not gain a
synchronous produce per call. A record a dead owner may have been running is always one its new
owner reads first: at offsets from the partition's committed offset on, a span bounded by what the
old owner ran since its last commit (auto-commit every second). Nor past the partition's end at
assignment: what was written later, no dead owner can have run. So the new owner counts the records
it reads of each newly assigned partition below that end (at most ``WINDOW`` of them) — one produce
per record, one flush per polled batch, before any of them runs — and nothing after. Steady state:
no lookup at all; a rebalance with no backlog: one watermark query per partition.

Why suspects run alone: the calls running beside the fatal one die with it and are redelivered
too. A record counted before (``count >= 1``) is a suspect: the loop waits until everything before
it is finished and committed, counts it, runs it with nothing else running, and commits it. The
next death is then attributable to that record alone, and innocent bystanders are never counted
past the first, shared death.

Why a graceful handover takes its counts back: records this runner counted but never started (still
queued when a rebalance revoked their partition) did not kill anybody; left counted, the next owner
would take each for a suspect and run them one at a time. So the revoke writes their previous count
back before the partition changes hands. Only for a revoke: a lost partition's next owner may have
read and raised the count already, and lowering it then would delay the poison verdict.

Why ``count >= max - 1`` is enough: the delivery to the first runner that died was in steady state,
uncounted. A record with ``max - 1`` counted deliveries has been delivered ``max`` times.

Process isolation does not need this: a worker process's death is a ``WorkerDied`` reply
(processes.py) and the runner lives on. It still guards the runner's own death there (OOM killer).
"""

from __future__ import annotations

import time
from typing import Any, Final

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from .. import events
from ..logging import WARNING, log_event

SUFFIX: Final = ".deliveries"
#: Records counted after each assignment of a partition. Must cover what a dead owner ran past its
#: last commit: ~1 s of its calls (auto-commit interval) plus its in-flight ones.
WINDOW: Final = 20_000
#: Compacted (one count per record) and aged out: a count matters for minutes, not weeks.
TOPIC_CONFIG: Final = {"cleanup.policy": "compact,delete", "retention.ms": str(7 * 24 * 3600 * 1000)}
CATCH_UP_SECONDS: Final = 5.0
FLUSH_SECONDS: Final = 10.0

#: Verdicts of :meth:`DeliveryCounts.screen` (``None``: not in a window, run as usual).
COUNTED: Final = "counted"  # first counted delivery: runs with the batch
SUSPECT: Final = "suspect"  # counted before: runs alone, counted just before it starts
POISON: Final = "poison"  # runners died on it max times: dead-lettered


def deliveries_topic_for(request_topic: str) -> str:
    return f"{request_topic}{SUFFIX}"


def key_of(topic: str, partition: int, offset: int) -> bytes:
    return f"{topic}/{partition}/{offset}".encode()


def _partition_of(key: bytes) -> tuple[str, int]:
    topic, partition, _ = key.decode().rsplit("/", 2)
    return topic, int(partition)


class DeliveryCounts:
    """Loop-thread only. ``reader_settings``: consumer settings (the group is dropped: the topic is
    read whole, by assignment)."""

    def __init__(
        self, reader_settings: dict[str, Any], producer: Producer, topic: str, max_deliveries: int, window: int = WINDOW
    ) -> None:
        self._topic = topic
        self._producer = producer
        self._max = max_deliveries
        self._window = window
        settings = {k: v for k, v in reader_settings.items() if k not in ("group.id", "group.instance.id")}
        self._reader = Consumer(
            {
                **settings,
                "group.id": f"{topic}.reader",  # required by the client; never joined (assign only)
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "auto.offset.reset": "earliest",
            }
        )
        self._counts: dict[bytes, int] = {}
        #: The count each record had before this runner counted it (see ``uncount``).
        self._before: dict[bytes, int] = {}
        self._positions: dict[int, int] = {}
        self._partitions: list[int] = []
        #: Partition → end of its counting window (offset), ``None`` until its first record is read.
        self._windows: dict[tuple[str, int], int | None] = {}
        self._stale = True

    def start(self, timeout: float = 10.0) -> None:
        topic = self._reader.list_topics(self._topic, timeout=timeout).topics.get(self._topic)
        if topic is None or topic.error is not None or not topic.partitions:
            raise KafkaException(KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART, f"no topic {self._topic}"))
        self._partitions = sorted(topic.partitions)
        self._reader.assign([TopicPartition(self._topic, p, OFFSET_BEGINNING) for p in self._partitions])

    def close(self) -> None:
        self._producer.flush(FLUSH_SECONDS)
        self._reader.close()

    # ------------------------------------------------------------------ assignment

    @property
    def active(self) -> bool:
        """Some partition is still in its counting window."""
        return bool(self._windows)

    def assigned(self, keys: list[tuple[str, int]]) -> None:
        for key in keys:
            try:
                low, high = self._reader.get_watermark_offsets(TopicPartition(*key), timeout=CATCH_UP_SECONDS, cached=False)
            except KafkaException:
                self._windows[key] = None  # unknown end: the first WINDOW records read
                continue
            if high > low:
                self._windows[key] = high
        if keys:
            self._stale = True  # the previous owners' counts must be read before judging

    def revoked(self, keys: set[tuple[str, int]]) -> None:
        for key in keys:
            self._windows.pop(key, None)
        self._before = {k: v for k, v in self._before.items() if _partition_of(k) not in keys}

    def uncount(self, records: set[tuple[str, int, int]]) -> None:
        """Give back the counts this runner added to ``records`` (never started: a revoke took them
        from the queue), so their next owner does not take them for suspects. Call before ``revoked``."""
        restored = 0
        for topic, partition, offset in records:
            key = key_of(topic, partition, offset)
            before = self._before.pop(key, None)
            if before is None:
                continue
            self._counts[key] = before
            self._send(key, str(before).encode() if before else None)
            restored += 1
        if restored:
            self._flush()

    # ------------------------------------------------------------------ judging

    def count(self, msg: Message) -> int:
        return self._counts.get(key_of(msg.topic(), msg.partition(), msg.offset()), 0)  # type: ignore[arg-type]

    def screen(self, batch: list[Message]) -> list[str | None]:
        """A verdict per message; counts (and flushes) the first deliveries before returning."""
        verdicts: list[str | None] = []
        produced = 0
        for msg in batch:
            verdict = None
            if msg.error() is None:
                key = (msg.topic(), msg.partition())
                if key in self._windows:
                    offset = msg.offset()
                    assert offset is not None
                    end = self._windows[key]  # type: ignore[index]
                    if end is None or end > offset + self._window:
                        end = self._windows[key] = offset + self._window  # type: ignore[index]
                    if offset >= end:
                        del self._windows[key]  # type: ignore[arg-type]
                    else:
                        if self._stale:
                            self._catch_up()
                        seen = self.count(msg)
                        if seen >= self._max - 1:
                            verdict = POISON
                        elif seen >= 1:
                            verdict = SUSPECT
                        else:
                            verdict = COUNTED
                            self._produce(msg, 1)
                            produced += 1
            verdicts.append(verdict)
        if produced:
            self._flush()
        return verdicts

    def record(self, msg: Message) -> None:
        """Count one more delivery of ``msg`` and wait until the count is stored."""
        self._produce(msg, self.count(msg) + 1)
        self._flush()

    # ------------------------------------------------------------------ Kafka

    def _produce(self, msg: Message, count: int) -> None:
        key = key_of(msg.topic(), msg.partition(), msg.offset())  # type: ignore[arg-type]
        self._before.setdefault(key, self._counts.get(key, 0))
        self._counts[key] = count
        self._send(key, str(count).encode())

    def _send(self, key: bytes, value: bytes | None) -> None:
        """``None``: a tombstone (the record was never counted before this runner's count)."""
        while True:
            try:
                self._producer.produce(self._topic, key=key, value=value)
                return
            except BufferError:
                self._producer.poll(0.05)

    def _flush(self) -> None:
        left = self._producer.flush(FLUSH_SECONDS)
        if left:  # the call runs anyway: an uncounted death only delays the poison verdict
            log_event(WARNING, events.KAFKA_ERROR, error=f"{left} delivery counts not stored", topic=self._topic)

    def _catch_up(self) -> None:
        """Read the topic up to its current end (the previous owners flushed before running)."""
        deadline = time.monotonic() + CATCH_UP_SECONDS
        highs: dict[int, int] = {}
        try:
            for partition in self._partitions:
                highs[partition] = self._reader.get_watermark_offsets(
                    TopicPartition(self._topic, partition), timeout=CATCH_UP_SECONDS, cached=False
                )[1]
        except KafkaException as exc:
            log_event(WARNING, events.KAFKA_ERROR, error=str(exc), topic=self._topic)
            return
        while any(self._positions.get(p, 0) < high for p, high in highs.items()):
            if time.monotonic() >= deadline:
                log_event(WARNING, events.KAFKA_ERROR, error="delivery counts not read to the end", topic=self._topic)
                return
            msg = self._reader.poll(0.1)
            if msg is None or msg.error() is not None:
                continue
            key, value, partition, offset = msg.key(), msg.value(), msg.partition(), msg.offset()
            if key is not None and partition is not None and offset is not None:
                if value is None:
                    self._counts.pop(key, None)
                else:
                    self._counts[key] = max(self._counts.get(key, 0), int(value))
                self._positions[partition] = offset + 1
        self._stale = False
