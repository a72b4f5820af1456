"""The runner's Prometheus metrics (observability/metrics.py, tally.py, lag.py): what a scrape shows
after calls, dead letters, restarts and librdkafka statistics. Nothing is started but threads."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mlbridge_runner.codec.envelopes import RemoteError, ReplyEnvelope, ReplyStatus, Timings
from mlbridge_runner.config import RunnerConfig
from mlbridge_runner.errors import ConfigError
from mlbridge_runner.observability import Observer
from mlbridge_runner.observability.lag import LaneStats, partition_lag
from mlbridge_runner.observability.metrics import UNKNOWN_PIPELINE, RunnerMetrics
from mlbridge_runner.registry import Registry
from mlbridge_runner.runner.dlq import DeadLetters

ROOT = Path(__file__).resolve().parents[2]


def scrape(metrics: RunnerMetrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def at(samples: dict[Any, float], name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def _reply(code: str | None, received: int, started: int, finished: int) -> ReplyEnvelope:
    timings = Timings(received, started, finished)
    if code is None:
        return ReplyEnvelope("id", ReplyStatus.OK, result=b"", result_schema="ref", runner="r", timings=timings)
    return ReplyEnvelope("id", ReplyStatus.ERROR, error=RemoteError(code, "T", "m"), runner="r", timings=timings)


def test_calls_by_pipeline_and_outcome_with_their_durations() -> None:
    registry = Registry()
    registry.register(lambda: None, "echo")
    metrics = RunnerMetrics("host/1/a", "1.2.3", "g")
    observer = Observer(metrics, pipelines=lambda name: name in registry)
    observer.replied("echo", _reply(None, 1000, 1003, 1010), None)
    observer.replied("echo", _reply(None, 1000, 1000, 3000), None)
    observer.replied("echo", _reply("PIPELINE_ERROR", 1000, 1500, 1600), None)
    observer.replied(observer.pipeline_label("nope"), _reply("UNKNOWN_PIPELINE", 5, 5, 5), None, ran=False)
    s = scrape(metrics)
    assert at(s, "mlbridge_runner_calls_total", pipeline="echo", outcome="ok") == 2
    assert at(s, "mlbridge_runner_calls_total", pipeline="echo", outcome="pipeline_error") == 1
    assert at(s, "mlbridge_runner_calls_total", pipeline=UNKNOWN_PIPELINE, outcome="unknown_pipeline") == 1
    assert at(s, "mlbridge_runner_call_duration_seconds_count", pipeline="echo") == 3
    assert at(s, "mlbridge_runner_call_duration_seconds_sum", pipeline="echo") == pytest.approx(0.007 + 2.0 + 0.1)
    assert at(s, "mlbridge_runner_call_duration_seconds_bucket", pipeline="echo", le="0.01") == 1  # cumulative
    assert at(s, "mlbridge_runner_call_duration_seconds_bucket", pipeline="echo", le="0.1") == 2
    assert at(s, "mlbridge_runner_call_duration_seconds_bucket", pipeline="echo", le="2.5") == 3
    assert at(s, "mlbridge_runner_call_duration_seconds_bucket", pipeline="echo", le="+Inf") == 3
    assert at(s, "mlbridge_runner_queue_wait_seconds_sum", pipeline="echo") == pytest.approx(0.003 + 0 + 0.5)
    # A call that never ran has no duration: no histogram series for it.
    assert at(s, "mlbridge_runner_call_duration_seconds_count", pipeline=UNKNOWN_PIPELINE) is None
    assert at(s, "mlbridge_runner_info", runner="host/1/a", version="1.2.3", group="g") == 1


def test_counts_from_many_threads_add_up_exactly() -> None:
    metrics = RunnerMetrics("r", "v", "g")
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        for i in range(5000):
            metrics.call("p", None if i % 2 else "CANCELLED", 0.001, 0.002)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    scrapes = [scrape(metrics) for _ in range(5)]  # scraping meanwhile must not fail or go backwards
    for thread in threads:
        thread.join()
    s = scrape(metrics)
    assert at(s, "mlbridge_runner_calls_total", pipeline="p", outcome="ok") == 20_000
    assert at(s, "mlbridge_runner_calls_total", pipeline="p", outcome="cancelled") == 20_000
    assert at(s, "mlbridge_runner_call_duration_seconds_count", pipeline="p") == 40_000
    counts = [at(x, "mlbridge_runner_call_duration_seconds_count", pipeline="p") or 0 for x in scrapes + [s]]
    assert counts == sorted(counts)


def test_gauges_are_read_when_scraped_and_counters_of_the_cold_paths() -> None:
    metrics = RunnerMetrics("r", "v", "g")
    observer = Observer(metrics, pipelines=lambda name: name == "train")
    queue = [1, 2, 3]

    class Workers:
        on_restart = None

    workers = Workers()
    dead_letters = DeadLetters(None, "t.dlq", lambda ticket: None)  # type: ignore[arg-type]
    observer.watch_calls(lambda: 2, lambda: len(queue), workers, dead_letters)
    observer.watch_jobs(lambda: 1)
    queue.append(4)
    assert dead_letters.on_sent is not None and workers.on_restart is not None
    dead_letters.on_sent("bad-magic")
    workers.on_restart("timeout")
    workers.on_restart("died")
    observer.progress("train", None)
    observer.job_ended("train", "SUCCEEDED", None, None)
    observer.job_ended("gone", "FAILED", None, None)
    s = scrape(metrics)
    assert at(s, "mlbridge_runner_calls_in_flight") == 2
    assert at(s, "mlbridge_runner_calls_queued") == 4
    assert at(s, "mlbridge_runner_jobs_running") == 1
    assert at(s, "mlbridge_runner_dead_letters_total", reason="bad-magic") == 1
    assert at(s, "mlbridge_runner_worker_restarts_total", reason="timeout") == 1
    assert at(s, "mlbridge_runner_worker_restarts_total", reason="died") == 1
    assert at(s, "mlbridge_runner_progress_reports_total", pipeline="train") == 1
    assert at(s, "mlbridge_runner_jobs_total", pipeline="train", state="succeeded") == 1
    assert at(s, "mlbridge_runner_jobs_total", pipeline=UNKNOWN_PIPELINE, state="failed") == 1


def _stats(partitions: dict[int, dict[str, Any]], broker_state: str = "UP", join_state: str = "steady") -> str:
    return json.dumps({
        "brokers": {
            "127.0.0.1:9092/1": {"nodeid": 1, "state": broker_state},
            "GroupCoordinator": {"nodeid": -1, "state": "UP"},  # logical: never counts as connected
        },
        "cgrp": {"state": "up", "join_state": join_state},
        "topics": {"req": {"partitions": {
            str(p): {"partition": p, "desired": True, **fields} for p, fields in partitions.items()
        } | {"-1": {"partition": -1, "desired": False}}}},
    })


def test_lag_of_each_assigned_partition_from_librdkafka_statistics() -> None:
    metrics = RunnerMetrics("r", "v", "g")
    seen: list[tuple[bool, bool]] = []
    stats = LaneStats(metrics, lambda connected, joined: seen.append((connected, joined)))
    assert stats.settings()["stats_cb"] is stats
    stats(_stats({0: {"consumer_lag_stored": 7}, 1: {"consumer_lag_stored": 0}}))
    s = scrape(metrics)
    assert at(s, "mlbridge_runner_consumer_lag", topic="req", partition="0") == 7
    assert at(s, "mlbridge_runner_consumer_lag", topic="req", partition="1") == 0
    assert at(s, "mlbridge_runner_consumer_lag", topic="req", partition="-1") is None
    assert seen == [(True, True)]
    # Partition 1 revoked: its series goes (its next owner reports it); the broker went away.
    stats(_stats({0: {"consumer_lag_stored": 0}}, broker_state="CONNECT", join_state="wait-join"))
    s = scrape(metrics)
    assert at(s, "mlbridge_runner_consumer_lag", topic="req", partition="0") == 0
    assert at(s, "mlbridge_runner_consumer_lag", topic="req", partition="1") is None
    assert seen[-1] == (False, False)


@pytest.mark.parametrize(
    "fields, lag",
    [
        ({"consumer_lag_stored": 3, "consumer_lag": 9}, 3),  # stored: what the runner answered
        ({"consumer_lag_stored": -1, "consumer_lag": 9}, 9),  # transactional: only commits
        ({"consumer_lag_stored": -1, "consumer_lag": -1, "hi_offset": 12, "ls_offset": 12, "lo_offset": 2}, 10),
        ({"consumer_lag_stored": -1, "consumer_lag": -1, "hi_offset": -1001, "ls_offset": -1001, "lo_offset": -1001}, 0),
    ],
)
def test_partition_lag_falls_back_when_nothing_was_stored(fields: dict[str, int], lag: int) -> None:
    assert partition_lag(fields) == lag


def test_observer_without_metrics_or_tracing_does_nothing_and_returns_no_headers() -> None:
    observer = Observer()
    assert observer.consumer_settings(readiness=True) == {}
    assert observer.replied("echo", _reply(None, 1, 2, 3), None) is None
    assert observer.progress("echo", None) is None
    observer.watch_calls(lambda: 0, lambda: 0)
    observer.serve()
    assert observer.metrics_url == "" and observer.port is None


def test_metrics_port_out_of_range_is_refused() -> None:
    with pytest.raises(ConfigError, match="metrics port"):
        RunnerConfig(metrics_port=70000).validate()


def test_without_prometheus_client_the_runner_refuses_metrics_naming_the_package() -> None:
    blocker = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'prometheus_client':\n"
        "            raise ModuleNotFoundError(name, name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from mlbridge_runner.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    pipelines = str(ROOT / "tests" / "fixtures" / "pipelines.py")
    done = subprocess.run(
        [sys.executable, "-c", blocker, "--pipelines", pipelines, "--metrics-port", "0", "--brokers", "127.0.0.1:1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "prometheus_client" in done.stderr and "mlbridge-runner[metrics]" in done.stderr
