"""What the runner tells operators: Prometheus metrics and health probes (``--metrics-port``) and
OpenTelemetry spans continuing the caller's trace (docs/observability.md)."""

from .errors import MetricsServerFailed, MissingPackage
from .observer import Observer

__all__ = ["MetricsServerFailed", "MissingPackage", "Observer"]
