"""The image's default pipelines: one echo, so a container started without your own answers a call.

Replace them by mounting your folder over /app/pipelines, or build with
``--build-arg PIPELINES_DIR=<folder>``, and pass ``--pipelines /app/pipelines/<file>.py``.
"""
from __future__ import annotations

from mlbridge_runner import pipeline


@pipeline(name="echo")
def echo(text: str) -> str:
    return text
