"""Runner presence on a real broker: a real runner process announces itself on
``<request topic>.runners`` with its pipelines, partitions and metrics URL, keeps the record fresh, and
retires it with a tombstone on SIGTERM."""

from __future__ import annotations

import re
import time
import urllib.request

from mlbridge_runner.presence.records import decode_presence, presence_topic_for
from mlbridge_runner.transport.config import consumer_settings
from mlbridge_runner.config import RunnerConfig

from .kafka_client import read_all, unique
from .runner_process import RunnerProcess


def test_a_runner_announces_itself_and_leaves_a_tombstone(brokers: str) -> None:
    process = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--partitions", "3", "--presence-interval", "0.3",
        "--metrics-port", "0", "--metrics-host", "127.0.0.1",
    )
    topic = presence_topic_for(process.request_topic)
    try:
        started = process.wait_for("runner.started")
        process.wait_for("runner.assigned")
        runner_id = started["runner"]
        # Fresh records keep coming, the newest with every request partition once assigned.
        messages = read_all(
            brokers, topic, 0,
            lambda ms: len(ms) >= 3 and ms[-1].value() is not None
            and decode_presence(ms[-1].value()).call_partitions == (0, 1, 2),
        )
        newest = decode_presence(messages[-1].value())
        assert messages[-1].key().decode() == runner_id == newest.id
        assert newest.pipelines == tuple(sorted(started["pipelines"]))
        assert newest.group == process.group and newest.request_topic == process.request_topic
        assert newest.client_id == consumer_settings(RunnerConfig(), runner_id)["client.id"]
        assert newest.pid == process.proc.pid and newest.interval_ms == 300
        assert newest.live(int(time.time() * 1000))
        # metricsUrl is where this runner's /metrics answers (the dashboard scrapes it from here).
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/metrics", newest.metrics_url), newest.metrics_url
        with urllib.request.urlopen(newest.metrics_url, timeout=5) as response:
            assert f'runner="{runner_id}"' in response.read().decode()
        stamps = [decode_presence(m.value()).updated_at_ms for m in messages if m.value() is not None]
        assert stamps == sorted(stamps)
    finally:
        assert process.terminate() == 0
    tail = read_all(brokers, topic, 0, lambda ms: bool(ms) and ms[-1].value() is None, timeout=10)
    assert tail[-1].value() is None and tail[-1].key().decode() == runner_id
