"""The thread that keeps this runner's presence record fresh on ``<request topic>.runners``.

Off the loop thread: the loop is the hot path, and a presence write is a produce every few seconds.
It writes at start, every interval, as soon as the assigned partitions change (checked a few times
a second from a cheap snapshot), and a tombstone when stopped — so a runner that stops cleanly
vanishes at once, and one that is killed goes stale after 3 intervals.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Final

from confluent_kafka import KafkaError, KafkaException, Producer

from .. import events
from ..logging import DEBUG, WARNING, log_event
from .records import PresenceRecord, encode_presence

#: How often the snapshot is compared for an assignment change.
CHANGE_CHECK_SECONDS: Final = 0.25
#: How long stop() waits for the tombstone to be acknowledged.
TOMBSTONE_SECONDS: Final = 5.0


@dataclass(frozen=True, slots=True)
class PresenceState:
    """What changes while a runner serves; read from the loop's objects, never written by them."""

    call_partitions: tuple[int, ...] = ()
    job_partitions: tuple[int, ...] = ()
    in_flight: int = 0
    queued: int = 0
    jobs_running: int = 0
    served: int = 0


def presence_producer_settings(base: dict[str, Any], interval_ms: int) -> dict[str, Any]:
    """``base``: the runner's producer settings (brokers, security); a record nobody got within
    a few intervals is worth nothing, so it is not retried longer than that."""
    return {
        **base,
        "client.id": f"{base.get('client.id', 'mlbridge-runner')}-presence",
        "linger.ms": 0,
        "acks": "all",
        "message.timeout.ms": max(3 * interval_ms, 5000),
    }


class PresencePublisher:
    def __init__(
        self,
        settings: dict[str, Any],
        topic: str,
        base: PresenceRecord,
        state: Callable[[], PresenceState],
        clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self._settings = settings
        self._topic = topic
        self._base = base
        self._state = state
        self._clock_ms = clock_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._producer: Producer | None = None
        self._failures = 0
        #: Records the broker acknowledged (for the logs and tests).
        self.published = 0

    @property
    def topic(self) -> str:
        return self._topic

    def start(self) -> None:
        self._producer = Producer({**self._settings, "error_cb": self._kafka_error})
        self._thread = threading.Thread(target=self._run, name="mlbridge-presence", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop publishing and retire this runner's key with a tombstone (waits a few seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(TOMBSTONE_SECONDS)
        producer = self._producer
        if producer is None:
            return
        try:
            producer.produce(self._topic, key=self._base.id.encode("utf-8"), value=None, on_delivery=self._delivered)
        except (BufferError, KafkaException) as exc:
            log_event(WARNING, events.PRESENCE_FAILED, topic=self._topic, error=str(exc), tombstone=True)
        left = producer.flush(TOMBSTONE_SECONDS)
        if left:
            log_event(WARNING, events.PRESENCE_FAILED, topic=self._topic, error="tombstone not acknowledged", tombstone=True)

    def record(self, state: PresenceState) -> PresenceRecord:
        return replace(
            self._base,
            call_partitions=state.call_partitions,
            job_partitions=state.job_partitions,
            in_flight=state.in_flight,
            queued=state.queued,
            jobs_running=state.jobs_running,
            served=state.served,
            updated_at_ms=self._clock_ms(),
        )

    def _run(self) -> None:
        interval_s = self._base.interval_ms / 1000
        check_s = min(CHANGE_CHECK_SECONDS, interval_s)
        published: tuple[tuple[int, ...], tuple[int, ...]] | None = None
        due = 0.0
        while True:
            state = self._state()
            assignment = (state.call_partitions, state.job_partitions)
            now = time.monotonic()
            if assignment != published or now >= due:
                self._publish(self.record(state))
                published, due = assignment, now + interval_s
            assert self._producer is not None
            self._producer.poll(0)
            if self._stop.wait(check_s):
                return

    def _publish(self, record: PresenceRecord) -> None:
        assert self._producer is not None
        try:
            self._producer.produce(
                self._topic, key=record.id.encode("utf-8"), value=encode_presence(record), on_delivery=self._delivered
            )
        except (BufferError, KafkaException) as exc:  # the local queue is full while the broker is away
            log_event(DEBUG, events.PRESENCE_FAILED, topic=self._topic, error=str(exc))

    def _delivered(self, error: KafkaError | None, _msg: Any) -> None:
        if error is None:
            self.published += 1
            self._failures = 0
            return
        self._failures += 1
        # Once per outage, not once per interval: the runner goes on serving regardless.
        log_event(WARNING if self._failures == 1 else DEBUG, events.PRESENCE_FAILED, topic=self._topic, error=error.str())

    def _kafka_error(self, error: KafkaError) -> None:
        log_event(DEBUG, events.KAFKA_ERROR, error=error.str(), code=error.name(), fatal=error.fatal(), source="presence")


__all__ = ["PresencePublisher", "PresenceState", "presence_producer_settings"]
