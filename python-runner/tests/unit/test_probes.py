"""``/metrics``, ``/healthz`` and ``/readyz`` (observability/probes.py) over real HTTP on a free port
of 127.0.0.1; the runner's own states are set by hand (tests/integration and
test/integration/runner-metrics.test.ts drive them with a real runner and broker)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any, Iterator

import pytest

from mlbridge_runner.observability import MetricsServerFailed, Observer
from mlbridge_runner.observability.metrics import RunnerMetrics
from mlbridge_runner.observability.probes import LIVENESS_SECONDS, Health, ProbeServer


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def served() -> Iterator[tuple[str, Health, Clock]]:
    clock = Clock()
    health = Health(clock)
    metrics = RunnerMetrics("r", "v", "g")
    server = ProbeServer("127.0.0.1", 0, health, metrics.exposition)
    server.start()
    yield f"http://127.0.0.1:{server.port}", health, clock
    server.close()


def body(text: str) -> dict[str, Any]:
    return json.loads(text)


def test_metrics_are_served_in_the_prometheus_text_format(served: tuple[str, Health, Clock]) -> None:
    base, _, _ = served
    status, content_type, text = get(f"{base}/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=")
    assert 'mlbridge_runner_info{group="g",runner="r",version="v"} 1.0' in text
    assert get(f"{base}/other")[0] == 404


def test_healthz_is_alive_while_starting_and_while_the_loop_ticks(served: tuple[str, Health, Clock]) -> None:
    base, health, clock = served
    status, _, text = get(f"{base}/healthz")
    assert status == 200 and body(text)["status"] == "starting"
    health.tick()
    clock.now += LIVENESS_SECONDS - 0.5
    assert get(f"{base}/healthz")[0] == 200
    clock.now += 1.0  # the loop has not gone round for longer than the limit: stuck
    status, _, text = get(f"{base}/healthz")
    assert status == 503 and body(text)["loop_tick_age_seconds"] == pytest.approx(LIVENESS_SECONDS + 0.5)
    health.tick()
    assert get(f"{base}/healthz")[0] == 200


def test_readyz_names_each_failing_check(served: tuple[str, Health, Clock]) -> None:
    base, health, _ = served
    status, content_type, text = get(f"{base}/readyz")
    assert status == 503 and content_type == "application/json"
    assert body(text)["failing"] == ["pipelines_loaded", "connected", "group_joined"]
    health.serving = True
    health.connectivity(True, False)
    assert body(get(f"{base}/readyz")[2])["failing"] == ["group_joined"]
    health.connectivity(True, True)
    status, _, text = get(f"{base}/readyz")
    assert status == 200 and body(text) == {
        "ok": True, "failing": [],
        "checks": {"pipelines_loaded": True, "connected": True, "group_joined": True, "not_stopping": True},
    }
    health.brokers_down()  # librdkafka: every broker is down; the statistics will tell when one is back
    assert body(get(f"{base}/readyz")[2])["failing"] == ["connected"]
    health.connectivity(True, True)
    health.stopping = True
    assert get(f"{base}/readyz")[0] == 503


def test_observer_serves_on_its_port_and_stops_being_ready_when_the_loop_stops() -> None:
    observer = Observer(RunnerMetrics("r", "v", "g"), listen=("127.0.0.1", 0))
    observer.serve()
    try:
        assert observer.port is not None and observer.metrics_url == f"http://127.0.0.1:{observer.port}/metrics"
        observer.consumer_settings(readiness=True)["stats_cb"](json.dumps({
            "brokers": {"b/1": {"nodeid": 1, "state": "UP"}}, "cgrp": {"state": "up", "join_state": "steady"}, "topics": {},
        }))
        observer.serving(True)
        observer.tick()
        base = f"http://127.0.0.1:{observer.port}"
        assert get(f"{base}/readyz")[0] == 200
        assert "mlbridge_runner_loop_last_tick_timestamp_seconds 1.7" in get(f"{base}/metrics")[2]
        observer.serving(False)
        assert body(get(f"{base}/readyz")[2])["failing"] == ["pipelines_loaded", "not_stopping"]
    finally:
        observer.close()


def test_a_taken_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(MetricsServerFailed, match=f"cannot serve metrics on 127.0.0.1:{port}"):
            ProbeServer("127.0.0.1", port, Health(), lambda: (b"", "text/plain"))
