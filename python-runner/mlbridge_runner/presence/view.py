"""A live view of the presence topic ``<request topic>.runners``: which runners are alive, what they
serve and which request partitions they own — read by a runner to hand a call on to one that has
its pipeline (runner/handoff.py).

Like the catalogue view: its own consumer with a unique group id that never commits, partitions
assigned by hand (no group join, no rebalance), read from the beginning of the compacted topic,
then tailed in a daemon thread. A record that cannot be read is skipped (a newer runner's record
format must not stop an older runner).
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, TopicPartition

from .. import events
from ..logging import DEBUG, WARNING, log_event
from .records import BadPresenceRecord, PresenceRecord, decode_presence

POLL_SECONDS = 0.2


def presence_view_settings(base: dict[str, Any], client_id: str) -> dict[str, Any]:
    """``base``: connection settings (brokers, security)."""
    return {
        **base,
        "client.id": client_id,
        "group.id": f"mlbridge-presence-{uuid.uuid4().hex}",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "enable.partition.eof": True,
        "fetch.wait.max.ms": 100,
    }


class PresenceView:
    """Runner id → its latest presence record, kept current by a background tail."""

    def __init__(self, settings: dict[str, Any], topic: str, consumer: Any = None) -> None:
        """``consumer`` replaces the ``Consumer(settings)`` the view makes (unit tests)."""
        self.topic = topic
        self._consumer = consumer if consumer is not None else Consumer(settings)
        self._records: dict[str, PresenceRecord] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._caught_up = threading.Event()
        self._thread: threading.Thread | None = None
        self.skipped = 0

    @property
    def ready(self) -> bool:
        """Whether the topic has been read to its end once (before that, absence means nothing)."""
        return self._caught_up.is_set()

    def start(self) -> None:
        try:
            self._consumer.assign([TopicPartition(self.topic, 0, OFFSET_BEGINNING)])
        except KafkaException as exc:
            log_event(WARNING, events.KAFKA_ERROR, error=str(exc), source="presence-view")
        self._thread = threading.Thread(target=self._tail, name="mlbridge-presence-view", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout_s: float) -> bool:
        return self._caught_up.wait(timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        try:
            self._consumer.close()
        except RuntimeError:
            pass  # already closed

    def runners(self) -> list[PresenceRecord]:
        """Every runner with a record (live or not), by id."""
        with self._lock:
            return sorted(self._records.values(), key=lambda r: r.id)

    def live(self, now_ms: int | None = None) -> list[PresenceRecord]:
        """The runners whose record is fresh (``now - updatedAtMs < 3 × intervalMs``)."""
        now = int(time.time() * 1000) if now_ms is None else now_ms
        return [r for r in self.runners() if r.live(now)]

    def get(self, runner_id: str) -> PresenceRecord | None:
        with self._lock:
            return self._records.get(runner_id)

    # ------------------------------------------------------------------ reading

    def _tail(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self._consumer.poll(POLL_SECONDS)
                if msg is None:
                    continue
                error = msg.error()
                if error is None:
                    self.apply(msg)
                elif error.code() == KafkaError._PARTITION_EOF:
                    self._caught_up.set()
                else:
                    log_event(DEBUG, events.KAFKA_ERROR, error=error.str(), code=error.code(), source="presence-view")
            except Exception as exc:  # noqa: BLE001 - the tail must outlive any one bad poll
                log_event(WARNING, events.KAFKA_ERROR, error=f"{type(exc).__name__}: {exc}", source="presence-view")
                self._stop.wait(1.0)

    def apply(self, msg: Message) -> None:
        key = msg.key()
        if not key:
            return
        runner_id = key.decode("utf-8", "replace")
        value = msg.value()
        if value is None:
            with self._lock:
                self._records.pop(runner_id, None)
            return
        try:
            record = decode_presence(value)
        except BadPresenceRecord as exc:
            self.skipped += 1
            log_event(DEBUG, events.PRESENCE_FAILED, topic=self.topic, error=str(exc), offset=msg.offset())
            return
        with self._lock:
            self._records[runner_id] = record


__all__ = ["PresenceView", "presence_view_settings"]
