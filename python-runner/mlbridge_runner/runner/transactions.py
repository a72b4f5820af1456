"""Transactional replies (``--transactional``): a reply and its request's offset commit are one
Kafka transaction, so a caller reading committed records (kafkajs's default, librdkafka's
``isolation.level=read_committed``) sees each reply at most once even when a runner crashes.

- Every record the runner writes for a request (the reply, a dead letter) goes into an *outbox*
  instead of straight to the producer. Once per loop iteration the outbox commits, in one
  transaction, the records whose offsets have become committable together with those offsets
  (``send_offsets_to_transaction`` with the consumer's group metadata, so a zombie of an old
  generation is fenced).
- Offsets are committed in order per partition (the :class:`OffsetTracker`): a reply whose request
  sits behind a still-running one on the same partition is *held* until the earlier one finishes,
  then both go out in the same transaction. The price is head-of-line delay within a partition;
  the gain is that a reply is never visible without its offset being committed.
- A runner killed mid-transaction leaves an open transaction that the broker aborts after
  ``transaction.timeout.ms`` (``--transaction-timeout-ms``, default 10 s; the broker checks every
  10 s by default). Read-committed readers of the affected reply partitions wait for that abort
  (the last stable offset cannot pass an open transaction): keep the timeout short.
- Results of calls on a partition that was revoked are dropped, not replied: the new owner runs
  them again and replies in its own transaction.
- Progress reports are not part of it: they go out at once through a plain producer.

Loop thread only, except :meth:`TransactionalOutbox.add`.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from .. import events
from ..codec.envelopes import ReplyEnvelope, ReplyStatus, encode_reply
from ..logging import DEBUG, WARNING, enabled, log_event
from .dlq import DeadLetters
from ..transport.config import PRODUCER_MAX_MESSAGE_BYTES
from .failures import result_too_large_error
from .offsets import OffsetTracker, Ticket
from .replies import ReplySender, error_reply, kafka_error_fields

Key = tuple[str, int]

_RETRIABLE = {KafkaError._MSG_TIMED_OUT, KafkaError._TRANSPORT, KafkaError.REQUEST_TIMED_OUT, KafkaError._PURGE_QUEUE}
_MAX_ATTEMPTS = 3
RETRY_BACKOFF_SECONDS = 0.5


@dataclass(eq=False)
class Record:
    topic: str
    value: bytes | None
    key: bytes | None = None
    headers: list[Any] | None = None
    #: The reply this record carries (None for a dead letter): an oversized OK reply is replaced
    #: by a RESULT_TOO_LARGE error reply.
    reply: ReplyEnvelope | None = None
    on_committed: Callable[[], None] | None = None
    label: str = ""
    attempts: int = 0
    error: KafkaError | None = field(default=None, repr=False)
    refused: bool = False
    #: A request handed on to another runner goes to that runner's partition (runner/handoff.py).
    partition: int | None = None


class TransactionalOutbox:
    def __init__(
        self,
        producer: Producer,
        consumer: Consumer,
        tracker: OffsetTracker,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._producer = producer
        self._consumer = consumer
        self._tracker = tracker
        self._timeout = timeout_seconds
        self._incoming: queue.SimpleQueue[tuple[Ticket | None, list[Record]]] = queue.SimpleQueue()
        self._held: dict[Key, list[tuple[int, list[Record]]]] = {}
        self._ready: list[tuple[Key | None, Record]] = []
        self._positions: dict[Key, int] = {}
        self._not_before = 0.0
        self.committed = 0

    def add(self, ticket: Ticket | None, records: list[Record]) -> None:
        """Any thread: ``records`` belong to the request of ``ticket`` (settles it); ``None``: not
        tied to an offset (sent with the next transaction)."""
        self._incoming.put((ticket, records))

    def commit(self) -> None:
        """Commit what is committable; call once per loop iteration."""
        changed: set[Key] = set()
        while True:
            try:
                ticket, records = self._incoming.get_nowait()
            except queue.Empty:
                break
            if ticket is None:
                self._ready.extend((None, r) for r in records)
                continue
            if not self._tracker.owns(ticket):
                if records and enabled(DEBUG):
                    log_event(DEBUG, events.TXN_DROPPED, partition=ticket.partition, offset=ticket.offset)
                continue  # revoked meanwhile: the new owner replies
            key = (ticket.topic, ticket.partition)
            if records:
                self._held.setdefault(key, []).append((ticket.offset, records))
            position = self._tracker.done(ticket)
            if position is not None:
                self._positions[key] = position
                changed.add(key)
        for key in changed:
            position = self._positions[key]
            held = self._held.get(key, [])
            keep = []
            for offset, records in held:
                if offset < position:
                    self._ready.extend((key, r) for r in records)
                else:
                    keep.append((offset, records))
            if keep:
                self._held[key] = keep
            else:
                self._held.pop(key, None)
        if (self._ready or self._positions) and time.monotonic() >= self._not_before:
            self._transaction()

    def forget(self, keys: set[Key]) -> None:
        """Partitions revoked or lost: what is still uncommitted for them is dropped."""
        for key in keys:
            self._held.pop(key, None)
            self._positions.pop(key, None)
        self._ready = [(k, r) for k, r in self._ready if k is None or k not in keys]

    @property
    def committable(self) -> int:
        """Records and offsets waiting for a (retried) transaction; held records not counted."""
        return len(self._ready) + len(self._positions)

    # ------------------------------------------------------------------

    def _transaction(self) -> None:
        records = [r for _, r in self._ready]
        positions = dict(self._positions)
        producer = self._producer
        try:
            producer.begin_transaction()
            sent = []
            for record in records:
                record.error = None
                record.attempts += 1
                produced = self._produce(record)
                if produced is not None:
                    sent.append(produced)
            records = sent
            if positions:
                producer.send_offsets_to_transaction(
                    [TopicPartition(t, p, o) for (t, p), o in positions.items()],
                    self._consumer.consumer_group_metadata(),
                    self._timeout,
                )
            producer.commit_transaction(self._timeout)
        except KafkaException as exc:
            error: KafkaError = exc.args[0]
            if error.fatal():
                raise
            log_event(WARNING, events.TXN_ABORTED, records=len(records), **kafka_error_fields(error))
            try:
                producer.abort_transaction(self._timeout)
            except KafkaException as abort_exc:
                if abort_exc.args[0].fatal():
                    raise
            self._drop_failed()
            self._not_before = time.monotonic() + RETRY_BACKOFF_SECONDS
            return
        self.committed += 1
        if enabled(DEBUG):
            log_event(
                DEBUG,
                events.TXN_COMMITTED,
                records=len(records),
                offsets={f"{t}/{p}": o for (t, p), o in positions.items()},
            )
        for record in records:
            if record.on_committed is not None:
                record.on_committed()
        self._ready = []
        for key, position in positions.items():
            if self._positions.get(key) == position:
                del self._positions[key]

    def _produce(self, record: Record) -> Record | None:
        """Produce ``record`` into the open transaction; returns what was produced in its place
        (an oversized reply is replaced by a RESULT_TOO_LARGE error), ``None`` if refused."""

        def delivered(err: KafkaError | None, _msg: Message, record: Record = record) -> None:
            if err is not None:
                record.error = err

        while True:
            try:
                if record.partition is None:
                    self._producer.produce(
                        record.topic, value=record.value, key=record.key, headers=record.headers, on_delivery=delivered
                    )
                else:
                    self._producer.produce(
                        record.topic, value=record.value, key=record.key, headers=record.headers,
                        partition=record.partition, on_delivery=delivered,
                    )
                return record
            except BufferError:
                self._producer.poll(0.05)
            except KafkaException as exc:
                error: KafkaError = exc.args[0]
                if error.code() == KafkaError.MSG_SIZE_TOO_LARGE and _is_ok_reply(record):
                    return self._produce(_too_large(record, PRODUCER_MAX_MESSAGE_BYTES))
                log_event(WARNING, events.REPLY_FAILED, id=record.label, topic=record.topic, error=error.str())
                record.refused = True
                return None

    def _drop_failed(self) -> None:
        """After an abort: replace oversized replies, drop records that cannot be delivered."""
        kept: list[tuple[Key | None, Record]] = []
        for key, record in self._ready:
            if record.refused:
                continue  # already reported
            err = record.error
            if err is None:
                kept.append((key, record))
                continue
            if err.code() == KafkaError.MSG_SIZE_TOO_LARGE and _is_ok_reply(record):
                kept.append((key, _too_large(record, None)))  # the broker refused it
                continue
            if err.code() in _RETRIABLE and record.attempts < _MAX_ATTEMPTS:
                kept.append((key, record))
                continue
            log_event(WARNING, events.REPLY_FAILED, id=record.label, topic=record.topic, error=err.str())
        self._ready = kept


def _is_ok_reply(record: Record) -> bool:
    return record.reply is not None and record.reply.status is ReplyStatus.OK


def _too_large(record: Record, limit: int | None) -> Record:
    """The RESULT_TOO_LARGE reply that replaces an oversized OK reply (``limit`` None: the broker
    refused it and its limit is not known here)."""
    reply = record.reply
    assert reply is not None
    error = result_too_large_error(len(record.value or b""), limit)
    replacement = error_reply(reply.id, error, reply.runner, reply.timings)
    return Record(record.topic, encode_reply(replacement), record.key, None, replacement, record.on_committed, record.label)


class TransactionalReplies(ReplySender):
    """A :class:`ReplySender` whose replies go into the outbox."""

    def __init__(self, outbox: TransactionalOutbox) -> None:
        self._outbox = outbox

    def send(
        self,
        reply: ReplyEnvelope,
        topic: str,
        ticket: Ticket | None,
        deadline_ms: int = 0,
        attempt: int = 1,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        try:
            data = self.encode(reply)
        except Exception as exc:  # noqa: BLE001
            log_event(WARNING, events.REPLY_FAILED, id=reply.id, topic=topic, error=f"reply does not encode: {exc}")
            self._outbox.add(ticket, [])
            return

        def committed() -> None:
            if enabled(DEBUG):
                code = reply.error.code if reply.error else None
                log_event(DEBUG, events.CALL_REPLIED, id=reply.id, status=reply.status.value, code=code, topic=topic)

        record = Record(topic, data, reply.id.encode("utf-8"), headers, reply, committed, reply.id)
        self._outbox.add(ticket, [record])


class TransactionalDeadLetters(DeadLetters):
    """:class:`DeadLetters` whose records go into the outbox."""

    def __init__(self, outbox: TransactionalOutbox, topic: str) -> None:
        self._outbox = outbox
        self._topic = topic

    def send(self, msg: Message, reason: str, error: str, ticket: Ticket | None) -> None:
        value, key, headers, source = self.record_for(msg, reason, error)
        if self.on_sent is not None:
            self.on_sent(reason)

        def committed() -> None:
            log_event(WARNING, events.DLQ_SENT, reason=reason, error=error[:200], dlq_topic=self._topic, **source)

        self._outbox.add(ticket, [Record(self._topic, value, key, headers, None, committed, f"dlq:{reason}")])
