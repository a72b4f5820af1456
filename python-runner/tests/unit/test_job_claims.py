"""The job lane's decision per request (jobs/claims.py), without Kafka."""

from __future__ import annotations

from dataclasses import replace

from mlbridge_runner.jobs.claims import decide
from mlbridge_runner.jobs.records import JobRecord

NOW = 1_800_000_000_000
QUEUED = JobRecord(id="j", subject="JOB", state="QUEUED", pipeline="p", max_attempts=3)
RUNNING = replace(QUEUED, state="RUNNING", attempt=1, runner="other", started_at_ms=NOW - 60_000,
                  heartbeat_at_ms=NOW - 2_000, checkpoint=b"\x02")


def test_queued_runs_as_attempt_one():
    d = decide(QUEUED, NOW, local=False, max_attempts=3)
    assert (d.action, d.attempt, d.checkpoint) == ("run", 1, None)


def test_no_record_yet_runs_too():
    assert decide(None, NOW, local=False, max_attempts=3).action == "run"


def test_a_duplicate_request_of_a_job_running_here_is_skipped():
    assert decide(QUEUED, NOW, local=True, max_attempts=3).action == "skip"


def test_finished_jobs_are_never_run_again():
    for state in ("SUCCEEDED", "FAILED", "CANCELLED"):
        d = decide(replace(RUNNING, state=state), NOW, local=False, max_attempts=3)
        assert d.action == "skip" and state in d.reason


def test_cancel_requested_becomes_cancelled():
    assert decide(replace(RUNNING, state="CANCEL_REQUESTED"), NOW, False, 3).action == "cancel"


def test_fresh_heartbeat_is_watched():
    d = decide(RUNNING, NOW, local=False, max_attempts=3, stale_after_ms=15_000)
    assert d.action == "watch" and "other" in d.reason


def test_stale_heartbeat_is_taken_over_with_the_checkpoint():
    stale = replace(RUNNING, heartbeat_at_ms=NOW - 16_000)
    d = decide(stale, NOW, local=False, max_attempts=3, stale_after_ms=15_000)
    assert (d.action, d.attempt, d.checkpoint) == ("run", 2, b"\x02")


def test_the_record_s_max_attempts_governs_a_takeover():
    stale = replace(RUNNING, attempt=2, max_attempts=2, heartbeat_at_ms=NOW - 20_000)
    d = decide(stale, NOW, local=False, max_attempts=5, stale_after_ms=15_000)
    assert (d.action, d.attempt) == ("exhausted", 2)


def test_heartbeat_age_counts_from_the_start_when_none_was_sent():
    started_now = replace(RUNNING, heartbeat_at_ms=0, started_at_ms=NOW - 1_000)
    assert decide(started_now, NOW, False, 3, stale_after_ms=15_000).action == "watch"
