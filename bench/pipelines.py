"""Pipelines the benchmarks call: the same trivial functions for every system measured."""
from __future__ import annotations

import time

from mlbridge_runner import pipeline


@pipeline
def noop():
    return None


@pipeline
def echo(payload=None):
    return payload


@pipeline("work_1ms")
def work_1ms():
    time.sleep(0.001)


@pipeline("work_10ms")
def work_10ms():
    time.sleep(0.010)
