"""Start and stop of the consume loop: the topics it needs before it starts, and the graceful
drain when it stops.

A mixin of :class:`~mlbridge_runner.runner.loop.Runner` (like :mod:`.rebalance`): the loop itself
is only polling, checking and handing work over. Runs on the loop thread.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Callable

from confluent_kafka import Consumer, Producer

from .. import events
from ..jobs.service import JOB_TOPIC_PARTITIONS, job_topic_configs
from ..logging import INFO, WARNING, kafka_logger, log_event
from ..transport.config import admin_settings
from ..transport.topics import TopicSetupError, ensure_topics

if TYPE_CHECKING:
    from ..config import RunnerConfig
    from .flow import FlowControl
    from .offsets import Ticket
    from .pool import WorkerPool
    from .transactions import TransactionalOutbox

#: How long a graceful stop waits for the last replies to be acknowledged.
FLUSH_SECONDS = 10.0
#: How long the drain waits in ``consumer.poll`` between checks of the running calls.
DRAIN_POLL_SECONDS = 0.01


class StartStop:
    # Provided by Runner.
    config: RunnerConfig
    identity: str
    _stop: threading.Event
    _stop_signal: int | None
    _consumer: Consumer | None
    _flow: FlowControl
    _pool: WorkerPool
    _outbox: TransactionalOutbox | None
    _progress_producer: Producer

    def _service(self) -> None:
        raise NotImplementedError

    def _store_settled(self) -> None:
        raise NotImplementedError

    def _cancel_queued(self, predicate: Callable[[Ticket], bool]) -> list[Ticket]:
        raise NotImplementedError

    def _unflushed(self, timeout: float) -> int:
        raise NotImplementedError

    def _ensure_topics(self) -> bool:
        """Create the request, dead-letter and job topics, waiting for the broker; ``False`` if stopped first."""
        attempt = 0
        while not self._stop.is_set():
            attempt += 1
            try:
                ensure_topics(
                    {**admin_settings(self.config, self.identity), "logger": kafka_logger()},
                    {
                        self.config.request_topic: self.config.partitions,
                        self.config.dlq_topic: 1,
                        self.config.jobs_topic: JOB_TOPIC_PARTITIONS,
                        self.config.jobs_state_topic: JOB_TOPIC_PARTITIONS,
                    },
                    timeout=3.0,
                    configs=job_topic_configs(self.config),
                )
                return True
            except TopicSetupError as exc:
                log_event(WARNING, events.WAITING_FOR_BROKER, brokers=self.config.brokers, error=str(exc), attempt=attempt)
                self._stop.wait(min(5.0, 0.5 * attempt))
        return False

    def _drain(self) -> int:
        """Graceful stop: take nothing new, finish in-flight calls within the grace period, reply,
        store offsets. Returns how many calls were still running (left uncommitted)."""
        consumer = self._consumer
        assert consumer is not None
        self._flow.pause_all()
        left = self._cancel_queued(lambda ticket: True)  # not started: another runner takes them from Kafka
        log_event(
            INFO,
            events.STOPPING,
            signal=self._stop_signal,
            in_flight=self._pool.running,
            queued_left=len(left),
            grace_seconds=self.config.grace_seconds,
        )
        deadline = time.monotonic() + self.config.grace_seconds
        while self._pool.running > 0 and time.monotonic() < deadline:
            consumer.poll(DRAIN_POLL_SECONDS)  # serves callbacks; partitions are paused, nothing new is taken
            self._service()
        abandoned = self._pool.running
        flush_deadline = time.monotonic() + FLUSH_SECONDS
        if self._outbox is not None:
            self._outbox.commit()
            while self._outbox.committable and time.monotonic() < flush_deadline:
                time.sleep(0.05)  # an aborted transaction is retried after a short backoff
                self._outbox.commit()
            self._progress_producer.flush(1.0)
            return abandoned
        while self._unflushed(0.1) > 0 and time.monotonic() < flush_deadline:
            self._store_settled()
        self._store_settled()
        return abandoned
