"""Worker threads that run calls off the consume loop, with a local queue in front of them.

``size`` daemon threads take jobs from a queue. Jobs that have not started can be cancelled (on
revocation of their partition, or at shutdown) so another runner takes them from Kafka. A job whose
time limit passed can be *abandoned*: a Python thread cannot be killed, so the stuck thread is left
to finish on its own (its late result is dropped) and a replacement thread keeps the pool at full
strength. Daemon threads never hold up the process at exit, so a stop after the grace period is
immediate.

Process isolation (hard kill on timeout) would be a second implementation of this same interface.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable

from .dispatch import Call
from .offsets import Ticket


class Job:
    """One accepted call travelling through the pool."""

    __slots__ = (
        "call", "ticket", "size", "idempotency_key", "started_monotonic", "finished", "abandoned", "progress", "trace",
    )

    def __init__(
        self, call: Call, ticket: Ticket, size: int = 0, idempotency_key: tuple[str, str] | None = None
    ) -> None:
        self.call = call
        self.ticket = ticket
        self.size = size
        #: (pipeline, key) when the request carried an idempotency key.
        self.idempotency_key = idempotency_key
        #: The call's progress limiter while it runs (set by the runner), else ``None``.
        self.progress: Any = None
        #: The call's span while tracing is on (observability/tracing.py), else ``None``.
        self.trace: Any = None
        self.started_monotonic: float | None = None
        self.finished = False
        self.abandoned = False


class WorkerPool:
    """``size`` workers running ``work(job)``.

    :attr:`running` counts started jobs not yet finished or abandoned; :attr:`queued` and
    :attr:`queued_bytes` the jobs waiting for a worker.
    """

    def __init__(
        self,
        size: int,
        work: Callable[[Job], None],
        name: str = "mlbridge-worker",
        init: Callable[[], None] | None = None,
    ) -> None:
        self._work = work
        self._init = init
        self._name = name
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._queue: deque[Job] = deque()
        self._queued_bytes = 0
        self._running = 0
        self._spawned = 0
        self._closed = False
        for _ in range(size):
            self._spawn()

    @property
    def running(self) -> int:
        return self._running

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def queued_bytes(self) -> int:
        return self._queued_bytes

    @property
    def active(self) -> int:
        """Running plus queued."""
        return self._running + len(self._queue)

    def submit(self, job: Job) -> None:
        with self._ready:
            self._queue.append(job)
            self._queued_bytes += job.size
            self._ready.notify()

    def cancel_queued(self, predicate: Callable[[Job], bool] = lambda job: True) -> list[Job]:
        """Remove and return the queued (not started) jobs for which ``predicate`` is true."""
        with self._lock:
            keep: deque[Job] = deque()
            cancelled: list[Job] = []
            for job in self._queue:
                (cancelled if predicate(job) else keep).append(job)
            self._queue = keep
            self._queued_bytes -= sum(job.size for job in cancelled)
        return cancelled

    def claim(self, job: Job) -> bool:
        """Called by the worker when the call returned: ``False`` if the job was abandoned meanwhile
        (then its result must be dropped). After a successful claim, call :meth:`release`."""
        with self._lock:
            if job.abandoned:
                return False
            job.finished = True
            return True

    def release(self, job: Job) -> None:
        """The claimed job's reply is handed to the producer: the worker is free."""
        with self._lock:
            self._running -= 1

    def abandon(self, job: Job) -> bool:
        """Give up on a running job; ``False`` if it already finished. Spawns a replacement worker."""
        with self._lock:
            if job.finished or job.abandoned or job.started_monotonic is None:
                return False
            job.abandoned = True
            self._running -= 1
            self._spawn()
        return True

    def close(self) -> None:
        """Let idle workers exit; running jobs are not interrupted."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def _spawn(self) -> None:  # called with or without the lock; only touches a counter
        self._spawned += 1
        thread = threading.Thread(target=self._worker, name=f"{self._name}-{self._spawned}", daemon=True)
        thread.start()

    def _take(self) -> Job | None:
        with self._ready:
            while not self._queue:
                if self._closed:
                    return None
                self._ready.wait()
            job = self._queue.popleft()
            self._queued_bytes -= job.size
            self._running += 1
            job.started_monotonic = time.monotonic()
            return job

    def _worker(self) -> None:
        if self._init is not None:
            try:
                self._init()  # e.g. start this thread's worker process
            except Exception:  # noqa: BLE001 - the work itself will report the problem
                pass
        while (job := self._take()) is not None:
            self._work(job)
            if job.abandoned:
                return  # a replacement took this thread's place
