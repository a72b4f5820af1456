"""Start and stop of the consume loop: the topics it needs before it starts, and the graceful
drain when it stops.

A mixin of :class:`~mlbridge_runner.runner.loop.Runner` (like :mod:`.rebalance`): the loop itself
is only polling, checking and handing work over. Runs on the loop thread.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import TYPE_CHECKING, Callable

from confluent_kafka import Consumer, Producer

from .. import events
from ..jobs.service import JOB_TOPIC_PARTITIONS, job_topic_configs
from ..logging import INFO, WARNING, kafka_logger, log_event
from ..presence.publisher import PresencePublisher, PresenceState, presence_producer_settings
from ..presence.records import PresenceRecord
from ..transport.config import admin_settings, consumer_settings, producer_settings
from ..transport.topics import TopicSetupError, ensure_topics
from .poison import TOPIC_CONFIG as DELIVERIES_TOPIC_CONFIG
from .poison import deliveries_topic_for

if TYPE_CHECKING:
    from ..config import RunnerConfig
    from ..jobs.service import JobService
    from ..registry import Registry
    from .flow import FlowControl
    from .offsets import OffsetTracker, Ticket
    from .pool import WorkerPool
    from .transactions import TransactionalOutbox

#: How long a graceful stop waits for the last replies to be acknowledged.
FLUSH_SECONDS = 10.0
#: How long the drain waits in ``consumer.poll`` between checks of the running calls.
DRAIN_POLL_SECONDS = 0.01
#: The presence topic keeps one record per runner: small segments, so compaction keeps up with a
#: record every few seconds per runner and a reader never reads a week of them.
PRESENCE_TOPIC_CONFIG = {"cleanup.policy": "compact", "segment.ms": "600000", "min.cleanable.dirty.ratio": "0.1"}


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
    _tracker: OffsetTracker
    _jobs: JobService
    _served: int
    registry: Registry
    #: Set by _start_presence once the loop serves.
    _presence: PresencePublisher | None = None

    def _service(self) -> None:
        raise NotImplementedError

    def _store_settled(self) -> None:
        raise NotImplementedError

    def _cancel_queued(self, predicate: Callable[[Ticket], bool]) -> list[Ticket]:
        raise NotImplementedError

    def _unflushed(self, timeout: float) -> int:
        raise NotImplementedError

    def _ensure_topics(self) -> bool:
        """Create the request, dead-letter, job and presence topics, waiting for the broker; ``False`` if stopped first."""
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
                        self.config.presence_topic: 1,
                        **({deliveries_topic_for(self.config.request_topic): 1} if self.config.max_deliveries else {}),
                    },
                    timeout=3.0,
                    configs={
                        **job_topic_configs(self.config),
                        self.config.presence_topic: PRESENCE_TOPIC_CONFIG,
                        deliveries_topic_for(self.config.request_topic): DELIVERIES_TOPIC_CONFIG,
                    },
                    replication_factor=self.config.replication_factor,
                )
                return True
            except TopicSetupError as exc:
                log_event(WARNING, events.WAITING_FOR_BROKER, brokers=self.config.brokers, error=str(exc), attempt=attempt)
                self._stop.wait(min(5.0, 0.5 * attempt))
        return False

    def _start_presence(self, version: str, metrics_url: str) -> None:
        """Announce this runner on the presence topic until :meth:`_stop_presence` (presence/);
        ``metrics_url``: where its ``/metrics`` is served (``""``: not served)."""
        config = self.config
        base = PresenceRecord(
            id=self.identity,
            # Kafka knows the runner by its client.id, replies and the catalogue by its identity.
            client_id=consumer_settings(config, self.identity)["client.id"],
            host=socket.gethostname(),
            pid=os.getpid(),
            version=version,
            group=config.group,
            request_topic=config.request_topic,
            pipelines=tuple(sorted(self.registry.names())),
            started_at_ms=int(time.time() * 1000),
            interval_ms=config.presence_interval_ms,
            metrics_url=metrics_url,
        )
        settings = presence_producer_settings(producer_settings(config, self.identity), config.presence_interval_ms)
        self._presence = PresencePublisher(
            {**settings, "logger": kafka_logger()}, config.presence_topic, base, self._presence_state
        )
        self._presence.start()

    def _presence_state(self) -> PresenceState:
        """Presence thread: a snapshot of counters the loop and lanes keep (plain reads, no locks)."""
        lane = self._jobs.lane
        return PresenceState(
            call_partitions=tuple(p for topic, p in self._tracker.partitions() if topic == self.config.request_topic),
            job_partitions=lane.partitions if lane is not None else (),
            in_flight=self._pool.running,
            queued=self._pool.queued,
            jobs_running=lane.running_count if lane is not None else 0,
            served=self._served,
        )

    def _stop_presence(self) -> None:
        """Retire this runner's presence key (a tombstone), so readers see it gone at once."""
        if self._presence is not None:
            self._presence.stop()
            self._presence = None

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
