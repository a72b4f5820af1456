"""librdkafka settings for the runner's consumer, producer and admin client."""

from __future__ import annotations

import os

from typing import Any

from ..config import RunnerConfig


def _client_id(identity: str) -> str:
    return "mlbridge-runner-" + identity.replace("/", "-")


def connection_settings(config: RunnerConfig) -> dict[str, Any]:
    """Where the brokers are and how to reach them (TLS, SASL: transport/security.py), for every client."""
    return {"bootstrap.servers": config.brokers, **dict(config.kafka_settings)}


def consumer_settings(config: RunnerConfig, identity: str) -> dict[str, Any]:
    """At-least-once consumer: offsets are stored by the runner after the reply is acknowledged,
    and auto-commit (every second, and on close) commits what was stored."""
    return {
        **connection_settings(config),
        "client.id": _client_id(identity),
        "group.id": config.group,
        "auto.offset.reset": "earliest",
        "enable.auto.offset.store": False,
        "enable.auto.commit": not config.transactional,  # transactional: offsets go with the replies
        "auto.commit.interval.ms": 1000,
        "partition.assignment.strategy": "cooperative-sticky",
        "session.timeout.ms": config.session_timeout_ms,
        "heartbeat.interval.ms": min(1000, config.session_timeout_ms // 3),  # rebalances finish sooner
        "max.poll.interval.ms": config.max_poll_interval_ms,
        "fetch.wait.max.ms": config.fetch_wait_max_ms,
        "fetch.min.bytes": 1,
        "enable.partition.eof": False,
        "socket.nagle.disable": True,  # see producer_settings
    }


#: The largest message the runner's producers send (librdkafka's ``message.max.bytes``, its default
#: value stated here so that an oversized reply can name its limit): a bigger one is refused before
#: it leaves the runner. The broker may refuse smaller ones (the topic's ``max.message.bytes``).
#: ``MLBRIDGE_MAX_MESSAGE_BYTES`` raises it for deployments whose topics allow bigger messages
#: (tensors and tables past 1 MB: docs/protocol.md, "Tensors and tables").
PRODUCER_MAX_MESSAGE_BYTES = int(os.environ.get("MLBRIDGE_MAX_MESSAGE_BYTES", "") or 1_000_000)


def producer_settings(config: RunnerConfig, identity: str) -> dict[str, Any]:
    """Replies and dead letters: sent at once, acknowledged by all in-sync replicas."""
    return {
        **connection_settings(config),
        "client.id": _client_id(identity),
        "message.max.bytes": PRODUCER_MAX_MESSAGE_BYTES,
        "linger.ms": 0,
        "acks": "all",
        "enable.idempotence": True,
        "message.timeout.ms": config.reply_timeout_ms,
        # A reply topic that does not exist (its client is gone) fails after this long instead of
        # after message.timeout.ms; topics a client just created propagate far faster than this.
        "topic.metadata.propagation.max.ms": 3000,
        # librdkafka leaves Nagle's algorithm on (the Java client and the broker turn it off): across
        # a network a small reply written while an earlier request is unacknowledged would wait for
        # a delayed ACK. No difference measured on loopback, where Linux ACKs at once.
        "socket.nagle.disable": True,
    }


#: linger.ms of the bulk reply producer: long enough for one ``produce_batch`` of held replies to be
#: queued whole, far below the up to 10 ms a held reply has already waited.
BULK_LINGER_MS = 0.2


def bulk_producer_settings(config: RunnerConfig, identity: str) -> dict[str, Any]:
    """The producer of replies released together (see ReplySender.release).

    With ``linger.ms`` 0 librdkafka's broker thread wakes at the first message of a
    ``produce_batch`` and sends what is queued so far, again and again while Python queues the
    rest: several Produce requests per batch, and the enqueuing thread contends for the queue lock.
    Measured with ``bench/runner_cpu.py`` (256 in flight, 100 B): runner 57 → 48.5 µs CPU per call,
    librdkafka's broker threads 7.2 → 2.0. A lone reply keeps the plain producer (linger 0) and
    its latency.
    """
    return {**producer_settings(config, identity), "client.id": _client_id(identity) + "-bulk", "linger.ms": BULK_LINGER_MS}


def transactional_id(config: RunnerConfig, identity: str) -> str:
    """One per runner instance: a restarted runner is a new instance (its predecessor's open
    transaction is aborted by the broker after transaction.timeout.ms)."""
    return f"mlbridge-{config.group}-{identity}"


def transactional_settings(config: RunnerConfig, identity: str) -> dict[str, Any]:
    """The reply producer of ``--transactional``; the consumer then commits nothing itself."""
    base = producer_settings(config, identity)
    return {
        **base,
        "transactional.id": transactional_id(config, identity),
        "transaction.timeout.ms": config.transaction_timeout_ms,
        "message.timeout.ms": min(base["message.timeout.ms"], config.transaction_timeout_ms),
    }


def admin_settings(config: RunnerConfig, identity: str) -> dict[str, Any]:
    return {**connection_settings(config), "client.id": _client_id(identity)}
