"""The job lane's bookkeeping (jobs/runs.py): records a run writes and how an outcome ends a job."""

from __future__ import annotations

from mlbridge_runner.codec.envelopes import RemoteError, RequestEnvelope
from mlbridge_runner.jobs.records import JobRecord
from mlbridge_runner.jobs.runs import Claim, Run, outcome_fields, running_record, terminal_record, too_large
from mlbridge_runner.progress import Progress, Report
from mlbridge_runner.registry import Registry
from mlbridge_runner.runner.dispatch import Call, Outcome
from mlbridge_runner.runner.offsets import Ticket
from mlbridge_runner.runner.pool import Job as PoolJob

registry = Registry()


@registry.pipeline("train", job=True)
def train(steps: int, progress: Progress = Progress()) -> int:
    return steps


REQUEST = RequestEnvelope(id="j1", pipeline="train", args=b"", args_schema="crc64:0", reply_to="", deadline_ms=0,
                          attempt=1, sent_at_ms=5, headers={})
CLAIM = Claim(Ticket("t", 0, 7, 1), REQUEST, max_attempts=4)


def _run() -> tuple[Run, list[JobRecord]]:
    written: list[JobRecord] = []
    base = CLAIM.queued_record()
    record = running_record(base, CLAIM, "host/1/x", attempt=2, checkpoint=b"\x02")
    call = Call(REQUEST, registry["train"], {"steps": 3}, 0)
    return Run(CLAIM, record, PoolJob(call, CLAIM.ticket), written.append), written


def test_a_claim_without_a_record_starts_from_its_request():
    queued = CLAIM.queued_record()
    assert (queued.id, queued.state, queued.pipeline, queued.max_attempts, queued.submitted_at_ms) == ("j1", "QUEUED", "train", 4, 5)


def test_a_run_carries_its_attempt_and_the_checkpoint_it_was_given():
    run, _ = _run()
    assert (run.record.state, run.record.attempt, run.record.runner) == ("RUNNING", 2, "host/1/x")
    assert run.control.attempt == 2 and run.control.checkpoint_bytes == b"\x02"
    assert run.limiter is not None  # the pipeline takes a Progress


def test_progress_checkpoints_and_heartbeats_are_written_as_running_records():
    run, written = _run()
    assert run.limiter is not None
    run.limiter.report(Report(1.0, 3.0, "one"))
    run.control.save_checkpoint({"step": 1})
    run.beat()
    assert [r.state for r in written] == ["RUNNING"] * 3
    assert written[0].progress_seq == 1 and written[0].progress is not None and written[0].progress.message == "one"
    assert written[1].checkpoint == run.control.checkpoint_bytes and written[1].progress_seq == 1
    assert written[2].heartbeat_at_ms >= written[1].heartbeat_at_ms


def test_no_progress_is_written_once_cancelled():
    run, written = _run()
    run.control.cancel()
    assert run.limiter is not None
    run.limiter.report(Report(2.0, None, "late"))
    assert written == []


def test_outcomes_map_to_terminal_states():
    ok = Outcome(b"\x06", None, 1, 2)
    raised = Outcome(None, RemoteError("PIPELINE_ERROR", "ValueError", "bad"), 1, 2)
    honoured = Outcome(None, RemoteError("PIPELINE_ERROR", "mlbridge_runner.errors.Cancelled", "the run was cancelled"), 1, 2)
    assert outcome_fields(ok, False, "crc64:v") == ("SUCCEEDED", {"result": b"\x06", "result_schema": "crc64:v"})
    assert outcome_fields(ok, True, "crc64:v")[0] == "SUCCEEDED"  # the work was done before it stopped
    assert outcome_fields(raised, False, "crc64:v") == ("FAILED", {"error": raised.error})
    state, fields = outcome_fields(raised, True, "crc64:v")
    assert state == "CANCELLED" and fields["error"].code == "CANCELLED" and "bad" in fields["error"].message
    state, fields = outcome_fields(honoured, True, "crc64:v")
    assert state == "CANCELLED" and fields["error"].message == "cancelled while running"


def test_a_result_too_large_becomes_a_typed_failure_naming_sizes():
    done = terminal_record(CLAIM.queued_record(), "SUCCEEDED", result=b"x" * 2000, result_schema="crc64:v")
    assert done.finished_at_ms > 0 and done.heartbeat_at_ms == 0
    failed = too_large(done, "t.jobs.state", "Broker: Message size too large")
    assert failed.state == "FAILED" and failed.result == b"" and failed.error is not None
    assert failed.error.code == "RESULT_TOO_LARGE" and "2000 bytes" in failed.error.message and "t.jobs.state" in failed.error.message
