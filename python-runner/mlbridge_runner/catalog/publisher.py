"""Write catalogue entries and tombstones, waiting until the broker has them."""

from __future__ import annotations

from typing import Any, Iterable

from confluent_kafka import KafkaError, Producer

from ..errors import MlbridgeRunnerError
from .entries import CatalogEntry, encode_entry


class CatalogPublishError(MlbridgeRunnerError):
    """An entry or tombstone was not acknowledged by the broker."""


def publisher_settings(brokers: str, client_id: str, timeout_s: float) -> dict[str, Any]:
    return {
        "bootstrap.servers": brokers,
        "client.id": client_id,
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 0,
        "message.timeout.ms": max(1000, int(timeout_s * 1000)),
    }


def _send(settings: dict[str, Any], topic: str, records: list[tuple[str, bytes | None]], timeout_s: float) -> None:
    producer = Producer(settings)
    failures: list[str] = []

    def delivered(error: KafkaError | None, msg: Any) -> None:
        if error is not None:
            key = msg.key().decode("utf-8", "replace") if msg.key() else "?"
            failures.append(f"{key}: {error.str()}")

    for key, value in records:
        producer.produce(topic, key=key.encode("utf-8"), value=value, on_delivery=delivered)
    left = producer.flush(timeout_s)
    if left:
        raise CatalogPublishError(f"{left} catalogue record(s) not acknowledged within {timeout_s:g} s on {topic!r}")
    if failures:
        raise CatalogPublishError(f"catalogue record(s) rejected on {topic!r}: {'; '.join(failures)}")


def publish_entries(settings: dict[str, Any], topic: str, entries: Iterable[CatalogEntry], timeout_s: float = 15.0) -> None:
    """Produce every entry under its key and wait for all acknowledgements."""
    _send(settings, topic, [(entry.key, encode_entry(entry)) for entry in entries], timeout_s)


def publish_tombstone(settings: dict[str, Any], topic: str, key: str, timeout_s: float = 15.0) -> None:
    """Retire ``key``: a null value, which compaction keeps until every reader has seen it."""
    _send(settings, topic, [(key, None)], timeout_s)


__all__ = ["CatalogPublishError", "publisher_settings", "publish_entries", "publish_tombstone"]
