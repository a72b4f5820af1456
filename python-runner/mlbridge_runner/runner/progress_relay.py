"""Progress reports of running calls, from the pipeline's thread to the caller's reply topic.

Each call of a pipeline that takes a ``Progress`` parameter gets a :class:`ProgressLimiter` whose
reports become ``PROGRESS`` replies. Reports that came too soon are held by the limiter; the loop
thread calls :meth:`ProgressRelay.flush_due` so a held report still leaves while the call runs on.
"""

from __future__ import annotations

import threading

from ..codec.envelopes import Progress as ProgressRecord
from ..codec.envelopes import ReplyEnvelope, ReplyStatus, Timings
from ..observability import Observer
from ..progress import ProgressLimiter, Report
from .dispatch import now_ms
from .pool import Job
from .replies import ReplySender


class ProgressRelay:
    """Thread-safe: calls start and end on worker threads, the loop flushes."""

    def __init__(self, identity: str, observer: Observer | None = None) -> None:
        self._identity = identity
        #: Counts the reports and gives them the call's trace header.
        self._observer = observer or Observer()
        #: Set once the producers exist (the relay is made before them).
        self.sender: ReplySender | None = None
        self._running: set[Job] = set()
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return bool(self._running)

    def start(self, job: Job) -> ProgressLimiter | None:
        """The limiter for ``job``'s reports, or ``None`` if its pipeline reports no progress."""
        if job.call.pipeline.progress_param is None:
            return None
        request = job.call.request
        started = now_ms()
        observer, pipeline = self._observer, job.call.pipeline.name

        def send(report: Report) -> None:
            reply = ReplyEnvelope(
                id=request.id,
                status=ReplyStatus.PROGRESS,
                progress=ProgressRecord(report.current, report.total, report.message),
                runner=self._identity,
                timings=Timings(job.call.received_at_ms, started, now_ms()),
            )
            assert self.sender is not None
            headers = observer.progress(pipeline, job.trace)
            self.sender.send(reply, request.reply_to, None, request.deadline_ms, headers=headers)

        limiter = ProgressLimiter(send)
        with self._lock:
            job.progress = limiter
            self._running.add(job)
        return limiter

    def end(self, job: Job, flush: bool) -> None:
        """``job`` stopped running; ``flush``: its held report goes out first."""
        limiter = job.progress
        if limiter is None:
            return
        limiter.close(flush)
        with self._lock:
            self._running.discard(job)

    def flush_due(self) -> None:
        """Loop thread: send the held reports whose interval has passed."""
        with self._lock:
            limiters = [job.progress for job in self._running]
        for limiter in limiters:
            limiter.flush_due()
