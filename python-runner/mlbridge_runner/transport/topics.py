"""Create the request topic, its dead-letter topic and the catalogue topic if they do not exist."""

from __future__ import annotations

from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from .connect_check import FailureWatch


class TopicSetupError(Exception):
    """The topics could not be created (broker unreachable, not authorised, ...)."""


#: The catalogue keeps the latest entry per key (a tombstone retires a key).
CATALOG_TOPIC_CONFIG: dict[str, str] = {"cleanup.policy": "compact"}


def ensure_topics(
    admin_settings: dict[str, Any],
    topics: dict[str, int],
    timeout: float = 10.0,
    configs: dict[str, dict[str, str]] | None = None,
    replication_factor: int | None = None,
) -> list[str]:
    """Create each ``name → partitions`` topic that does not exist yet; return the ones created.

    ``configs`` gives topic settings (name → {setting: value}) used when a topic is created. A topic
    that already exists (made by an operator or another runner) is fine as it is. Topics get
    ``replication_factor`` replicas, by default min(3, brokers in the cluster).

    Raises :class:`~.connect_check.KafkaSecurityError` when the brokers refused the credentials or
    TLS failed (not worth a retry), :class:`TopicSetupError` otherwise.
    """
    watch = FailureWatch(admin_settings)
    admin = AdminClient(watch.settings)
    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException as exc:
        admin.poll(0)  # serves error_cb and the log lines the watch reads
        failure = watch.failure()
        if failure is not None:
            raise failure from None
        raise TopicSetupError(f"cannot list topics: {exc.args[0]}") from None
    existing = set(metadata.topics)
    replicas = replication_factor if replication_factor is not None else min(3, max(1, len(metadata.brokers)))
    missing = [
        NewTopic(name, num_partitions=partitions, replication_factor=replicas, config=(configs or {}).get(name, {}))
        for name, partitions in topics.items()
        if name not in existing
    ]
    if not missing:
        return []
    created = []
    for name, future in admin.create_topics(missing, operation_timeout=timeout, request_timeout=timeout).items():
        try:
            future.result(timeout=timeout)
            created.append(name)
        except KafkaException as exc:
            error: KafkaError = exc.args[0]
            if error.code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise TopicSetupError(f"cannot create topic {name!r}: {error.str()}") from None
        except Exception as exc:  # noqa: BLE001 - e.g. the future timed out
            raise TopicSetupError(f"cannot create topic {name!r}: {type(exc).__name__}: {exc}") from None
    return created


def ensure_catalog_topic(
    admin_settings: dict[str, Any], topic: str, timeout: float = 10.0, replication_factor: int | None = None
) -> bool:
    """Create the compacted one-partition catalogue topic if needed; ``True`` if this call made it."""
    return bool(ensure_topics(admin_settings, {topic: 1}, timeout, {topic: CATALOG_TOPIC_CONFIG}, replication_factor))
