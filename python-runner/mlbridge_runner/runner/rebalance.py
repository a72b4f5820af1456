"""Rebalance callbacks of the consume loop: what a runner does when partitions come and go.

A mixin of :class:`~mlbridge_runner.runner.loop.Runner`, kept apart because the hand-over rules
(commit what is done, leave queued calls to the next owner, let running ones finish first) are a
concern of their own. Runs on the loop thread, inside ``consumer.poll``.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Callable

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from .. import events
from ..logging import DEBUG, INFO, WARNING, log_event
from .replies import kafka_error_fields

if TYPE_CHECKING:
    from ..config import RunnerConfig
    from .flow import FlowControl
    from .offsets import OffsetTracker, Ticket
    from .poison import DeliveryCounts
    from .transactions import TransactionalOutbox

# How long a revoke waits for running calls of the revoked partitions before handing them over.
REVOKE_WAIT_SECONDS = 10.0


class RebalanceHandlers:
    # Provided by Runner.
    config: RunnerConfig
    _outbox: TransactionalOutbox | None
    _tracker: OffsetTracker
    _flow: FlowControl
    _stop: threading.Event
    _deliveries: DeliveryCounts | None

    def _store_settled(self) -> None:
        raise NotImplementedError

    def _cancel_queued(self, predicate: Callable[[Ticket], bool]) -> list[Ticket]:
        raise NotImplementedError

    def _poll_producers(self, timeout: float) -> None:
        raise NotImplementedError

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        consumer.incremental_assign(partitions)
        self._tracker.assign((tp.topic, tp.partition) for tp in partitions)
        self._flow.assigned(partitions)
        if self._deliveries is not None:  # a dead owner may have been running the first records
            self._deliveries.assigned([(tp.topic, tp.partition) for tp in partitions])
        log_event(
            INFO if partitions else DEBUG,  # cooperative joins start with an empty assignment
            events.ASSIGNED,
            topic=self.config.request_topic,
            partitions=sorted(tp.partition for tp in partitions),
            assigned=sorted(tp.partition for tp in consumer.assignment()),
        )

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        revoked = {(tp.topic, tp.partition) for tp in partitions}
        # Calls not started yet are left to the partition's next owner.
        abandoned = {(ticket.topic, ticket.partition, ticket.offset) for ticket in self._cancel_queued(
            lambda ticket: (ticket.topic, ticket.partition) in revoked
        )}
        self._poll_producers(0)
        if self._outbox is not None:
            self._outbox.commit()  # while the partitions are still ours
            self._outbox.forget(revoked)
        else:
            # Offsets are committed in order, so one call still running would make the next owner
            # re-run everything after it, answered or not: let running calls finish first (bounded).
            # A stopping runner has already spent its grace period on them.
            if not self._stop.is_set():
                self._await_running(revoked, abandoned)
            self._store_settled()
            try:
                consumer.commit(asynchronous=False)
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError._NO_OFFSET:
                    log_event(WARNING, events.KAFKA_ERROR, **kafka_error_fields(exc.args[0]))
        self._tracker.revoke(revoked)
        if self._deliveries is not None:
            self._deliveries.uncount(abandoned)  # queued, never run: no suspects for the next owner
            self._deliveries.revoked(revoked)
        log_event(
            INFO,
            events.REVOKED,
            topic=self.config.request_topic,
            partitions=sorted(p for _, p in revoked),
            assigned=sorted(tp.partition for tp in consumer.assignment() if (tp.topic, tp.partition) not in revoked),
        )

    def _await_running(self, revoked: set[tuple[str, int]], abandoned: set[tuple[str, int, int]]) -> None:
        """Store offsets as running calls of ``revoked`` partitions finish, until each partition's
        oldest outstanding offset is one left to the next owner, or the wait bound passes."""
        bound = min(self.config.grace_seconds, REVOKE_WAIT_SECONDS, self.config.max_poll_interval_ms / 2000)
        deadline = time.monotonic() + bound
        while True:
            self._poll_producers(0.005)
            self._store_settled()
            blocked = [
                key
                for key in revoked
                if (first := self._tracker.first_pending(key)) is not None and (key[0], key[1], first) not in abandoned
            ]
            if not blocked or time.monotonic() >= deadline:
                return

    def _on_lost(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        lost = {(tp.topic, tp.partition) for tp in partitions}
        if self._outbox is not None:
            self._outbox.forget(lost)
        self._cancel_queued(lambda ticket: (ticket.topic, ticket.partition) in lost)
        self._tracker.revoke(lost)
        if self._deliveries is not None:
            self._deliveries.revoked(lost)
        log_event(WARNING, events.LOST, topic=self.config.request_topic, partitions=sorted(tp.partition for tp in partitions))
