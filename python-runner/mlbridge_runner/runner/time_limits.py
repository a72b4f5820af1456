"""Which running calls have passed the ``timeout=`` their pipeline was registered with."""

from __future__ import annotations

from .pool import Job


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
