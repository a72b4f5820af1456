"""The presence publisher's record and settings (the thread itself runs in tests/integration/test_presence.py)."""

from __future__ import annotations

from mlbridge_runner.config import RunnerConfig
from mlbridge_runner.errors import ConfigError
from mlbridge_runner.presence.publisher import PresencePublisher, PresenceState, presence_producer_settings
from mlbridge_runner.presence.records import PresenceRecord

import pytest


def test_the_record_carries_the_state_and_the_time():
    base = PresenceRecord("h/1/a", "mlbridge-runner-h-1-a", "h", 1, "0.1.0", "g", "t", pipelines=("a", "b"), interval_ms=500)
    publisher = PresencePublisher({}, "t.runners", base, PresenceState, clock_ms=lambda: 1234)
    record = publisher.record(PresenceState((0, 2), (1,), 3, 4, 1, 99))
    assert record.call_partitions == (0, 2) and record.job_partitions == (1,)
    assert (record.in_flight, record.queued, record.jobs_running, record.served) == (3, 4, 1, 99)
    assert record.updated_at_ms == 1234 and record.pipelines == ("a", "b") and record.id == "h/1/a"


def test_settings_keep_the_brokers_and_bound_retries_to_the_records_worth():
    settings = presence_producer_settings({"bootstrap.servers": "b:9092", "client.id": "mlbridge-runner-x"}, 5000)
    assert settings["bootstrap.servers"] == "b:9092"
    assert settings["client.id"] == "mlbridge-runner-x-presence"
    assert settings["message.timeout.ms"] == 15000


def test_the_interval_is_validated_and_names_the_topic():
    config = RunnerConfig(request_topic="ml.in")
    assert config.presence_topic == "ml.in.runners" and config.presence_interval_ms == 5000
    with pytest.raises(ConfigError, match="presence interval"):
        RunnerConfig(presence_interval_ms=50).validate()
