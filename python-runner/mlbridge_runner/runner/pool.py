"""Worker threads that run calls off the consume loop.

A fixed number of daemon threads take jobs from a queue. A job whose time limit passed can be
*abandoned*: a Python thread cannot be killed, so the stuck thread is left to finish on its own
(its late result is dropped) and a replacement thread keeps the pool at full strength. Daemon
threads never hold up the process at exit, so a stop after the grace period is immediate.

Process isolation (hard kill on timeout) would be a second implementation of this same interface.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Callable

from .dispatch import Call
from .offsets import Ticket


class Job:
    """One accepted call travelling through the pool."""

    __slots__ = ("call", "ticket", "started_monotonic", "finished", "abandoned")

    def __init__(self, call: Call, ticket: Ticket) -> None:
        self.call = call
        self.ticket = ticket
        self.started_monotonic: float | None = None
        self.finished = False
        self.abandoned = False


_STOP = object()


class WorkerPool:
    """``size`` workers running ``work(job)``; :attr:`active` counts jobs not yet finished or abandoned."""

    def __init__(self, size: int, work: Callable[[Job], None], name: str = "mlbridge-worker") -> None:
        self._size = size
        self._work = work
        self._name = name
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._active = 0
        self._spawned = 0
        for _ in range(size):
            self._spawn()

    @property
    def active(self) -> int:
        return self._active

    def submit(self, job: Job) -> None:
        with self._lock:
            self._active += 1
        self._queue.put(job)

    def claim(self, job: Job) -> bool:
        """Called by the worker when the call returned: ``False`` if the job was abandoned meanwhile
        (then its result must be dropped). After a successful claim, call :meth:`release`."""
        with self._lock:
            if job.abandoned:
                return False
            job.finished = True
            return True

    def release(self, job: Job) -> None:
        """The claimed job's reply is handed to the producer: the slot is free."""
        with self._lock:
            self._active -= 1

    def abandon(self, job: Job) -> bool:
        """Give up on a running job; ``False`` if it already finished. Spawns a replacement worker."""
        with self._lock:
            if job.finished or job.abandoned:
                return False
            job.abandoned = True
            self._active -= 1
        self._spawn()
        return True

    def close(self) -> None:
        """Ask idle workers to exit; running jobs are not interrupted."""
        for _ in range(self._spawned):
            self._queue.put(_STOP)

    def _spawn(self) -> None:
        self._spawned += 1
        thread = threading.Thread(target=self._worker, name=f"{self._name}-{self._spawned}", daemon=True)
        thread.start()

    def _worker(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            job = item
            assert isinstance(job, Job)
            job.started_monotonic = time.monotonic()
            self._work(job)
            if job.abandoned:
                return  # a replacement took this thread's place
