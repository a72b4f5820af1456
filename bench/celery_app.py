"""Celery peer: a Redis-broker Celery app with the same no-op echo task (named ``echo``).

``cd bench && .venv/bin/celery -A celery_app worker --pool threads --concurrency 8 -Q bench``
with ``BENCH_REDIS_URL`` set; prints ``ready`` on stdout when the worker is ready.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_ready

url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
app = Celery("bench", broker=f"{url}/0", backend=f"{url}/1")
app.conf.update(
    task_serializer="json", result_serializer="json", accept_content=["json"],
    worker_prefetch_multiplier=4, task_acks_late=False, worker_hijack_root_logger=False,
    task_default_queue="bench", result_expires=60, broker_connection_retry_on_startup=True, worker_redirect_stdouts=False,
)


@app.task(name="echo")
def echo(payload=None):  # type: ignore[no-untyped-def]
    return payload


@worker_ready.connect
def _ready(**_: object) -> None:
    print("ready", flush=True)
