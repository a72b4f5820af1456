"""mlbridge runner: serve whitelisted Python pipelines to TypeScript callers over Kafka.

.. code-block:: python

    from mlbridge_runner import pipeline

    @pipeline("train_model", timeout=3600)
    def train_model(dataset: str, epochs: int = 5) -> dict: ...

Then ``python -m mlbridge_runner --pipelines ./pipelines.py``.
"""

from .errors import (
    AlreadyRegistered,
    Cancelled,
    ConfigError,
    InvalidArguments,
    InvalidPipelineName,
    MlbridgeRunnerError,
    NotRegistered,
    RegistryError,
)
from .progress import Progress
from .registry import Pipeline, Registry, default_registry, pipeline

__all__ = [
    "pipeline",
    "Progress",
    "Pipeline",
    "Registry",
    "default_registry",
    "MlbridgeRunnerError",
    "RegistryError",
    "NotRegistered",
    "AlreadyRegistered",
    "InvalidPipelineName",
    "InvalidArguments",
    "Cancelled",
    "ConfigError",
]
