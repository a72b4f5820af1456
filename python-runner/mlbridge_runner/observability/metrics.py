"""The runner's Prometheus metrics (``--metrics-port``; the ``metrics`` extra: prometheus_client).

Names and labels are a contract shared with the dashboard and docs/observability.md ("Runner
metrics"). Label values are bounded: pipeline names the registry knows (anything else is
:data:`UNKNOWN_PIPELINE`), error codes, dead-letter reasons, assigned partitions — never a request id.

One :class:`~prometheus_client.CollectorRegistry` per runner, no global collectors. The per-call
families are counted per thread without locks (tally.py) and summed when scraped; gauges of queue
and pool sizes are read when scraped. Bench figures in docs/observability.md.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Callable, Final

from .errors import MissingPackage
from .tally import CallTally

#: Seconds: 1 ms inference calls to four-hour training runs, in one set of buckets.
BUCKETS: Final = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14400,
)
#: The ``pipeline`` label of a call naming a pipeline this runner does not serve.
UNKNOWN_PIPELINE: Final = "(unknown)"
OK: Final = "ok"


def import_prometheus() -> ModuleType:
    """prometheus_client, or :class:`MissingPackage` naming it and the extra that brings it."""
    try:
        return importlib.import_module("prometheus_client")
    except ImportError as exc:
        raise MissingPackage("prometheus_client", "metrics", "--metrics-port", exc) from None


class RunnerMetrics:
    """The metric families of one runner, in a registry of their own (:attr:`registry`)."""

    def __init__(self, runner: str, version: str, group: str, prometheus: ModuleType | None = None) -> None:
        prom = prometheus or import_prometheus()
        self.prometheus = prom
        self.registry = registry = prom.CollectorRegistry()
        Counter, Gauge = prom.Counter, prom.Gauge
        self._tally = CallTally(BUCKETS)
        registry.register(_CallFamilies(self._tally, importlib.import_module("prometheus_client.core")))
        self.in_flight = Gauge("mlbridge_runner_calls_in_flight", "Calls running now.", registry=registry)
        self.queued = Gauge("mlbridge_runner_calls_queued", "Calls received and not started.", registry=registry)
        self._lag = Gauge(
            "mlbridge_runner_consumer_lag",
            "Records of each assigned partition not yet done (log end offset minus stored offset), call and job lanes.",
            ("topic", "partition"), registry=registry,
        )
        self._dead_letters = Counter(
            "mlbridge_runner_dead_letters", "Records sent to the dead-letter topic, by reason.", ("reason",), registry=registry
        )
        self._progress = Counter(
            "mlbridge_runner_progress_reports", "Progress replies sent to callers, by pipeline.",
            ("pipeline",), registry=registry,
        )
        self._restarts = Counter(
            "mlbridge_runner_worker_restarts", "Worker processes replaced (process isolation), by reason.",
            ("reason",), registry=registry,
        )
        self._jobs = Counter(
            "mlbridge_runner_jobs", "Jobs that reached a terminal state here, by pipeline and state.",
            ("pipeline", "state"), registry=registry,
        )
        self.jobs_running = Gauge("mlbridge_runner_jobs_running", "Jobs running now.", registry=registry)
        Gauge(
            "mlbridge_runner_info", "This runner: identity, package version, consumer group.",
            ("runner", "version", "group"), registry=registry,
        ).labels(runner, version, group).set(1)
        self.last_tick = Gauge(
            "mlbridge_runner_loop_last_tick_timestamp_seconds", "When the consume loop last went round (Unix time).",
            registry=registry,
        )
        self._outcomes: dict[str | None, str] = {None: OK}

    def call(self, pipeline: str, code: str | None, queue_wait_s: float | None, run_s: float | None) -> None:
        """A call answered: ``code`` None for OK; durations None for a call that never ran."""
        outcome = self._outcomes.get(code)
        if outcome is None:
            outcome = self._outcomes[code] = code.lower()  # type: ignore[union-attr]
        self._tally.add(pipeline, outcome, queue_wait_s, run_s)

    def dead_letter(self, reason: str) -> None:
        self._dead_letters.labels(reason).inc()

    def progress_report(self, pipeline: str) -> None:
        self._progress.labels(pipeline).inc()

    def worker_restart(self, reason: str) -> None:
        self._restarts.labels(reason).inc()

    def job_finished(self, pipeline: str, state: str) -> None:
        self._jobs.labels(pipeline, state.lower()).inc()

    def lag(self, topic: str, partition: int, records: int) -> None:
        self._lag.labels(topic, str(partition)).set(records)

    def forget_lag(self, topic: str, partition: int) -> None:
        try:
            self._lag.remove(topic, str(partition))
        except KeyError:
            pass

    def gauge_from(self, gauge: Any, read: Callable[[], float]) -> None:
        """``gauge`` reads ``read()`` when scraped (nothing to update on the hot path)."""
        gauge.set_function(read)

    def exposition(self) -> tuple[bytes, str]:
        """The current scrape: body and content type (Prometheus text format)."""
        return self.prometheus.generate_latest(self.registry), self.prometheus.CONTENT_TYPE_LATEST


class _CallFamilies:
    """The registry's view of the tally: collected at each scrape."""

    DOCS: Final = (
        "Calls answered, by pipeline and outcome (ok or the error code, lowercased).",
        "Run time of calls that ran (started to finished), from the reply's timings (ms resolution).",
        "Time calls that ran waited before starting (received to started), from the reply's timings.",
    )

    def __init__(self, tally: CallTally, core: ModuleType) -> None:
        self._tally = tally
        self._core = core

    def collect(self) -> Any:
        return self._tally.families(
            self._core, "mlbridge_runner_calls", "mlbridge_runner_call_duration_seconds",
            "mlbridge_runner_queue_wait_seconds", self.DOCS,
        )
