"""The job lane against a real broker and real runner processes (docs/jobs.md): the runner's half
of jobs, driven by a minimal client (job_client.py) that writes what the TypeScript client writes."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest

from mlbridge_runner.codec.value import decode_value
from mlbridge_runner.jobs.records import CALL, CANCEL_REQUESTED, JobRecord, encode_record

from .job_client import JobCaller
from .kafka_client import Caller, unique
from .runner_process import RunnerProcess

JOB_PIPELINES = Path(__file__).resolve().parents[3] / "test" / "fixtures" / "job_pipelines.py"


def _runner(brokers: str, *extra: str) -> RunnerProcess:
    return RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"),
        "--pipelines", str(JOB_PIPELINES), "--cancel-grace", "1", "--grace-seconds", "5", *extra,
    )


@pytest.fixture(scope="module")
def lane(brokers: str) -> Iterator[RunnerProcess]:
    # Thread isolation: these tests look at what happens on the runner's own threads (an ignoring
    # thread left running, an async task cancelled in the runner's process).
    process = _runner(brokers, "--job-concurrency", "1", "--job-isolation", "thread")
    try:
        process.wait_for("job.lane_assigned")
        yield process
    finally:
        process.terminate()


@pytest.fixture(scope="module")
def jobs(brokers: str, lane: RunnerProcess) -> Iterator[JobCaller]:
    client = JobCaller(brokers, lane.request_topic)
    yield client
    client.close()


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _grows(path: Path, seconds: float = 1.0) -> bool:
    before = _lines(path)
    time.sleep(seconds)
    return _lines(path) > before


def test_a_job_runs_reports_progress_in_order_and_keeps_its_result(jobs: JobCaller, tmp_path: Path):
    job_id = jobs.submit("train_steps", {"steps": 4, "step_seconds": 0.05, "marker": str(tmp_path / "m")})
    done = jobs.wait(job_id, "SUCCEEDED", "FAILED")
    assert done.state == "SUCCEEDED", done.error
    assert jobs.result(done) == {"steps": 4, "attempt": 1, "resumed_from": 0}
    seqs = [r.progress_seq for r in jobs.history[job_id]]
    assert seqs == sorted(seqs) and seqs[-1] >= 2  # reports closer than 100 ms apart are coalesced
    reported = [r.progress.current for r in jobs.history[job_id] if r.progress is not None]
    assert reported == sorted(reported) and reported[-1] == 4.0
    assert decode_value(done.checkpoint) == {"step": 4}
    assert done.attempt == 1 and done.runner and done.finished_at_ms >= done.started_at_ms > 0


def test_a_second_request_with_the_same_job_id_runs_once(jobs: JobCaller, lane: RunnerProcess, tmp_path: Path):
    marker = tmp_path / "m"
    job_id = jobs.submit("train_steps", {"steps": 3, "step_seconds": 0.2, "marker": str(marker)})
    jobs.submit("train_steps", {"steps": 3, "step_seconds": 0.2, "marker": str(marker)}, job_id=job_id, record=False)
    assert jobs.wait(job_id, "SUCCEEDED").state == "SUCCEEDED"
    jobs.submit("train_steps", {"steps": 3, "step_seconds": 0.2, "marker": str(marker)}, job_id=job_id, record=False)
    time.sleep(1.5)
    assert _lines(marker) == 3  # three steps, once
    assert len([e for e in lane.events() if e.get("event") == "job.started" and e.get("id") == job_id]) == 1


def test_a_cancelled_running_job_stops_at_its_next_check(jobs: JobCaller, tmp_path: Path):
    marker = tmp_path / "m"
    job_id = jobs.submit("train_steps", {"steps": 1000, "step_seconds": 0.05, "marker": str(marker)})
    jobs.wait_running(job_id)
    time.sleep(0.3)
    started = time.monotonic()
    jobs.cancel(job_id)
    done = jobs.wait(job_id, "CANCELLED", "SUCCEEDED", "FAILED", timeout=10)
    assert done.state == "CANCELLED" and done.error is not None and done.error.code == "CANCELLED"
    assert time.monotonic() - started < 2.0
    assert not _grows(marker, 0.5)


def test_a_job_cancelled_while_queued_never_starts(jobs: JobCaller, lane: RunnerProcess, tmp_path: Path):
    blocker = jobs.submit("train_steps", {"steps": 1000, "step_seconds": 0.05})
    jobs.wait_running(blocker)
    marker = tmp_path / "queued"
    queued = jobs.submit("train_steps", {"steps": 2, "step_seconds": 0.01, "marker": str(marker)})
    jobs.pump(0.5)
    assert jobs.states[queued].state == "QUEUED"  # one job slot: it waits behind the blocker
    jobs.cancel(queued)
    assert jobs.wait(queued, "CANCELLED").error.code == "CANCELLED"
    jobs.cancel(blocker)
    jobs.wait(blocker, "CANCELLED")
    time.sleep(1.5)  # the lane has taken the queued request by now, and must have skipped it
    assert not marker.exists()
    assert not [e for e in lane.events() if e.get("event") == "job.started" and e.get("id") == queued]
    assert jobs.states[queued].state == "CANCELLED"


def test_an_async_job_is_cancelled_through_its_task(jobs: JobCaller, tmp_path: Path):
    marker = tmp_path / "m"
    job_id = jobs.submit("sleepy_async", {"seconds": 60, "marker": str(marker)})
    jobs.wait_running(job_id)
    jobs.cancel(job_id)
    assert jobs.wait(job_id, "CANCELLED", "FAILED", "SUCCEEDED", timeout=10).state == "CANCELLED"
    assert marker.read_text().strip() == "task cancelled"


def test_thread_isolation_says_plainly_that_an_ignoring_thread_was_left_running(jobs: JobCaller, lane: RunnerProcess, tmp_path: Path):
    marker = tmp_path / "m"
    job_id = jobs.submit("ignore_cancel", {"seconds": 8, "marker": str(marker)})
    jobs.wait_running(job_id)
    jobs.cancel(job_id)
    done = jobs.wait(job_id, "CANCELLED", timeout=10)
    assert "could not be stopped" in done.error.message
    lane.wait_for("job.thread_left_running", id=job_id)
    # Its slot is free again: the next job runs at once although the thread still ticks.
    after = jobs.submit("train_steps", {"steps": 1, "step_seconds": 0.01})
    assert jobs.wait(after, "SUCCEEDED", timeout=10).state == "SUCCEEDED"


def test_failures_are_recorded_as_typed_errors(jobs: JobCaller):
    failing = jobs.submit("failing_job", {"message": "bad data"})
    unknown = jobs.submit("no_such_pipeline", {})
    bad_args = jobs.submit("train_steps", {"stepz": 1})
    too_large = jobs.submit("big_result", {"size": 2_000_000})
    errors = {name: jobs.wait(job_id, "FAILED").error for name, job_id in
              [("failing", failing), ("unknown", unknown), ("bad_args", bad_args), ("too_large", too_large)]}
    assert (errors["failing"].code, errors["failing"].type, errors["failing"].message) == ("PIPELINE_ERROR", "ValueError", "bad data")
    assert "raise ValueError" in errors["failing"].traceback
    assert errors["unknown"].code == "UNKNOWN_PIPELINE"
    assert errors["bad_args"].code == "INVALID_ARGUMENTS" and "steps" in errors["bad_args"].message
    assert errors["too_large"].code == "RESULT_TOO_LARGE" and "2000" in errors["too_large"].message


def test_an_undecodable_job_request_is_dead_lettered_and_the_lane_goes_on(jobs: JobCaller, lane: RunnerProcess):
    jobs.producer.produce(jobs.job_topic, key=b"garbage", value=b"\xc3\x01not a request")
    jobs.producer.flush(5)
    lane.wait_for("dlq.sent", topic=jobs.job_topic)
    after = jobs.submit("train_steps", {"steps": 1, "step_seconds": 0.01})
    assert jobs.wait(after, "SUCCEEDED").state == "SUCCEEDED"


def test_aborting_a_call_reaches_the_runner_running_it(jobs: JobCaller, lane: RunnerProcess, brokers: str, tmp_path: Path):
    caller = Caller(brokers, lane.request_topic)
    try:
        marker = tmp_path / "m"
        request = caller.request("slow_call", {"seconds": 30, "marker": str(marker)})
        caller.send(request)
        deadline = time.monotonic() + 10
        while _lines(marker) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        cancel = JobRecord(id=request.id, subject=CALL, state=CANCEL_REQUESTED, pipeline="slow_call",
                           updated_at_ms=int(time.time() * 1000))
        jobs.producer.produce(jobs.state_topic, key=request.id, value=encode_record(cancel))
        jobs.producer.flush(5)
        reply = caller.wait(request.id, timeout=10)
        assert marker.read_text().splitlines()[-1] == "cancelled"
        assert reply.error is None or reply.error.code == "CANCELLED"
        assert not _grows(marker, 0.3)
    finally:
        caller.close()


def test_process_isolation_kills_a_job_that_ignores_its_cancellation(brokers: str, tmp_path: Path):
    runner = _runner(brokers, "--job-concurrency", "1")  # jobs in worker processes: the default
    client = None
    try:
        runner.wait_for("job.lane_assigned")
        client = JobCaller(brokers, runner.request_topic)
        marker = tmp_path / "m"
        job_id = client.submit("ignore_cancel", {"seconds": 60, "marker": str(marker)})
        client.wait_running(job_id, timeout=30)
        deadline = time.monotonic() + 20
        while _lines(marker) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = int(marker.read_text().splitlines()[-1].split()[-1])
        client.cancel(job_id)
        done = client.wait(job_id, "CANCELLED", "FAILED", "SUCCEEDED", timeout=15)
        assert done.state == "CANCELLED"
        killed = runner.wait_for("job.killed", id=job_id)
        assert killed["pid"] == pid
        assert not _grows(marker, 0.5)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        # The lane goes on with a fresh worker process, and the checkpoint path works across it.
        after = client.submit("train_steps", {"steps": 2, "step_seconds": 0.01})
        finished = client.wait(after, "SUCCEEDED", timeout=30)
        assert client.result(finished)["steps"] == 2 and decode_value(finished.checkpoint) == {"step": 2}
    finally:
        if client is not None:
            client.close()
        runner.terminate()
