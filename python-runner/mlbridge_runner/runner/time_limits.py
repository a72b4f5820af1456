"""Which running calls have passed the ``timeout=`` their pipeline was registered with."""

from __future__ import annotations

from .. import error_codes, events
from ..codec.envelopes import ReplyEnvelope, Timings
from ..errors import PipelineTimeout
from ..logging import WARNING, log_event
from .dispatch import Outcome, now_ms
from .failures import plain_error, type_name
from .pool import Job
from .replies import error_reply


class TimeLimits:
    """The set of jobs with a time limit; loop thread only."""

    def __init__(self) -> None:
        self._watched: set[Job] = set()

    def __bool__(self) -> bool:
        return bool(self._watched)

    def watch(self, job: Job) -> None:
        if job.call.pipeline.timeout is not None:
            self._watched.add(job)

    def forget(self, job: Job) -> None:
        self._watched.discard(job)

    def expired(self, now: float) -> list[Job]:
        """Jobs started more than their limit before ``now`` (monotonic); they stop being watched.
        Finished jobs are dropped along the way."""
        due = []
        for job in list(self._watched):
            if job.finished or job.abandoned:
                self._watched.discard(job)
                continue
            started, limit = job.started_monotonic, job.call.pipeline.timeout
            if started is not None and limit is not None and now - started > limit:
                self._watched.discard(job)
                due.append(job)
        return due


def timed_out(job: Job, now: float, killed: int | None, identity: str) -> tuple[ReplyEnvelope, Outcome]:
    """The reply and outcome of ``job``, abandoned at ``now`` (monotonic) past its time limit;
    ``killed``: the pid of its worker process, when process isolation killed one. Logs the event."""
    started = job.started_monotonic or now
    limit = job.call.pipeline.timeout or 0.0
    request = job.call.request
    log_event(
        WARNING,
        events.CALL_TIMED_OUT,
        id=request.id,
        pipeline=job.call.pipeline.name,
        timeout_seconds=limit,
        worker_pid=killed,
    )
    error = plain_error(
        error_codes.PIPELINE_TIMEOUT,
        type_name(PipelineTimeout()),
        f"pipeline {job.call.pipeline.name!r} did not finish within its {limit:g} s time limit"
        + ("; its worker process was killed" if killed is not None else ""),
    )
    finished = now_ms()
    started_ms = finished - int((now - started) * 1000)
    reply = error_reply(request.id, error, identity, Timings(job.call.received_at_ms, started_ms, finished))
    return reply, Outcome(None, error, started_ms, finished)
