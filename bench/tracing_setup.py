"""Loaded before bench/pipelines.py by the observability rung's traced runner: an OpenTelemetry SDK
TracerProvider sampling every call (the SDK's default sampler), spans batched to an exporter that
drops them — the runner's tracing at its full cost, without an exporter's network in the figure.
A pipelines module configuring tracing at import time is what users do (docs/observability.md)."""
from __future__ import annotations

from typing import Sequence

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult


class DropSpans(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


_provider = TracerProvider()
_provider.add_span_processor(BatchSpanProcessor(DropSpans(), max_queue_size=100_000, max_export_batch_size=4096))
trace.set_tracer_provider(_provider)
