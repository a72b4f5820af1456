"""Cancelling a job the lane runs or holds: tell the pipeline, then stop it hard after the grace.

A mixin of :class:`~mlbridge_runner.jobs.lane.JobLane`, run on the lane's thread (the view's
cancellations reach it through ``job_cancelled`` and a queue).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING

from .. import events
from ..logging import INFO, WARNING, log_event
from ..runner.dispatch import now_ms
from .records import CANCELLED, JobRecord
from .runs import Claim, Run, cancelled_error, terminal_record

if TYPE_CHECKING:
    from ..runner.pool import WorkerPool
    from ..runner.processes import ProcessWorkers
    from .state_writer import StateWriter


class LaneCancellation:
    # Provided by JobLane.
    _running: dict[str, Run]
    _recent: dict[str, JobRecord]
    _waiting: deque[Claim]
    _writer: StateWriter
    _processes: ProcessWorkers | None
    _pool: WorkerPool
    _cancel_grace_s: float
    _last_recheck: float

    def _end(self, run: Run, record: JobRecord) -> None:
        raise NotImplementedError

    def _cancel(self, job_id: str) -> None:
        run = self._running.get(job_id)
        finished = self._recent.get(job_id)
        if run is None and finished is not None:
            # The cancel came after this runner finished the job: restate the outcome, so that the
            # compacted topic's last word on the job is its terminal record.
            self._writer.write(replace(finished, updated_at_ms=now_ms()))
            return
        if run is None:
            if any(claim.request.id == job_id for claim in self._waiting):
                self._last_recheck = 0.0  # decide it now: it must never start
            return
        if not run.control.cancel():
            return
        log_event(INFO, events.JOB_CANCELLING, id=job_id, grace_seconds=self._cancel_grace_s)
        if self._processes is not None:
            self._processes.cancel(run.pool_job)
        run.cancel_deadline = time.monotonic() + self._cancel_grace_s

    def _stop_hard(self, run: Run) -> None:
        """A cancelled pipeline ignored its cancellation for the whole grace period."""
        run.cancel_deadline = None
        if self._processes is not None:
            pid = self._processes.kill(run.pool_job, "cancelled")  # its worker returns WorkerDied: recorded CANCELLED
            log_event(WARNING, events.JOB_KILLED, id=run.claim.request.id, pid=pid)
            return
        # A Python thread cannot be stopped: record the cancellation, free the slot, drop its late result.
        if not self._pool.abandon(run.pool_job):
            return  # it finished just now
        run.abandoned = True
        if run.limiter is not None:
            run.limiter.close(flush=False)
        record = run.snapshot()
        message = (
            f"cancelled; the pipeline ignored the cancellation for {self._cancel_grace_s:g} s and, in thread "
            "isolation, its thread could not be stopped: it was left running and its result will be dropped "
            "(use --job-isolation process to have it killed)"
        )
        log_event(WARNING, events.JOB_THREAD_LEFT_RUNNING, id=run.claim.request.id)
        self._end(run, terminal_record(record, CANCELLED, cancelled_error(message)))
