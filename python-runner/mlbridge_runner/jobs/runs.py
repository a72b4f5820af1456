"""The job lane's units of work and the records they write: a request taken from Kafka
(:class:`Claim`), a job running here (:class:`Run`), and how an outcome becomes a terminal record.

Pure bookkeeping, no Kafka: the lane (lane.py) decides when, the writer sends.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

from .. import error_codes
from ..codec.envelopes import RemoteError, RequestEnvelope
from ..progress import ProgressLimiter, Report
from ..runner.dispatch import Outcome, now_ms
from ..runner.failures import plain_error
from ..runner.offsets import Ticket
from ..runner.pool import Job as PoolJob
from .control import RunControl
from .records import CANCELLED, FAILED, JOB, QUEUED, SUCCEEDED, JobProgress, JobRecord

if TYPE_CHECKING:
    from confluent_kafka import Message

#: Error types a pipeline ends with when it honoured its cancellation.
_CANCEL_TYPES = ("CancelledError", "Cancelled")  # compared with the last part of a qualified name


class Claim:
    """A job request taken from Kafka and not settled yet: ``record`` is the Kafka record it came
    in (handed on as it was to a runner that has its pipeline, jobs/lane_handoff.py); ``handed_back``
    once that was tried and nobody could take it (its refusal is then written)."""

    __slots__ = ("ticket", "request", "max_attempts", "record", "handed_back")

    def __init__(self, ticket: Ticket, request: RequestEnvelope, max_attempts: int, record: Message | None = None) -> None:
        self.ticket = ticket
        self.request = request
        self.max_attempts = max_attempts
        self.record = record
        self.handed_back = False

    def queued_record(self) -> JobRecord:
        """The job's state when no record of it was found (the client's QUEUED record was lost)."""
        request = self.request
        return JobRecord(
            id=request.id, subject=JOB, state=QUEUED, pipeline=request.pipeline, args=request.args,
            args_schema=request.args_schema, max_attempts=self.max_attempts, submitted_at_ms=request.sent_at_ms,
            updated_at_ms=now_ms(),
        )


class Run:
    """A job running on this runner: its latest RUNNING record, kept under a lock because the
    pipeline's thread (progress, checkpoints) and the lane's thread (heartbeats) both update it."""

    def __init__(self, claim: Claim, record: JobRecord, pool_job: PoolJob, write: Callable[[JobRecord], None]) -> None:
        self.claim = claim
        self.record = record
        self.pool_job = pool_job
        self._write = write
        self.lock = threading.Lock()
        self.control = RunControl(record.attempt, record.checkpoint, on_checkpoint=self._checkpointed)
        self.limiter: ProgressLimiter | None = (
            ProgressLimiter(self._progressed) if pool_job.call.pipeline.progress_param is not None else None
        )
        self.cancel_deadline: float | None = None
        self.abandoned = False

    @property
    def id(self) -> str:
        return self.claim.request.id

    def snapshot(self) -> JobRecord:
        with self.lock:
            return self.record

    def beat(self) -> None:
        """Lane thread: a heartbeat (the record again, with the time)."""
        self._update(lambda r, now: replace(r, heartbeat_at_ms=now, updated_at_ms=now))

    def _progressed(self, report: Report) -> None:
        """Pipeline thread, through the limiter: a progress report."""
        if self.control.cancelled:
            return
        self._update(lambda r, now: replace(
            r, progress_seq=r.progress_seq + 1, progress=JobProgress(report.current, report.total, report.message, now),
            heartbeat_at_ms=now, updated_at_ms=now,
        ))

    def _checkpointed(self, data: bytes) -> None:
        """Pipeline thread: a checkpoint goes out at once."""
        self._update(lambda r, now: replace(r, checkpoint=data, heartbeat_at_ms=now, updated_at_ms=now))

    def _update(self, change: Callable[[JobRecord, int], JobRecord]) -> None:
        with self.lock:
            self.record = change(self.record, now_ms())
            record = self.record
        self._write(record)


def running_record(base: JobRecord, claim: Claim, runner: str, attempt: int, checkpoint: bytes | None) -> JobRecord:
    now = now_ms()
    return replace(
        base, state="RUNNING", attempt=attempt, max_attempts=claim.max_attempts, runner=runner,
        started_at_ms=now, heartbeat_at_ms=now, updated_at_ms=now, checkpoint=checkpoint,
    )


def outcome_fields(outcome: Outcome, cancelled: bool, value_reference: str) -> tuple[str, dict[str, Any]]:
    """The terminal state and fields of a run that ended with ``outcome``: a result wins even after
    a cancel (the work was done); an error after a cancel is the cancellation."""
    if outcome.error is None:
        return SUCCEEDED, {"result": outcome.result or b"", "result_schema": outcome.result_ref or value_reference}
    if cancelled:
        detail = outcome.error.message if outcome.error.type.rsplit(".", 1)[-1] not in _CANCEL_TYPES else ""
        message = "cancelled while running" + (f" (the pipeline ended with: {detail[:200]})" if detail else "")
        return CANCELLED, {"error": cancelled_error(message)}
    return FAILED, {"error": outcome.error}


def terminal_record(base: JobRecord, state: str, error: RemoteError | None = None, result: bytes = b"", result_schema: str = "") -> JobRecord:
    now = now_ms()
    return replace(
        base, state=state, error=error, result=result, result_schema=result_schema,
        finished_at_ms=now, updated_at_ms=now, heartbeat_at_ms=0,
    )


def too_large(record: JobRecord, topic: str, problem: str) -> JobRecord:
    """A SUCCEEDED record the broker refused for its size, as FAILED with RESULT_TOO_LARGE."""
    size = len(record.result)
    return replace(record, state=FAILED, result=b"", result_schema="", error=plain_error(
        error_codes.RESULT_TOO_LARGE, "ResultTooLarge",
        f"the result ({size} bytes) does not fit the job state topic {topic!r}: {problem} "
        "(the topic's max.message.bytes, 1 MiB by default, is the limit)",
    ))


def exhausted_error(record: JobRecord, attempts: int, max_attempts: int) -> RemoteError:
    return plain_error(
        error_codes.JOB_ATTEMPTS_EXHAUSTED,
        "JobAttemptsExhausted",
        f"job {record.id!r} was started {attempts} times (the maximum is {max_attempts}) "
        f"and its runner died each time; last runner {record.runner or 'unknown'}",
    )


def cancelled_error(message: str) -> RemoteError:
    return plain_error(error_codes.CANCELLED, "JobCancelled", message)
