"""The runner's side of a trace: continue the caller's W3C trace context into the pipeline.

Only ``opentelemetry-api`` is used (the ``tracing`` extra); which SDK and exporter record the spans
is the deployment's choice (``opentelemetry-instrument``, or a pipelines module that sets a
TracerProvider when it is imported). Tracing is on when the API imports *and* a TracerProvider was
set before the runner started; otherwise :func:`load_tracer` returns ``None`` and every call pays
one ``is None`` check.

Per call (docs/observability.md, "Tracing: the runner side"):

- a span ``process <topic>`` of kind CONSUMER whose parent is the request's ``traceparent`` (and
  ``tracestate``) from the envelope's ``headers``, with the OpenTelemetry messaging attributes;
- the pipeline runs with that span current, so spans it creates nest under it (process isolation:
  the worker gets the span's ``traceparent`` in the request headers and makes it current there:
  :func:`attach_remote`);
- the final reply and progress replies carry the span's ``traceparent`` as a Kafka record header,
  when the span is recorded (a span nobody records is nothing to link to);
- at the end: ``mlbridge.queue_wait_ms``, ``mlbridge.run_ms``, and an error status on failure.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Mapping

from ..codec.envelopes import RemoteError, RequestEnvelope

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
TRACER_NAME = "mlbridge-runner"
#: The header a reply record carries, and the header a worker process reads its parent from.
REPLY_HEADER = TRACEPARENT

Span = Any  # opentelemetry.trace.Span; the API is optional, so not imported for typing


def _import_api() -> tuple[ModuleType, ModuleType, ModuleType] | None:
    try:
        trace = importlib.import_module("opentelemetry.trace")
        context = importlib.import_module("opentelemetry.context")
        w3c = importlib.import_module("opentelemetry.trace.propagation.tracecontext")
    except ImportError:
        return None
    return trace, context, w3c


def _provider_set(trace: ModuleType) -> bool:
    provider = trace.get_tracer_provider()
    return not isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider))


class CallTracer:
    """Starts, makes current and ends the consumer spans of calls and jobs. Thread-safe."""

    def __init__(self, api: tuple[ModuleType, ModuleType, ModuleType], group: str, runner: str) -> None:
        trace, context, w3c = api
        self._trace = trace
        self._context = context
        self._propagator = w3c.TraceContextTextMapPropagator()
        self._tracer = trace.get_tracer(TRACER_NAME)
        self._consumer = trace.SpanKind.CONSUMER
        self._error = trace.StatusCode.ERROR
        self._status = trace.Status
        self._group = group
        self._runner = runner

    def start(self, request: RequestEnvelope, topic: str, partition: int, offset: int, pipeline: str) -> Span:
        """The consumer span of ``request``, child of its ``traceparent`` (a root span without one)."""
        headers = request.headers
        parent = self._propagator.extract(headers) if TRACEPARENT in headers else None
        # Given at the start, as the semantic conventions ask: a sampler can decide on them.
        return self._tracer.start_span(f"process {topic}", context=parent, kind=self._consumer, attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.operation.name": "process",
            "messaging.destination.name": topic,
            "messaging.consumer.group.name": self._group,
            "messaging.destination.partition.id": str(partition),
            "messaging.kafka.offset": offset,
            "messaging.message.id": request.id,
            "mlbridge.pipeline": pipeline,
            "mlbridge.runner": self._runner,
        })

    def enter(self, span: Span) -> object:
        """Make ``span`` current on this thread; hand the token to :meth:`leave`."""
        return self._context.attach(self._trace.set_span_in_context(span))

    def leave(self, token: object) -> None:
        self._context.detach(token)

    def end(
        self,
        span: Span,
        error: RemoteError | None,
        queue_wait_ms: int | None,
        run_ms: int | None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """End ``span`` with its timings (None: it never ran) and, on ``error``, an error status."""
        if span.is_recording():
            ended: dict[str, Any] = dict(extra) if extra else {}
            if queue_wait_ms is not None:
                ended["mlbridge.queue_wait_ms"] = queue_wait_ms
            if run_ms is not None:
                ended["mlbridge.run_ms"] = run_ms
            if ended:
                span.set_attributes(ended)
            if error is not None:
                span.set_attribute("error.type", error.code)
                span.add_event("exception", {"exception.type": error.type, "exception.message": error.message})
                span.set_status(self._status(self._error, f"{error.code}: {error.message[:200]}"))
        span.end()

    @staticmethod
    def traceparent(span: Span) -> str | None:
        """``span``'s W3C ``traceparent``, or ``None`` when it is not recorded."""
        if span is None or not span.is_recording():
            return None
        ctx = span.get_span_context()
        return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{ctx.trace_flags:02x}"

    def reply_headers(self, span: Span) -> list[tuple[str, bytes]] | None:
        """The Kafka record headers of a reply to ``span``'s call (``None``: nothing to carry)."""
        parent = self.traceparent(span)
        return None if parent is None else [(REPLY_HEADER, parent.encode("ascii"))]


def load_tracer(group: str, runner: str) -> CallTracer | None:
    """A :class:`CallTracer` when ``opentelemetry-api`` imports and a TracerProvider is set, else ``None``."""
    api = _import_api()
    if api is None or not _provider_set(api[0]):
        return None
    return CallTracer(api, group, runner)


def attach_remote(headers: Mapping[str, str]) -> tuple[ModuleType, object] | None:
    """Worker process: make the ``traceparent`` in ``headers`` current (``None``: no trace or no
    API). Hand the result to :func:`detach`."""
    if TRACEPARENT not in headers:
        return None
    api = _import_api()
    if api is None:
        return None
    _, context, w3c = api
    return context, context.attach(w3c.TraceContextTextMapPropagator().extract(headers))


def detach(attached: tuple[ModuleType, object] | None) -> None:
    if attached is not None:
        context, token = attached
        context.detach(token)


def trace_id_of(traceparent: str | bytes | None) -> str | None:
    """The trace id of a *sampled* W3C ``traceparent`` (``00-<trace>-<span>-<flags>``), else ``None``."""
    if traceparent is None:
        return None
    if isinstance(traceparent, bytes):
        traceparent = traceparent.decode("ascii", "replace")
    if len(traceparent) < 55 or traceparent[2] != "-" or traceparent[35] != "-":
        return None
    try:
        sampled = int(traceparent[53:55], 16) & 1
    except ValueError:
        return None
    return traceparent[3:35] if sampled else None
