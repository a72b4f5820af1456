"""Writes job state records (key = job id, murmur2 like the TypeScript client, so one id always
lands in the partition both sides read it from)."""

from __future__ import annotations

import threading
from typing import Any, Final

from confluent_kafka import KafkaError, KafkaException, Producer

from .. import events
from ..logging import WARNING, log_event
from .records import JobRecord, encode_record

TOO_LARGE_CODES: Final = frozenset({KafkaError.MSG_SIZE_TOO_LARGE})


class StateWriteFailed(Exception):
    """A record was not acknowledged; ``too_large`` when the broker or client refused its size."""

    def __init__(self, message: str, too_large: bool) -> None:
        super().__init__(message)
        self.too_large = too_large


class StateWriter:
    def __init__(self, settings: dict[str, Any], topic: str) -> None:
        self.topic = topic
        # A few ms of linger: heartbeats and progress of several jobs travel together.
        self._producer = Producer({**settings, "partitioner": "murmur2_random", "linger.ms": 5})
        self._lock = threading.Lock()

    def write(self, record: JobRecord) -> None:
        """Fire and forget (heartbeats, progress): a lost one is replaced by the next."""
        try:
            self._producer.produce(self.topic, key=record.id, value=encode_record(record), on_delivery=_log_failure)
        except (BufferError, KafkaException) as exc:
            log_event(WARNING, events.JOB_STATE_WRITE_FAILED, id=record.id, state=record.state, error=str(exc))
        self._producer.poll(0)

    def write_sync(self, record: JobRecord, timeout: float = 30.0) -> None:
        """Write and wait for the acknowledgement; raises :class:`StateWriteFailed`."""
        done = threading.Event()
        outcome: list[KafkaError | None] = []

        def delivered(error: KafkaError | None, _msg: Any) -> None:
            outcome.append(error)
            done.set()

        try:
            self._producer.produce(self.topic, key=record.id, value=encode_record(record), on_delivery=delivered)
        except KafkaException as exc:
            error: KafkaError = exc.args[0]
            raise StateWriteFailed(error.str(), error.code() in TOO_LARGE_CODES) from None
        except BufferError as exc:
            raise StateWriteFailed(str(exc), False) from None
        remaining = timeout
        while not done.is_set() and remaining > 0:
            self._producer.poll(0.05)
            remaining -= 0.05
        if not outcome:
            raise StateWriteFailed(f"not acknowledged within {timeout} s", False)
        if outcome[0] is not None:
            raise StateWriteFailed(outcome[0].str(), outcome[0].code() in TOO_LARGE_CODES)

    @property
    def producer(self) -> Producer:
        """Also carries the job lane's dead letters."""
        return self._producer

    def poll(self) -> None:
        self._producer.poll(0)

    def flush(self, timeout: float) -> int:
        return self._producer.flush(timeout)


def _log_failure(error: KafkaError | None, msg: Any) -> None:
    if error is not None:
        log_event(WARNING, events.JOB_STATE_WRITE_FAILED, id=(msg.key() or b"").decode("utf-8", "replace"), error=error.str())
