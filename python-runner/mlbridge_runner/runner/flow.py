"""Back-pressure: pause the assigned partitions when the local queue is full, resume at half.

Pausing is kept rare because it is expensive in librdkafka: a paused partition's prefetched
messages are dropped and a resumed one can take up to a second to deliver again (measured).
"""

from __future__ import annotations

from confluent_kafka import Consumer, TopicPartition

from .. import events
from ..logging import DEBUG, log_event
from .pool import WorkerPool


class FlowControl:
    """Loop thread only."""

    def __init__(self, consumer: Consumer, max_queued: int, max_queued_bytes: int) -> None:
        self._consumer = consumer
        self._max_queued = max_queued
        self._max_queued_bytes = max_queued_bytes
        self.paused = False

    def update(self, pool: WorkerPool, stopping: bool) -> None:
        if not self.paused:
            if pool.queued >= self._max_queued or pool.queued_bytes >= self._max_queued_bytes:
                self._set(True, pool)
        elif not stopping and pool.queued <= self._max_queued // 2 and pool.queued_bytes <= self._max_queued_bytes // 2:
            self._set(False, pool)

    def pause_all(self) -> None:
        """For good (graceful stop)."""
        assignment = self._consumer.assignment()
        if assignment:
            self._consumer.pause(assignment)
        self.paused = True

    def assigned(self, partitions: list[TopicPartition]) -> None:
        """Newly assigned partitions join the paused state."""
        if self.paused and partitions:
            self._consumer.pause(partitions)

    def _set(self, paused: bool, pool: WorkerPool) -> None:
        assignment = self._consumer.assignment()
        if assignment:
            (self._consumer.pause if paused else self._consumer.resume)(assignment)
        self.paused = paused
        log_event(DEBUG, events.PAUSED if paused else events.RESUMED, running=pool.running, queued=pool.queued)
