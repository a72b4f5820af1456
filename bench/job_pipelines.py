"""Pipelines of the jobs rung (bench/jobs.ts): a no-op call, and two kinds of busy training job.

Both jobs check for cancellation every step and report progress at most every 0.2 s (the runner
writes a RUNNING record per report, at most one per 100 ms): a cooperative job, as in the docs.
"""
from __future__ import annotations

import time

from mlbridge_runner import Progress, pipeline


@pipeline
def noop():
    return None


@pipeline("sleep_job", job=True)
def sleep_job(seconds: float = 3600.0, progress: Progress = Progress()) -> int:
    """CPU-light: sleeps in 20 ms steps (a job waiting on a GPU or on I/O looks like this to the runner)."""
    end = time.monotonic() + seconds
    steps = 0
    next_report = 0.0
    while time.monotonic() < end:
        progress.raise_if_cancelled()
        time.sleep(0.02)
        steps += 1
        now = time.monotonic()
        if now >= next_report:
            progress(steps, None, "sleeping")
            next_report = now + 0.2
    return steps


@pipeline("cpu_job", job=True)
def cpu_job(seconds: float = 3600.0, progress: Progress = Progress()) -> int:
    """CPU-bound pure Python: holds the GIL except at the interpreter's switch interval (5 ms)."""
    end = time.monotonic() + seconds
    steps = 0
    next_report = 0.0
    while time.monotonic() < end:
        progress.raise_if_cancelled()
        x = 0
        for i in range(20_000):
            x += i * i
        steps += 1
        now = time.monotonic()
        if now >= next_report:
            progress(steps, None, "computing")
            next_report = now + 0.2
    return steps
