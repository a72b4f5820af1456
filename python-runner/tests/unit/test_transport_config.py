"""librdkafka settings: the bulk reply producer differs from the plain one only where it should."""

from mlbridge_runner.config import RunnerConfig
from mlbridge_runner.transport.config import BULK_LINGER_MS, bulk_producer_settings, producer_settings


def test_the_bulk_producer_lingers_and_keeps_every_delivery_guarantee():
    config = RunnerConfig(brokers="127.0.0.1:9092").validate()
    plain, bulk = producer_settings(config, "h/1/a"), bulk_producer_settings(config, "h/1/a")
    assert plain["linger.ms"] == 0  # a lone reply leaves at once
    assert 0 < bulk["linger.ms"] == BULK_LINGER_MS < 1  # a released batch is queued whole first
    assert bulk["client.id"] == plain["client.id"] + "-bulk"  # told apart in broker logs and metrics
    different = {key for key in plain.keys() | bulk.keys() if plain.get(key) != bulk.get(key)}
    assert different == {"linger.ms", "client.id"}  # acks=all, idempotence, timeouts: the same
