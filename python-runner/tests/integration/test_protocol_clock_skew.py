"""docs/protocol.md §12, clock skew: the runner compares ``deadlineMs`` (the client's clock) with
its own wall clock. Real runner processes whose clock is shifted by a ``sitecustomize`` on their
PYTHONPATH (test/fixtures/protocol/skewed_clock): one 30 s ahead of the caller, one 30 s behind."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterator

import pytest

from mlbridge_runner.codec.envelopes import ReplyStatus
from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, unique
from .runner_process import PACKAGE_ROOT, RunnerProcess

SKEWED_CLOCK = PACKAGE_ROOT.parent / "test" / "fixtures" / "protocol" / "skewed_clock"
SKEW_S = 30


def _skewed_runner(brokers: str, skew_s: int) -> RunnerProcess:
    path = os.pathsep.join([str(SKEWED_CLOCK), str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")])
    return RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--partitions", "1", "--concurrency", "2",
        "--job-concurrency", "0",
        env={"PYTHONPATH": path, "MLBRIDGE_TEST_CLOCK_SKEW_S": str(skew_s)},
    )


@pytest.fixture(scope="module")
def skewed(brokers: str) -> Iterator[dict[int, tuple[RunnerProcess, Caller]]]:
    # Both started before either is waited for: their start-ups overlap.
    runners = {skew: _skewed_runner(brokers, skew) for skew in (SKEW_S, -SKEW_S)}
    callers: dict[int, Caller] = {}
    try:
        for skew, runner in runners.items():
            runner.wait_for("runner.assigned")
            callers[skew] = Caller(brokers, runner.request_topic)
        yield {skew: (runners[skew], callers[skew]) for skew in runners}
    finally:
        for caller in callers.values():
            caller.close()
        for runner in runners.values():
            runner.terminate()


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def test_the_fixture_really_skews_the_runner_clock(skewed) -> None:
    """Reply timings are on the runner's clock (§7): they show its skew against the caller's."""
    for skew, (_, caller) in skewed.items():
        before = _now_ms()
        reply = caller.invoke("echo", {"value": 1})
        after = _now_ms()
        assert reply.status is ReplyStatus.OK, reply.error
        received = reply.timings.received_at_ms
        assert before + skew * 1000 - 2000 <= received <= after + skew * 1000 + 2000, (skew, before, received)


def test_a_runner_ahead_by_more_than_the_timeout_refuses_the_call(skewed) -> None:
    """Ahead by 30 s, a 10 s timeout is already past on the runner's clock: DEADLINE_EXCEEDED,
    not run; a 60 s timeout still runs (the deadline is 30 s away for it)."""
    _, caller = skewed[SKEW_S]
    refused = caller.invoke("add", {"a": 1, "b": 2}, deadline_ms=_now_ms() + 10_000)
    assert refused.status is ReplyStatus.ERROR and refused.error.code == "DEADLINE_EXCEEDED", refused.error
    # "deadline passed N ms before the runner could start the call": N is about the skew minus the timeout.
    passed_by = int(refused.error.message.split("deadline passed ")[1].split(" ms")[0])
    assert 15_000 <= passed_by <= 25_000, refused.error.message
    ran = caller.invoke("add", {"a": 1, "b": 2}, deadline_ms=_now_ms() + 60_000)
    assert ran.status is ReplyStatus.OK and decode_value(ran.result) == 3, ran.error


def test_a_runner_behind_runs_a_call_whose_deadline_the_client_has_passed(skewed) -> None:
    """Behind by 30 s, a deadline 10 s in the caller's past is still 20 s ahead for the runner: the
    call runs (a real client would have given up and ignore the reply)."""
    _, caller = skewed[-SKEW_S]
    late = caller.invoke("add", {"a": 2, "b": 3}, deadline_ms=_now_ms() - 10_000)
    assert late.status is ReplyStatus.OK and decode_value(late.result) == 5, late.error
    # Past the skew, the runner refuses it too.
    too_late = caller.invoke("add", {"a": 2, "b": 3}, deadline_ms=_now_ms() - 40_000)
    assert too_late.status is ReplyStatus.ERROR and too_late.error.code == "DEADLINE_EXCEEDED", too_late.error
