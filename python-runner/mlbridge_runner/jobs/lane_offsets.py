"""The job lane's offsets and flow control: positions stored in order as jobs settle, the consumer
paused while too many requests wait, and what a rebalance hands over.

A mixin of :class:`~mlbridge_runner.jobs.lane.JobLane` (like :mod:`.cancellation`), run on the
lane's thread.
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Final

from confluent_kafka import Consumer, KafkaException, TopicPartition

from .. import events
from ..logging import DEBUG, INFO, log_event
from ..runner.offsets import OffsetTracker, Ticket
from .runs import Claim

#: Requests taken from Kafka but not started; past this the lane stops fetching.
MAX_WAITING: Final = 100


class LaneOffsets:
    # Provided by JobLane.
    _topic: str
    _tracker: OffsetTracker
    _to_store: dict[tuple[str, int], int]
    _waiting: deque[Claim]
    _paused: bool
    _drop_handed_on: Callable[[set[tuple[str, int]]], None]  # LaneHandOn's

    def _settle(self, ticket: Ticket) -> None:
        position = self._tracker.done(ticket)
        if position is not None:
            self._to_store[(ticket.topic, ticket.partition)] = position

    def _store(self, consumer: Consumer) -> None:
        if not self._to_store:
            return
        offsets = [TopicPartition(t, p, o) for (t, p), o in self._to_store.items()]
        self._to_store = {}
        try:
            consumer.store_offsets(offsets=offsets)
        except KafkaException as exc:  # revoked meanwhile
            log_event(DEBUG, events.KAFKA_ERROR, error=str(exc), topic=self._topic)

    def _flow(self, consumer: Consumer) -> None:
        full = len(self._waiting) >= MAX_WAITING
        if full != self._paused:
            assignment = consumer.assignment()
            try:
                (consumer.pause if full else consumer.resume)(assignment)
                self._paused = full
            except KafkaException:
                pass

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._tracker.assign((tp.topic, tp.partition) for tp in partitions)
        if partitions:
            log_event(INFO, events.JOB_LANE_ASSIGNED, topic=self._topic, partitions=sorted(tp.partition for tp in partitions))

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        revoked = {(tp.topic, tp.partition) for tp in partitions}
        # What is done is committed now, before the next owner starts from the committed offset.
        self._store(consumer)
        try:
            consumer.commit(asynchronous=False)
        except KafkaException:
            pass
        self._waiting = deque(c for c in self._waiting if (c.ticket.topic, c.ticket.partition) not in revoked)
        self._drop_handed_on(revoked)
        self._tracker.revoke(revoked)

