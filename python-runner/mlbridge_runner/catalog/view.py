"""A live view of the catalogue topic: read to its end once, then tail it in a background thread.

The view has its own consumer (a unique group id that never commits, so every view reads the
compacted topic from the beginning) and assigns the partitions itself: no group join, no rebalance.
Every schema it sees goes to the schema store, so a request written with a schema some other
runner or client published can be resolved. A record that cannot be used is skipped with a warning.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any, Protocol

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, TopicPartition

from .. import events
from ..errors import MlbridgeRunnerError
from ..logging import DEBUG, WARNING, log_event
from .entries import BadCatalogRecord, CatalogEntry, CatalogKey, CatalogKind, decode_record, pipeline_key

POLL_SECONDS = 0.2


class CatalogUnavailable(MlbridgeRunnerError):
    """The catalogue topic cannot be read (missing, broker unreachable, not read to its end in time)."""


class SchemaSink(Protocol):
    """What the view needs of :class:`mlbridge_runner.contract.SchemaStore`."""

    def add(self, schema: Any) -> str: ...


def view_settings(brokers: str, client_id: str) -> dict[str, Any]:
    return {
        "bootstrap.servers": brokers,
        "client.id": client_id,
        "group.id": f"mlbridge-catalog-{uuid.uuid4().hex}",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "enable.partition.eof": True,
        "fetch.wait.max.ms": 100,
    }


class CatalogView:
    """Key → entry of one catalogue topic, kept current by :meth:`catch_up` and :meth:`start`."""

    def __init__(
        self, settings: dict[str, Any], topic: str, store: SchemaSink | None = None, consumer: Any = None
    ) -> None:
        """``consumer`` replaces the ``Consumer(settings)`` the view makes (unit tests)."""
        self.topic = topic
        self._store = store
        self._consumer = consumer if consumer is not None else Consumer(settings)
        self._lock = threading.Lock()
        self._entries: dict[str, CatalogEntry] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._assigned = False
        self.skipped = 0
        self.applied = 0

    # ------------------------------------------------------------------ reading

    def _assign(self, timeout_s: float) -> list[int]:
        try:
            metadata = self._consumer.list_topics(self.topic, timeout=timeout_s)
        except KafkaException as exc:
            raise CatalogUnavailable(f"cannot read catalogue topic {self.topic!r}: {exc.args[0]}") from None
        topic = metadata.topics.get(self.topic)
        if topic is None or topic.error is not None or not topic.partitions:
            problem = topic.error.str() if topic is not None and topic.error is not None else "no partitions"
            raise CatalogUnavailable(f"catalogue topic {self.topic!r} cannot be read: {problem}")
        partitions = sorted(topic.partitions)
        if not self._assigned:
            self._consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in partitions])
            self._assigned = True
        return partitions

    def catch_up(self, timeout_s: float = 10.0) -> None:
        """Read every record present now (up to the end offsets seen on entry).

        Raises :class:`CatalogUnavailable` when that does not finish within ``timeout_s``. Must not
        run while the background tail runs.
        """
        deadline = time.monotonic() + timeout_s
        partitions = self._assign(timeout_s)
        ends: dict[int, int] = {}
        for partition in partitions:
            try:
                low, high = self._consumer.get_watermark_offsets(
                    TopicPartition(self.topic, partition), timeout=max(0.1, deadline - time.monotonic())
                )
            except KafkaException as exc:
                raise CatalogUnavailable(f"cannot read the end of catalogue topic {self.topic!r}: {exc.args[0]}") from None
            if high > low:
                ends[partition] = high
        # A position already past the end (records read by an earlier catch_up) counts as done.
        for tp in self._consumer.position([TopicPartition(self.topic, p) for p in list(ends)]):
            if tp.offset >= 0 and tp.offset >= ends[tp.partition]:
                del ends[tp.partition]
        while ends:
            if time.monotonic() > deadline:
                raise CatalogUnavailable(
                    f"catalogue topic {self.topic!r} not read to its end within {timeout_s:g} s "
                    f"(partitions {sorted(ends)} behind)"
                )
            msg = self._consumer.poll(POLL_SECONDS)
            if msg is None:
                continue
            partition = msg.partition()
            error = msg.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    ends.pop(partition, None)  # type: ignore[arg-type]
                else:
                    log_event(WARNING, events.KAFKA_ERROR, error=error.str(), code=error.code(), fatal=error.fatal())
                continue
            self._apply(msg)
            offset = msg.offset()
            if partition in ends and offset is not None and offset + 1 >= ends[partition]:
                del ends[partition]

    def start(self) -> None:
        """Keep reading in a daemon thread until :meth:`close`."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._tail, name="mlbridge-catalog", daemon=True)
        self._thread.start()

    def _tail(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self._consumer.poll(POLL_SECONDS)
                if msg is None:
                    continue
                error = msg.error()
                if error is None:
                    self._apply(msg)
                elif error.code() != KafkaError._PARTITION_EOF:
                    log_event(WARNING, events.KAFKA_ERROR, error=error.str(), code=error.code(), fatal=error.fatal())
            except Exception as exc:  # noqa: BLE001 - the tail must outlive any one bad poll
                log_event(WARNING, events.CATALOG_TAIL_ERROR, topic=self.topic, error=f"{type(exc).__name__}: {exc}")
                self._stop.wait(1.0)

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the tail and close the consumer (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        try:
            self._consumer.close()
        except RuntimeError:
            pass  # already closed

    # ------------------------------------------------------------------ applying

    def _apply(self, msg: Message) -> None:
        try:
            key, entry = decode_record(msg.key(), msg.value())
        except BadCatalogRecord as exc:
            self.skipped += 1
            raw_key = msg.key()
            log_event(
                WARNING,
                events.CATALOG_ENTRY_SKIPPED,
                topic=msg.topic(),
                partition=msg.partition(),
                offset=msg.offset(),
                key=raw_key[:200].decode("utf-8", "replace") if isinstance(raw_key, bytes) else raw_key,
                error=str(exc),
            )
            return
        self.apply(key, entry)

    def apply(self, key: CatalogKey, entry: CatalogEntry | None) -> None:
        """Record one entry (``None``: the key was retired) and hand its schemas to the store."""
        text_key = key_text(key)
        if entry is None:
            with self._lock:
                self._entries.pop(text_key, None)
            log_event(DEBUG, events.CATALOG_ENTRY_RETIRED, topic=self.topic, key=text_key)
            return
        if self._store is not None:
            for text in entry.schemas():
                try:
                    self._store.add(json.loads(text))
                except Exception as exc:  # noqa: BLE001 - one unusable schema must not stop the view
                    self.skipped += 1
                    log_event(WARNING, events.CATALOG_ENTRY_SKIPPED, topic=self.topic, key=text_key, error=str(exc))
                    return
        with self._lock:
            self._entries[text_key] = entry
            self.applied += 1

    # ------------------------------------------------------------------ lookups

    def entries(self) -> list[CatalogEntry]:
        """Every live entry, pipelines by name and version first, then schemas."""
        with self._lock:
            found = list(self._entries.values())
        return sorted(found, key=lambda e: (e.kind is not CatalogKind.PIPELINE, e.name, e.version))

    def pipelines(self) -> list[CatalogEntry]:
        return [e for e in self.entries() if e.kind is CatalogKind.PIPELINE]

    def get(self, key: str) -> CatalogEntry | None:
        with self._lock:
            return self._entries.get(key)

    def versions(self, name: str) -> dict[int, CatalogEntry]:
        """Published versions of ``name``, oldest first."""
        return {e.version: e for e in self.pipelines() if e.name == name}


def key_text(key: CatalogKey) -> str:
    if key.kind is CatalogKind.SCHEMA:
        return f"schema/{key.name}"
    return pipeline_key(key.name, key.version)


__all__ = ["CatalogView", "CatalogUnavailable", "SchemaSink", "view_settings", "key_text"]
