"""Failures of the observability features."""

from __future__ import annotations

from ..errors import ConfigError


class MissingPackage(ConfigError):
    """An optional feature was asked for and its package is not installed (exit 2, naming both)."""

    def __init__(self, package: str, extra: str, feature: str, cause: BaseException | None = None) -> None:
        self.package = package
        self.extra = extra
        self.feature = feature
        detail = f" ({cause})" if cause is not None else ""
        super().__init__(
            f"{feature} needs the Python package {package!r}: pip install 'mlbridge-runner[{extra}]'{detail}"
        )


class MetricsServerFailed(ConfigError):
    """The metrics and probes HTTP server could not listen (port taken, address not local)."""

    def __init__(self, host: str, port: int, cause: OSError) -> None:
        self.host = host
        self.port = port
        super().__init__(f"cannot serve metrics on {host}:{port}: {cause}")
