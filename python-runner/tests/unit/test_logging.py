"""The librdkafka log bridge (``kafka_logger``): transient broker states are debug, not warnings."""

from __future__ import annotations

import json

import pytest

from mlbridge_runner import logging as runner_logging
from mlbridge_runner.logging import WARNING, kafka_logger

# What librdkafka logged through confluent-kafka (``logger.log(level, "%s [%s] %s", fac, name, buf)``)
# on the first start of a runner against a freshly started broker.
COORDINATOR_LOADING = (
    "GETPID", "mlbridge-catalog-vm-1-ab#producer-4",
    "[thrd:main]: Failed to acquire idempotence PID from broker 127.0.0.1:29092/1: "
    "Broker: Coordinator load in progress: retrying",
)
TRANSIENT = [
    COORDINATOR_LOADING,
    ("OFFSETFETCH", "rdkafka#consumer-1", "Failed to fetch offsets: Broker: Coordinator not available: retrying"),
    ("METADATA", "rdkafka#producer-2", "Topic t partition 0: Broker: Leader not available"),
    ("PRODUCE", "rdkafka#producer-2", "Broker: Not leader for partition: retrying"),
]


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("args", TRANSIENT, ids=[a[0] for a in TRANSIENT])
def test_transient_broker_state_is_not_a_warning(capsys, args):
    runner_logging.configure("info")
    kafka_logger().log(WARNING, "%s [%s] %s", *args)
    assert _lines(capsys.readouterr().err) == []


def test_transient_broker_state_is_a_debug_line_at_debug(capsys):
    runner_logging.configure("debug")
    kafka_logger().log(WARNING, "%s [%s] %s", *COORDINATOR_LOADING)
    [line] = _lines(capsys.readouterr().err)
    assert line["level"] == "debug"
    assert line["event"] == "kafka.log"
    assert "Coordinator load in progress" in line["message"]


def test_other_librdkafka_warnings_stay_warnings(capsys):
    runner_logging.configure("info")
    kafka_logger().log(WARNING, "%s [%s] %s", "SSL", "rdkafka#consumer-1", "certificate verify failed")
    [line] = _lines(capsys.readouterr().err)
    assert line["level"] == "warn"
    assert "certificate verify failed" in line["message"]
