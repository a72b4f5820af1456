"""The compacted model topic: publish version/tag records, and follow it into a :class:`ModelView`.

Every runner follows the topic from the beginning with its own never-committing consumer that
assigns the partitions itself (no group, no rebalance), as the catalogue view does; a new version
therefore reaches every runner within a poll interval of being acknowledged.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any, Final

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition

from .. import events
from ..logging import WARNING, log_event
from ..transport.topics import ensure_topics
from .errors import BadModelRecord, ModelError
from .records import ModelVersion, decode_model_record, encode_model_record
from .view import ModelView

POLL_SECONDS: Final = 0.2
#: Compacted: the newest record per key (name/version, name/latest) is kept forever.
MODEL_TOPIC_CONFIG: Final = {"cleanup.policy": "compact"}


class ModelPublishError(ModelError):
    """A model record was not acknowledged by the broker."""


def ensure_model_topic(admin_settings: dict[str, Any], topic: str) -> None:
    ensure_topics(admin_settings, {topic: 1}, configs={topic: dict(MODEL_TOPIC_CONFIG)})


class ModelPublisher:
    """Produces one record and waits for its acknowledgement (a saved version is durable when
    ``save_model`` returns)."""

    def __init__(self, brokers: str, topic: str, extra: dict[str, Any] | None = None, timeout_s: float = 15.0) -> None:
        self.topic = topic
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._producer = Producer(
            {
                **(extra or {}),
                "bootstrap.servers": brokers,
                "acks": "all",
                "enable.idempotence": True,
                "linger.ms": 0,
                "message.timeout.ms": int(timeout_s * 1000),
            }
        )

    def __call__(self, record: ModelVersion) -> None:
        failures: list[str] = []

        def delivered(error: KafkaError | None, _msg: Any) -> None:
            if error is not None:
                failures.append(error.str())

        with self._lock:
            self._producer.produce(self.topic, key=record.key.encode(), value=encode_model_record(record), on_delivery=delivered)
            left = self._producer.flush(self._timeout_s)
        if left or failures:
            reason = "; ".join(failures) or f"not acknowledged within {self._timeout_s:g} s"
            raise ModelPublishError(f"model {record.name!r} record {record.key}: {reason}", record.name, record.version)


class ModelFollower:
    """Tails the model topic into ``view`` in a daemon thread."""

    def __init__(self, brokers: str, topic: str, view: ModelView, extra: dict[str, Any] | None = None) -> None:
        self.topic = topic
        self.view = view
        self._consumer = Consumer(
            {
                **(extra or {}),
                "bootstrap.servers": brokers,
                "group.id": f"mlbridge-models-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "enable.partition.eof": True,
                "fetch.wait.max.ms": 100,
            }
        )
        self._stop = threading.Event()
        self._caught_up = threading.Event()
        self._thread: threading.Thread | None = None
        self._eof_left: set[int] = set()

    def start(self, wait_s: float = 10.0) -> bool:
        """Assign every partition from the beginning, start tailing, and wait (bounded) until the
        records present now are read. Returns whether that happened within ``wait_s``."""
        metadata = self._consumer.list_topics(self.topic, timeout=wait_s)
        found = metadata.topics.get(self.topic)
        partitions = sorted(found.partitions) if found is not None and found.error is None else [0]
        self._eof_left = set(partitions)
        self._consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in partitions])
        self._thread = threading.Thread(target=self._tail, name="mlbridge-models", daemon=True)
        self._thread.start()
        return self._caught_up.wait(wait_s)

    def _tail(self) -> None:
        while not self._stop.is_set():
            msg = self._consumer.poll(POLL_SECONDS)
            if msg is None:
                continue
            error = msg.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    self._eof_left.discard(msg.partition())
                    if not self._eof_left:
                        self._caught_up.set()
                elif error.code() != KafkaError.UNKNOWN_TOPIC_OR_PART:
                    log_event(WARNING, events.KAFKA_ERROR, error=error.str(), code=error.code(), fatal=error.fatal())
                continue
            value = msg.value()
            if value is None:
                continue
            try:
                self.view.apply(decode_model_record(value))
            except BadModelRecord as exc:
                log_event(WARNING, events.KAFKA_ERROR, error=str(exc), topic=self.topic, offset=msg.offset())

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._consumer.close()


def wait_for_version(view: ModelView, name: str, version: int, timeout_s: float) -> bool:
    """Poll ``view`` until ``name``'s current version is ``version`` (tests, CLI tools)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if view.current(name) == version:
            return True
        time.sleep(0.02)
    return False
