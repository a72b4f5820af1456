"""docs/protocol.md §12, deadlines on the runner: checked when a call is received *and* when a
worker is about to start it (a call that waited in the runner's queue past its deadline is refused
``DEADLINE_EXCEEDED`` without running), never while it runs (a running call is not stopped by its
deadline). One real runner with a single worker."""

from __future__ import annotations

import time

from mlbridge_runner.codec.envelopes import ReplyStatus
from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, unique
from .runner_process import RunnerProcess


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def test_deadline_checked_at_start_not_while_running(brokers: str) -> None:
    runner = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--partitions", "1", "--concurrency", "1",
        "--job-concurrency", "0",
    )
    caller = Caller(brokers, runner.request_topic)
    try:
        runner.wait_for("runner.assigned")
        # Runs 2.5 s, past its 1 s deadline: not stopped, answered OK.
        busy = caller.send(caller.request("slow", {"seconds": 2.5, "value": "done"}, deadline_ms=_now_ms() + 1_000))
        # Received at once (its deadline 1.5 s ahead), but the only worker is busy for 2.5 s.
        queued_deadline = _now_ms() + 1_500
        queued = caller.send(caller.request("add", {"a": 1, "b": 2}, deadline_ms=queued_deadline))
        # Same queue, no deadline: runs after the busy one.
        patient = caller.send(caller.request("add", {"a": 2, "b": 2}))

        finished = caller.wait(busy, timeout=20)
        assert finished.status is ReplyStatus.OK and decode_value(finished.result) == "done", finished.error
        assert finished.timings.finished_at_ms - finished.timings.started_at_ms >= 2_400
        refused = caller.wait(queued, timeout=20)
        assert refused.status is ReplyStatus.ERROR and refused.error.code == "DEADLINE_EXCEEDED", refused.error
        assert "before the runner could start the call" in refused.error.message
        # Received before its deadline, refused when the worker came free, after it.
        timings = refused.timings
        assert timings.received_at_ms < queued_deadline < timings.started_at_ms == timings.finished_at_ms, timings
        assert timings.started_at_ms >= finished.timings.finished_at_ms - 100, (timings, finished.timings)
        assert decode_value(caller.wait(patient, timeout=20).result) == 4
    finally:
        caller.close()
        runner.terminate()
