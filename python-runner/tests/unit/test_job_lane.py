"""The job lane's offset and terminal-record rules with stand-ins for Kafka (the lane's consumer is
never created: requests are handed to it as its thread would)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from mlbridge_runner.codec.envelopes import RequestEnvelope
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import encode_value
from mlbridge_runner.jobs.lane import JobLane
from mlbridge_runner.jobs.records import JobRecord
from mlbridge_runner.jobs.runs import Claim
from mlbridge_runner.jobs.state_writer import StateWriteFailed
from mlbridge_runner.registry import Registry
from mlbridge_runner.runner.dispatch import Dispatcher

REF = wire_schemas().value.reference
gate = threading.Event()
registry = Registry()


@registry.pipeline("wait_for_gate", job=True)
def wait_for_gate() -> str:
    gate.wait(10)
    return "done"


class View:
    def catch_up(self, timeout: float) -> bool:
        return True

    def get(self, job_id: str) -> JobRecord | None:
        return None


class Writer:
    topic = "t.jobs.state"

    def __init__(self) -> None:
        self.written: list[JobRecord] = []
        self.failing = False

    def write(self, record: JobRecord) -> None:
        self.written.append(record)

    def write_sync(self, record: JobRecord, timeout: float = 30.0) -> None:
        if self.failing and record.terminal:
            raise StateWriteFailed("Local: Broker transport failure", False)
        self.written.append(record)

    def states(self) -> list[str]:
        return [r.state for r in self.written]


@pytest.fixture
def lane():
    gate.clear()
    writer = Writer()
    lane = JobLane(
        consumer_settings={}, topic="t.jobs", identity="host/1/x",
        dispatcher=Dispatcher(registry, REF), view=View(), writer=writer,  # type: ignore[arg-type]
        dead_letters=lambda *args: None, concurrency=1, heartbeat_s=3, stale_after_s=15, cancel_grace_s=1,
        default_max_attempts=3, value_reference=REF,
    )
    lane._tracker.assign([("t.jobs", 0)])
    lane.writer = writer  # type: ignore[attr-defined]
    yield lane
    gate.set()
    lane._pool.close()


def _request(job_id: str = "j1") -> RequestEnvelope:
    return RequestEnvelope(id=job_id, pipeline="wait_for_gate", args=encode_value({}), args_schema=REF, reply_to="",
                           deadline_ms=0, attempt=1, sent_at_ms=1, headers={})


def _take(lane: JobLane, offset: int = 0, job_id: str = "j1") -> None:
    """The lane's thread read a job request at ``offset``."""
    ticket = lane._tracker.track("t.jobs", 0, offset)
    lane._waiting.append(Claim(ticket, _request(job_id), 3))
    lane._decide_waiting()


def _finish(lane: JobLane) -> None:
    gate.set()
    deadline = time.monotonic() + 5
    while lane._finished.empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    lane._collect(block=0)


def test_the_offset_is_stored_only_after_the_terminal_record(lane: Any):
    _take(lane)
    assert lane.writer.states() == ["RUNNING"] and "j1" in lane._running
    assert lane._to_store == {}  # running: the request's offset stays open
    _finish(lane)
    assert lane.writer.states() == ["RUNNING", "SUCCEEDED"]
    assert lane._to_store == {("t.jobs", 0): 1}


def test_an_unacknowledged_terminal_record_is_retried_and_the_job_keeps_its_heartbeat(lane: Any):
    _take(lane)
    lane.writer.failing = True
    _finish(lane)
    assert "j1" in lane._running and "j1" in lane._unwritten and lane._to_store == {}
    lane._heartbeat()  # still RUNNING to everyone else: nobody takes it over meanwhile
    assert lane.writer.states()[-1] == "RUNNING"
    lane.writer.failing = False
    lane._retry_unwritten()
    assert lane.writer.states()[-1] == "SUCCEEDED"
    assert "j1" not in lane._running and lane._to_store == {("t.jobs", 0): 1}


def test_a_request_read_again_after_its_partition_came_back_takes_over_the_run_s_offset(lane: Any):
    _take(lane)
    lane._tracker.revoke([("t.jobs", 0)])  # rebalance: gone …
    lane._tracker.assign([("t.jobs", 0)])  # … and back, the job still running here
    _take(lane)  # the same request again, from the committed offset
    assert lane._to_store == {} and lane._waiting == type(lane._waiting)()  # not settled, not queued
    _finish(lane)
    assert lane.writer.states() == ["RUNNING", "SUCCEEDED"]  # ran once
    assert lane._to_store == {("t.jobs", 0): 1}  # the new ticket carried the offset


def test_a_true_duplicate_request_is_settled_without_a_second_run(lane: Any):
    _take(lane, offset=0)
    _take(lane, offset=1)  # the same job id again, later in the partition
    assert lane.writer.states() == ["RUNNING"]
    assert lane._to_store == {}  # offset 1 is done but 0 is not: the position cannot pass the running job
    _finish(lane)
    assert lane._to_store == {("t.jobs", 0): 2}
