"""Failures of tensors and tables."""

from __future__ import annotations

from ..errors import MlbridgeRunnerError


class MissingDataPackage(MlbridgeRunnerError, ImportError):
    """A table (or a pandas/numpy hint) needs an optional package that is not installed."""

    def __init__(self, package: str, needed_for: str) -> None:
        self.package = package
        super().__init__(
            f"{needed_for} needs the optional package {package}, which is not installed: "
            f"pip install 'mlbridge-runner[data]' (or {package})"
        )


class TensorShapeMismatch(MlbridgeRunnerError, ValueError):
    """A tensor's dtype, shape and byte count disagree."""
