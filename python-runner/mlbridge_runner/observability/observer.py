"""The one object the runner tells about its work: it feeds the metrics and the spans.

Both are optional. Metrics exist with ``--metrics-port`` (then ``/metrics``, ``/healthz`` and
``/readyz`` are served too); spans when ``opentelemetry-api`` is installed and a TracerProvider is
set. With neither, each method is a check or two: the runner calls them unconditionally.

Spans travel with the call: :meth:`Observer.start_call` returns the span (``None`` without tracing),
which the runner keeps on the call's ``Job`` (``job.trace``) and hands back at the end.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .. import events
from ..codec.envelopes import RemoteError, ReplyEnvelope, RequestEnvelope
from ..logging import INFO, log_event
from .lag import LaneStats
from .metrics import UNKNOWN_PIPELINE, RunnerMetrics
from .probes import Health, ProbeServer
from .tracing import CallTracer, Span, load_tracer

if TYPE_CHECKING:
    from confluent_kafka import KafkaError

    from ..config import RunnerConfig
    from ..registry import Registry
    from ..runner.offsets import Ticket

Headers = list[tuple[str, bytes]]

_ALL_BROKERS_DOWN = -187  # KafkaError._ALL_BROKERS_DOWN (librdkafka's RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)


class Observer:
    def __init__(
        self,
        metrics: RunnerMetrics | None = None,
        tracer: CallTracer | None = None,
        pipelines: Callable[[str], bool] | None = None,
        listen: tuple[str, int] | None = None,
    ) -> None:
        self.metrics = metrics
        self.tracer = tracer
        self.health = Health()
        #: Whether a pipeline name is one this runner serves (bounds the ``pipeline`` label).
        self._known = pipelines or (lambda name: False)
        self._listen = listen
        self._server: ProbeServer | None = None

    @classmethod
    def for_runner(cls, config: RunnerConfig, identity: str, registry: Registry, version: str) -> Observer:
        """Metrics when ``config.metrics_port`` is set (raises ``MissingPackage`` without
        prometheus_client), spans when OpenTelemetry is set up."""
        metrics = RunnerMetrics(identity, version, config.group) if config.metrics_port is not None else None
        listen = (config.metrics_host, config.metrics_port) if config.metrics_port is not None else None
        return cls(metrics, load_tracer(config.group, identity), lambda name: name in registry, listen)

    # ------------------------------------------------------------------ lifecycle

    def serve(self) -> None:
        """Start the HTTP server of ``/metrics`` and the probes (with metrics only)."""
        if self.metrics is None or self._listen is None or self._server is not None:
            return
        self.metrics.gauge_from(self.metrics.last_tick, lambda: self.health.last_tick or 0.0)
        self._server = ProbeServer(self._listen[0], self._listen[1], self.health, self.metrics.exposition)
        self._server.start()
        server = self._server
        log_event(INFO, events.METRICS_SERVING, host=server.host, port=server.port, url=server.url)

    @property
    def metrics_url(self) -> str:
        """``http://host:port/metrics`` while serving, else ``""``."""
        return self._server.url if self._server is not None else ""

    @property
    def port(self) -> int | None:
        return self._server.port if self._server is not None else None

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def watch_calls(
        self, running: Callable[[], int], queued: Callable[[], int], processes: Any = None, dead_letters: Any = None
    ) -> None:
        """Gauges read at scrape time; restarts of ``processes`` and records of ``dead_letters`` counted."""
        metrics = self.metrics
        if metrics is None:
            return
        metrics.gauge_from(metrics.in_flight, running)
        metrics.gauge_from(metrics.queued, queued)
        if processes is not None:
            processes.on_restart = metrics.worker_restart
        if dead_letters is not None:
            dead_letters.on_sent = metrics.dead_letter

    def watch_jobs(self, running: Callable[[], int], processes: Any = None, dead_letters: Any = None) -> None:
        metrics = self.metrics
        if metrics is None:
            return
        metrics.gauge_from(metrics.jobs_running, running)
        if processes is not None:
            processes.on_restart = metrics.worker_restart
        if dead_letters is not None:
            dead_letters.on_sent = metrics.dead_letter

    def consumer_settings(self, readiness: bool = False) -> dict[str, Any]:
        """Extra settings of a consumer whose partitions' lag is reported (``readiness``: its
        brokers and group membership decide ``/readyz``)."""
        if self.metrics is None:
            return {}
        return LaneStats(self.metrics, self.health.connectivity if readiness else None).settings()

    def kafka_error(self, error: KafkaError) -> None:
        if error.code() == _ALL_BROKERS_DOWN:
            self.health.brokers_down()

    def serving(self, now: bool) -> None:
        """The pipelines are loaded and the loop serves (``now``), or it stops."""
        self.health.serving = now
        self.health.stopping = not now and self.health.last_tick is not None

    def tick(self) -> None:
        self.health.last_tick = time.time()

    # ------------------------------------------------------------------ calls

    def pipeline_label(self, name: str) -> str:
        return name if self._known(name) else UNKNOWN_PIPELINE

    def start_call(self, request: RequestEnvelope, ticket: Ticket, pipeline: str) -> Span:
        """The consumer span of a call or job (``None`` without tracing)."""
        tracer = self.tracer
        if tracer is None:
            return None
        return tracer.start(request, ticket.topic, ticket.partition, ticket.offset, pipeline)

    def run(self, span: Span, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` with ``span`` current on this thread."""
        if span is None or self.tracer is None:
            return fn(*args)
        token = self.tracer.enter(span)
        try:
            return fn(*args)
        finally:
            self.tracer.leave(token)

    def enter(self, span: Span) -> object:
        return None if span is None or self.tracer is None else self.tracer.enter(span)

    def leave(self, token: object) -> None:
        if token is not None and self.tracer is not None:
            self.tracer.leave(token)

    def replied(self, pipeline: str, reply: ReplyEnvelope, span: Span, ran: bool = True) -> Headers | None:
        """A call was answered with the final ``reply`` (``ran``: the pipeline ran). Counts it,
        ends its span; returns the reply's record headers (the span's ``traceparent``)."""
        if self.metrics is None and span is None:
            return None
        timings = reply.timings
        wait_ms = timings.started_at_ms - timings.received_at_ms
        run_ms = timings.finished_at_ms - timings.started_at_ms
        error = reply.error
        if self.metrics is not None:
            self.metrics.call(
                pipeline, None if error is None else error.code,
                wait_ms / 1000 if ran else None, run_ms / 1000 if ran else None,
            )
        if span is None or self.tracer is None:
            return None
        headers = self.tracer.reply_headers(span)
        self.tracer.end(span, error, wait_ms if ran else None, run_ms if ran else None)
        return headers

    def progress(self, pipeline: str, span: Span) -> Headers | None:
        """A progress reply of a call is sent: counted; its record headers."""
        if self.metrics is not None:
            self.metrics.progress_report(pipeline)
        return None if span is None or self.tracer is None else self.tracer.reply_headers(span)

    def traceparent(self, span: Span) -> str | None:
        return None if span is None or self.tracer is None else self.tracer.traceparent(span)

    def trace_fields(self, span: Span) -> dict[str, str]:
        """``{"trace_id": ...}`` for a log line about a call whose span is recorded, else ``{}``."""
        if span is None or not span.is_recording():
            return {}
        return {"trace_id": f"{span.get_span_context().trace_id:032x}"}

    def dropped(self, span: Span) -> None:
        """A call left to another runner (revoked, stopping) before it ran: its span ends here."""
        if span is not None and self.tracer is not None:
            self.tracer.end(span, None, None, None, {"mlbridge.handed_over": True})

    # ------------------------------------------------------------------ jobs

    def job_ended(self, pipeline: str, state: str, error: RemoteError | None, span: Span, extra: Mapping[str, Any] | None = None) -> None:
        """A job reached a terminal ``state`` here (counted) and its run's span, if any, ends."""
        if self.metrics is not None:
            self.metrics.job_finished(self.pipeline_label(pipeline), state)
        if span is not None and self.tracer is not None:
            self.tracer.end(span, error, None, None, extra)
