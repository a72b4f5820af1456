"""What a runner's job view keeps and tells, fed records directly (no broker is contacted)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mlbridge_runner.jobs.records import JobRecord, encode_record
from mlbridge_runner.jobs.view import JobView

QUEUED = JobRecord(id="j", subject="JOB", state="QUEUED", pipeline="p", args=b"\x02", max_attempts=3)


@pytest.fixture
def view():
    cancelled: list[str] = []
    calls: list[str] = []
    v = JobView({"bootstrap.servers": "127.0.0.1:1", "group.id": "unit", "log_level": 0}, "t.jobs.state", cancelled.append, calls.append)
    v.cancelled, v.calls = cancelled, calls  # type: ignore[attr-defined]
    yield v
    v.close()


def feed(view: JobView, *records: JobRecord) -> None:
    for record in records:
        view._apply(record.id.encode(), encode_record(record))


def test_the_newest_record_of_a_job_wins(view):
    running = replace(QUEUED, state="RUNNING", attempt=1, runner="r1", checkpoint=b"\x04")
    feed(view, QUEUED, running)
    assert view.get("j") == running and len(view) == 1


def test_a_finished_job_keeps_only_its_state(view):
    feed(view, QUEUED, replace(QUEUED, state="SUCCEEDED", result=b"\x06" * 1000))
    found = view.get("j")
    assert found is not None and found.state == "SUCCEEDED" and found.terminal
    assert found.result == b"" and found.args == b""  # payloads are not kept


def test_a_late_cancel_does_not_reopen_a_finished_job_and_is_reported(view):
    feed(view, replace(QUEUED, state="SUCCEEDED"), replace(QUEUED, state="CANCEL_REQUESTED"))
    assert view.get("j").state == "SUCCEEDED"
    assert view.cancelled == ["j"]  # the lane restates the outcome


def test_cancellations_of_jobs_and_calls_are_told(view):
    feed(view, QUEUED, replace(QUEUED, state="CANCEL_REQUESTED"))
    call = JobRecord(id="call-1", subject="CALL", state="CANCEL_REQUESTED", pipeline="slow")
    feed(view, call)
    assert view.cancelled == ["j"] and view.calls == ["call-1"]
    assert view.call_cancelled("call-1") and not view.call_cancelled("call-2")
    assert view.get("call-1") is None  # a call is never a job


def test_tombstones_and_garbage(view):
    feed(view, QUEUED)
    view._apply(b"j", None)
    assert view.get("j") is None
    view._apply(b"x", b"\xc3\x01garbage")  # logged at debug, nothing kept
    assert len(view) == 0
