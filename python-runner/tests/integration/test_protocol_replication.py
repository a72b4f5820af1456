"""docs/protocol.md §1, replication factor: the runner creates its topics with ``--replication-factor``
when given, else min(3, brokers in the cluster).

The choice for 1–5 brokers is checked against a stand-in admin client that reports that many
brokers (one broker here; the three-node case also runs for real in the gated
test/integration/cluster.test.ts); the factor really reaching the broker is checked on the dev
broker: the default gives 1 replica, an explicit 2 is refused by a one-broker cluster."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient

from mlbridge_runner.transport import topics as topics_module
from mlbridge_runner.transport.topics import TopicSetupError, ensure_topics

from .kafka_client import unique


class _Done:
    def result(self, timeout: float | None = None) -> None:
        return None


class _AdminOf:
    """An admin client whose cluster has ``brokers`` brokers and no topics; records what it is
    asked to create."""

    def __init__(self, brokers: int) -> None:
        self.brokers = brokers
        self.created: list[Any] = []

    def __call__(self, settings: dict[str, Any]) -> "_AdminOf":
        return self

    def list_topics(self, timeout: float | None = None) -> Any:
        return SimpleNamespace(topics={}, brokers={n: object() for n in range(self.brokers)})

    def create_topics(self, new_topics: list[Any], **_: Any) -> dict[str, _Done]:
        self.created.extend(new_topics)
        return {t.topic: _Done() for t in new_topics}


@pytest.mark.parametrize(("brokers", "explicit", "expected"), [
    (1, None, 1), (2, None, 2), (3, None, 3), (5, None, 3), (5, 2, 2), (1, 4, 4),
])
def test_the_default_is_min_3_and_the_cluster_size(monkeypatch, brokers, explicit, expected) -> None:
    admin = _AdminOf(brokers)
    monkeypatch.setattr(topics_module, "AdminClient", admin)
    ensure_topics({"bootstrap.servers": "stand-in:9092"}, {"a": 12, "b": 1}, replication_factor=explicit)
    assert [(t.topic, t.replication_factor) for t in admin.created] == [("a", expected), ("b", expected)]


def _replicas(brokers: str, topic: str) -> set[int]:
    meta = AdminClient({"bootstrap.servers": brokers}).list_topics(topic, timeout=10).topics[topic]
    return {len(p.replicas) for p in meta.partitions.values()}


def test_on_the_dev_broker_the_factor_reaches_the_broker(brokers: str) -> None:
    default, explicit = unique("mlbt.rf"), unique("mlbt.rf")
    assert ensure_topics({"bootstrap.servers": brokers}, {default: 2}) == [default]
    assert _replicas(brokers, default) == {1}  # min(3, one broker)
    with pytest.raises(TopicSetupError, match="(?i)replication"):
        ensure_topics({"bootstrap.servers": brokers}, {explicit: 1}, replication_factor=2)
