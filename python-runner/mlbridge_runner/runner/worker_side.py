"""The worker side of a call: run it on a worker thread, answer it, settle it — and what follows
a call's end wherever it ran (stored outcomes for repeated idempotency keys, abandoned calls).

A mixin of :class:`~mlbridge_runner.runner.loop.Runner`, kept apart from the consume loop: these
methods run on worker threads (``_work``, ``_finish_key``, ``_answer_repeat``) or handle calls the
loop handed off (``_check_timeouts``, on the loop thread).
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING, Callable

from .. import error_codes, events
from ..jobs.control import RunControl
from ..logging import DEBUG, ERROR, INFO, enabled, log_event
from .failures import plain_error
from .dispatch import Outcome, Rejected, execute, now_ms
from .pool import Job
from .replies import outcome_reply
from .time_limits import timed_out

if TYPE_CHECKING:
    from ..config import RunnerConfig
    from ..observability import Observer
    from .dispatch import Dispatcher
    from .dlq import DeadLetters
    from .idempotency import IdempotencyCache
    from .inline import InlinePolicy
    from .offsets import Ticket
    from .pool import WorkerPool
    from .processes import ProcessWorkers
    from .progress_relay import ProgressRelay
    from .replies import ReplySender
    from .time_limits import TimeLimits
    from .transactions import TransactionalReplies


class WorkerSide:
    # Provided by Runner.
    identity: str
    _value_reference: str
    _served: int
    _dispatcher: Dispatcher
    _inline: InlinePolicy
    _pool: WorkerPool
    _processes: ProcessWorkers | None
    _progress: ProgressRelay
    _replies: ReplySender | TransactionalReplies
    _settle: Callable[[Ticket | None], None]
    _dlq: DeadLetters
    _limits: TimeLimits
    _idempotency: IdempotencyCache[Job, Outcome]
    _resubmit: queue.SimpleQueue[Job]
    #: Whether the caller of a request id aborted it (the job state view's knowledge).
    _cancelled_before_start: Callable[[str], bool]
    config: RunnerConfig
    #: Running calls a cancellation can reach, by request id (see _cancellable).
    _cancellables: dict[str, tuple[Job, RunControl]]
    _observer: Observer

    def _work(self, job: Job) -> None:
        """Runs on a worker thread."""
        ran = False
        request_id = job.call.request.id
        try:
            # It may have waited in the queue: the caller may have given up meanwhile.
            self._dispatcher.check_deadline(job.call.request)
            if self._cancelled_before_start(request_id):
                raise Rejected(plain_error(error_codes.CANCELLED, "Cancelled", "the caller cancelled the call before it started"))
        except Rejected as rejected:
            outcome = Outcome(None, rejected.error, now_ms(), now_ms())
        else:
            limiter = self._progress.start(job)
            report = limiter.report if limiter is not None else None
            control = self._cancellable(job)
            token = self._observer.enter(job.trace)  # the pipeline's spans nest under the call's
            try:
                if self._processes is not None:
                    outcome = self._processes.run(job, report, control, self._observer.traceparent(job.trace))
                elif self._inline.on_probation(job.call.pipeline):
                    started, started_cpu = time.perf_counter(), time.thread_time()
                    outcome = execute(job.call, progress=report, control=control)
                    self._inline.measured(
                        job.call.pipeline, time.perf_counter() - started, False, time.thread_time() - started_cpu
                    )
                else:
                    outcome = execute(job.call, progress=report, control=control)
            finally:
                self._observer.leave(token)
            if control is not None:
                self._cancellables.pop(request_id, None)
                if control.cancelled and outcome.error is not None:
                    error = plain_error(error_codes.CANCELLED, "Cancelled", f"cancelled by the caller while running ({outcome.error.type})")
                    outcome = Outcome(None, error, outcome.started_at_ms, outcome.finished_at_ms)
            ran = True
        if not self._pool.claim(job):
            log_event(DEBUG, events.CALL_LATE_RESULT_DROPPED, id=job.call.request.id, pipeline=job.call.pipeline.name)
            return
        try:
            self._progress.end(job, flush=True)  # the latest report goes out before the result
            request = job.call.request
            reply = outcome_reply(request, outcome, self._value_reference, self.identity, job.call.received_at_ms, self._dlq, job.ticket)
            headers = self._observer.replied(job.call.pipeline.name, reply, job.trace, ran)
            self._replies.send(reply, request.reply_to, job.ticket, request.deadline_ms, headers=headers)
            self._served += 1
            self._finish_key(job, outcome if ran else None)
        except BaseException as exc:  # noqa: BLE001
            log_event(ERROR, events.CRASHED, error=f"{type(exc).__name__}: {exc}", exc_info=True)
            self._settle(job.ticket)
        finally:
            self._progress.end(job, flush=False)  # no-op unless the reply path failed
            self._pool.release(job)

    def _cancellable(self, job: Job) -> RunControl | None:
        """A control for a call that a cancellation can reach: one whose pipeline takes a Progress
        (it can look at ``progress.cancelled``), an async one (its task is cancelled), or any call in
        process isolation (its process is killed after the grace). Others cannot be stopped: no
        control, nothing to pay per call."""
        pipeline = job.call.pipeline
        if pipeline.progress_param is None and not pipeline.is_async and self._processes is None:
            return None
        control = RunControl()
        self._cancellables[job.call.request.id] = (job, control)
        if self._cancelled_before_start(job.call.request.id):  # cancelled while it was being set up
            self._call_cancelled(job.call.request.id)
        return control

    def _call_cancelled(self, request_id: str) -> None:
        """From the job state view's thread: the caller of ``request_id`` aborted its invoke."""
        entry = self._cancellables.get(request_id)
        if entry is None:
            return
        job, control = entry
        if not control.cancel():
            return
        log_event(
            INFO, events.CALL_CANCELLING, id=request_id, pipeline=job.call.pipeline.name, **self._observer.trace_fields(job.trace)
        )
        processes = self._processes
        if processes is not None:
            processes.cancel(job)

            def stop_hard() -> None:
                if self._cancellables.get(request_id) is entry:
                    processes.kill(job, "cancelled")

            timer = threading.Timer(self.config.cancel_grace_seconds, stop_hard)
            timer.daemon = True
            timer.start()

    def _check_timeouts(self) -> None:
        now = time.monotonic()
        for job in self._limits.expired(now):
            if not self._pool.abandon(job):
                continue  # finished just now
            self._progress.end(job, flush=False)
            killed = self._processes.kill(job, "timeout") if self._processes is not None else None
            reply, outcome = timed_out(job, now, killed, self.identity)
            self._served += 1
            headers = self._observer.replied(job.call.pipeline.name, reply, job.trace)
            self._replies.send(reply, job.call.request.reply_to, job.ticket, job.call.request.deadline_ms, headers=headers)
            self._finish_key(job, outcome)

    def _answer_repeat(self, job: Job, outcome: Outcome, source: str) -> None:
        """Answer a repeated idempotency key with the first call's outcome (any thread)."""
        request = job.call.request
        if enabled(DEBUG):
            log_event(DEBUG, events.CALL_DEDUPLICATED, id=request.id, pipeline=job.call.pipeline.name, source=source)
        reply = outcome_reply(request, outcome, self._value_reference, self.identity, job.call.received_at_ms, self._dlq, job.ticket)
        self._served += 1
        headers = self._observer.replied(job.call.pipeline.name, reply, job.trace, ran=False)
        self._replies.send(reply, request.reply_to, job.ticket, request.deadline_ms, headers=headers)

    def _finish_key(self, job: Job, outcome: Outcome | None) -> None:
        """The call owning an idempotency key ended: ``outcome`` is stored and its parked repeats
        answered, or (``None``: it never ran) the first repeat runs in its place. Any thread."""
        key = job.idempotency_key
        if key is None:
            return
        if outcome is not None:
            for waiter in self._idempotency.finish(key, outcome):
                self._answer_repeat(waiter, outcome, "waited")
        else:
            successor = self._idempotency.release(key)
            if successor is not None:
                self._resubmit.put(successor)
