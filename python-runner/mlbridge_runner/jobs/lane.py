"""The job lane: a runner's second consumer, on the job request topic, with workers of its own.

Training jobs never take an inference call's worker, queue slot or offset: they arrive on their own
topic (group ``<group>.jobs``) and run on ``--job-concurrency`` workers of their own. The lane's
thread owns the consumer, the offsets and every state record but progress (written from the
worker through the limiter); workers only run pipelines and hand outcomes back through a queue.

For each request: catch the state view up, :func:`~.claims.decide`, then skip / cancel / watch /
fail as exhausted / run — or, for a pipeline this runner lacks (a rolling upgrade), hand it on to
a runner that has it (:mod:`.lane_handoff`). A job's offset is stored only once its terminal record
is acknowledged, so a runner that dies mid-job leaves the request to the group's next owner, which
takes it over once the heartbeat went stale (``docs/jobs.md``).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Final

from confluent_kafka import Consumer, Message

from .. import events
from ..codec.envelopes import RequestEnvelope, decode_request
from ..errors import FramingError, BodyDecodeError
from ..logging import DEBUG, ERROR, INFO, WARNING, log_event
from ..observability import Observer
from ..runner.dispatch import Dispatcher, Outcome, Rejected, execute, now_ms
from ..runner.offsets import OffsetTracker, Ticket
from ..runner.pool import Job as PoolJob
from ..runner.pool import WorkerPool
from .claims import decide
from .payloads import result_by_reference
from .cancellation import LaneCancellation
from .lane_handoff import LaneHandOn
from .lane_offsets import LaneOffsets
from .runs import (
    Claim,
    Run,
    cancelled_error,
    exhausted_error,
    outcome_fields,
    running_record,
    terminal_record,
    too_large,
)
from .records import CANCELLED, FAILED, MAX_ATTEMPTS_HEADER, RUNNING, SUCCEEDED, JobRecord
from .state_writer import StateWriteFailed, StateWriter
from .view import JobView

if TYPE_CHECKING:
    from ..runner.processes import ProcessWorkers

POLL_SECONDS: Final = 0.1
#: Requests waiting for a slot or watching another runner's job are looked at again this often.
RECHECK_SECONDS: Final = 1.0
#: How long one write of a terminal record may hold the lane's thread; a failed one is tried again
#: every RECHECK_SECONDS while the job keeps its heartbeat (nobody takes it over meanwhile).
TERMINAL_WRITE_TIMEOUT: Final = 5.0
RECENT_TERMINAL: Final = 256


class JobLane(LaneCancellation, LaneOffsets, LaneHandOn):
    def __init__(
        self,
        *,
        consumer_settings: dict[str, Any],
        topic: str,
        identity: str,
        dispatcher: Dispatcher,
        view: JobView,
        writer: StateWriter,
        dead_letters: Callable[[Message, str, str], None],
        concurrency: int,
        heartbeat_s: float,
        stale_after_s: float,
        cancel_grace_s: float,
        default_max_attempts: int,
        value_reference: str,
        processes: ProcessWorkers | None = None,
        observer: Observer | None = None,
        refused: Callable[[RequestEnvelope, Ticket, str, str], None] | None = None,
        serves: Callable[[str], bool] | None = None,
    ) -> None:
        """``serves``: whether this runner has a pipeline (one it lacks is handed on, or refused,
        without waiting for a free job worker)."""
        self._settings = consumer_settings
        #: Dead-letters a job refused for a reason worth it (``Rejected.dead_letter``: a blob refused).
        self._refused = refused
        self._serves = serves
        #: Counts terminal states; each run's span (the job request's trace continued).
        self._observer = observer or Observer()
        self._topic = topic
        self._identity = identity
        self._dispatcher = dispatcher
        self._view = view
        self._writer = writer
        self._dead_letters = dead_letters
        self._concurrency = concurrency
        self._heartbeat_s = heartbeat_s
        self._stale_after_ms = int(stale_after_s * 1000)
        self._cancel_grace_s = cancel_grace_s
        self._default_max_attempts = default_max_attempts
        self._value_reference = value_reference
        self._processes = processes
        self._tracker = OffsetTracker()
        #: Positions to store, by (topic, partition): stored on the lane's thread each iteration.
        self._to_store: dict[tuple[str, int], int] = {}
        self._waiting: deque[Claim] = deque()
        #: The last terminal records this lane wrote, to restate one a late cancel landed after.
        self._recent: dict[str, JobRecord] = {}
        #: Runs whose terminal record the broker has not acknowledged yet (tried again each pass).
        self._unwritten: dict[str, tuple[Run, JobRecord]] = {}
        self._running: dict[str, Run] = {}
        #: Finished runs with their terminal state and fields (a large result already stored).
        self._finished: queue.SimpleQueue[tuple[Run, str, dict[str, Any]]] = queue.SimpleQueue()
        self._cancels: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._handing = {}
        self._returned = []
        self._deliveries = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: Consumer | None = None
        self._paused = False
        self._last_recheck = 0.0
        self._last_heartbeat = 0.0
        self._pool = WorkerPool(
            concurrency, self._work, name="mlbridge-job-worker", init=processes.warm if processes is not None else None
        )

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        consumer = Consumer(self._settings)
        consumer.subscribe([self._topic], on_assign=self._on_assign, on_revoke=self._on_revoke, on_lost=self._on_revoke)
        self._consumer = consumer
        self._thread = threading.Thread(target=self._run_loop, name="mlbridge-job-lane", daemon=True)
        self._thread.start()

    @property
    def running_count(self) -> int:
        """Jobs running now (read from other threads: a snapshot)."""
        return len(self._running)

    @property
    def partitions(self) -> tuple[int, ...]:
        """Job topic partitions assigned now (read from other threads: a snapshot)."""
        return tuple(p for _, p in self._tracker.partitions())

    def job_cancelled(self, job_id: str) -> None:
        """From the view's thread: a cancellation of ``job_id`` was written."""
        self._cancels.put(job_id)

    def stop(self, grace_s: float) -> int:
        """Stop taking jobs; wait up to ``grace_s`` for running ones; returns how many were left
        running (their requests stay uncommitted: another runner takes them over)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        consumer = self._consumer
        assert consumer is not None
        deadline = time.monotonic() + grace_s
        while self._running and time.monotonic() < deadline:
            self._collect(block=0.05)
            self._retry_unwritten()
            self._store(consumer)
        left = len(self._running)
        self._writer.flush(5)
        self._settle_handed_on()  # jobs handed on and acknowledged by now are done here
        self._store(consumer)
        self._pool.close()
        consumer.close()
        return left

    # ------------------------------------------------------------------ the lane's thread

    def _run_loop(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        while not self._stop.is_set():
            try:
                self._iterate(consumer)
            except Exception as exc:  # noqa: BLE001 - a lane bug must not end the lane
                log_event(ERROR, events.CRASHED, error=f"job lane: {type(exc).__name__}: {exc}", exc_info=True)
                time.sleep(0.5)

    def _iterate(self, consumer: Consumer) -> None:
        msg = consumer.poll(POLL_SECONDS)
        arrived = False
        if msg is not None:
            arrived = self._accept(msg)
        while not self._cancels.empty():
            self._cancel(self._cancels.get_nowait())
        self._collect(block=0)
        self._service_handoff()
        now = time.monotonic()
        if (self._waiting or self._unwritten) and (arrived or now - self._last_recheck >= RECHECK_SECONDS):
            self._last_recheck = now
            self._retry_unwritten()
            if self._waiting:
                self._decide_waiting()
        if now - self._last_heartbeat >= self._heartbeat_s:
            self._last_heartbeat = now
            self._heartbeat()
        for run in list(self._running.values()):
            if run.limiter is not None:
                run.limiter.flush_due()
            if run.cancel_deadline is not None and now >= run.cancel_deadline:
                self._stop_hard(run)
        self._store(consumer)
        self._writer.poll()
        self._flow(consumer)

    def _accept(self, msg: Message) -> bool:
        error = msg.error()
        if error is not None:
            log_event(DEBUG, events.KAFKA_ERROR, error=error.str(), topic=self._topic)
            return False
        topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
        assert topic is not None and partition is not None and offset is not None
        ticket = self._tracker.track(topic, partition, offset)
        data = msg.value()
        try:
            if not data:
                raise BodyDecodeError("the message has no value")
            request = decode_request(data)
        except (FramingError, BodyDecodeError) as exc:
            self._dead_letters(msg, getattr(exc, "reason", "undecodable"), str(exc))
            self._settle(ticket)
            return False
        try:
            max_attempts = int(request.headers.get(MAX_ATTEMPTS_HEADER, "") or self._default_max_attempts)
        except ValueError:
            max_attempts = self._default_max_attempts
        self._waiting.append(Claim(ticket, request, max(1, max_attempts), msg))
        return True

    def _decide_waiting(self) -> None:
        if not self._view.catch_up(timeout=5.0):
            log_event(DEBUG, events.JOB_VIEW_BEHIND, topic=self._topic)
            return  # broker slow: decide on a later pass, never on a stale view
        keep: deque[Claim] = deque()
        now = now_ms()
        for claim in self._waiting:
            if not self._tracker.owns(claim.ticket):
                continue  # revoked meanwhile: the next owner decides
            job_id = claim.request.id
            run = self._running.get(job_id)
            if run is not None and not self._tracker.owns(run.claim.ticket):
                # Its partition was revoked and came back to this runner while the job ran: the
                # request read again now holds the offset; settled when the run ends, not now.
                run.claim.ticket = claim.ticket
                continue
            record = self._view.get(job_id)
            decision = decide(record, now, job_id in self._running, claim.max_attempts, self._stale_after_ms)
            if decision.action == "skip":
                log_event(DEBUG, events.JOB_SKIPPED, id=job_id, reason=decision.reason)
                self._settle(claim.ticket)
            elif decision.action == "cancel":
                assert record is not None
                ended = terminal_record(record, CANCELLED, cancelled_error("cancelled before it started"))
                if not self._terminal(claim, ended):
                    keep.append(claim)
            elif decision.action == "exhausted":
                base = record or claim.queued_record()
                error = exhausted_error(base, decision.attempt, claim.max_attempts)
                if not self._terminal(claim, terminal_record(replace(base, attempt=decision.attempt), FAILED, error)):
                    keep.append(claim)
            elif decision.action == "watch" or (len(self._running) >= self._concurrency and self._serves_pipeline(claim)):
                keep.append(claim)
            elif not self._start(claim, record, decision.attempt, decision.checkpoint):
                keep.append(claim)
        self._waiting = keep

    def _serves_pipeline(self, claim: Claim) -> bool:
        return self._serves is None or self._serves(claim.request.pipeline)

    # ------------------------------------------------------------------ running

    def _start(self, claim: Claim, record: JobRecord | None, attempt: int, checkpoint: bytes | None) -> bool:
        """Run the job (``False``: its RUNNING record could not be written; try again later)."""
        request = claim.request
        base = record or claim.queued_record()
        observer = self._observer
        span = observer.start_call(request, claim.ticket, observer.pipeline_label(request.pipeline))
        try:
            call = self._dispatcher.prepare(request)
        except Rejected as rejected:
            taken = self._offer(claim, rejected)
            if taken is not False:  # a runner that has it takes it (the record stays as it is), or soon may
                observer.dropped(span)
                return taken is True
            failed = terminal_record(replace(base, attempt=attempt, runner=self._identity), FAILED, rejected.error)
            if self._terminal(claim, failed, span):
                if rejected.dead_letter is not None and self._refused is not None:
                    self._refused(request, claim.ticket, rejected.dead_letter, rejected.error.message)
                return True
            observer.dropped(span)
            return False
        running = running_record(base, claim, self._identity, attempt, checkpoint)
        run = Run(claim, running, PoolJob(call, claim.ticket), self._writer.write)
        run.pool_job.trace = span
        # Acknowledged before the pipeline starts: a job that takes its runner down at once must still
        # have its attempt counted, or it would be restarted as attempt 1 forever.
        try:
            self._writer.write_sync(running, timeout=10)
        except StateWriteFailed as exc:
            log_event(WARNING, events.JOB_STATE_WRITE_FAILED, id=request.id, state=RUNNING, error=str(exc))
            observer.dropped(span)
            return False  # decided again on a later pass
        self._running[request.id] = run
        log_event(INFO, events.JOB_STARTED, id=request.id, pipeline=request.pipeline, attempt=attempt,
                  resumed=checkpoint is not None, **observer.trace_fields(span))
        self._pool.submit(run.pool_job)
        return True

    def _work(self, pool_job: PoolJob) -> None:
        """A job worker thread: run the pipeline, hand the outcome to the lane's thread."""
        run = self._running.get(pool_job.call.request.id)
        if run is None:  # cannot happen: registered before submit
            return
        report = run.limiter.report if run.limiter is not None else None
        token = self._observer.enter(pool_job.trace)  # the pipeline's spans nest under the run's
        try:
            if self._processes is not None:
                outcome = self._processes.run(pool_job, report, run.control, self._observer.traceparent(pool_job.trace))
            else:
                outcome = execute(pool_job.call, progress=report, control=run.control)
        finally:
            self._observer.leave(token)
        if self._pool.claim(pool_job):
            self._pool.release(pool_job)
        state, fields = outcome_fields(outcome, run.control.cancelled, self._value_reference)
        if not run.abandoned:
            # On this job's own thread: writing a large result to the store (seconds for hundreds of
            # MB) must not hold up the lane thread, which serves every other job's records.
            state, fields = result_by_reference(run.id, state, fields)
        self._finished.put((run, state, fields))

    def _heartbeat(self) -> None:
        for run in self._running.values():
            if not (run.control.cancelled or run.abandoned):
                run.beat()

    def _collect(self, block: float) -> None:
        """Finished runs: write their terminal record, then settle their request."""
        while True:
            try:
                run, state, fields = self._finished.get(timeout=block) if block else self._finished.get_nowait()
            except queue.Empty:
                return
            block = 0
            if run.abandoned:
                continue  # recorded CANCELLED when its grace ran out
            if run.limiter is not None:
                run.limiter.close(flush=True)
            self._end(run, terminal_record(run.snapshot(), state, **fields))

    def _end(self, run: Run, record: JobRecord) -> None:
        """A run is over: once its terminal record is written it leaves; until then it stays (and
        keeps its heartbeat, so no other runner takes the job over) and is tried again."""
        if self._terminal(run.claim, record, run.pool_job.trace):
            self._running.pop(run.id, None)
            self._unwritten.pop(run.id, None)
            self._last_recheck = 0.0  # a worker is free: a waiting job starts on this pass, not up to 1 s later
        else:
            self._unwritten[run.id] = (run, record)

    def _retry_unwritten(self) -> None:
        for run, record in list(self._unwritten.values()):
            self._end(run, record)

    def _terminal(self, claim: Claim, record: JobRecord, span: object = None) -> bool:
        """Write the job's terminal record and settle its request once the broker has it; ``False``
        when the broker did not acknowledge it (the caller tries again later). ``span``: the run's,
        ended once the record is written."""
        while True:
            try:
                self._writer.write_sync(record, timeout=TERMINAL_WRITE_TIMEOUT)
                break
            except StateWriteFailed as exc:
                if exc.too_large and record.state == SUCCEEDED:
                    record = too_large(record, self._writer.topic, str(exc))
                    continue
                log_event(WARNING, events.JOB_STATE_WRITE_FAILED, id=record.id, state=record.state, error=str(exc))
                return False
        base = record
        self._recent[base.id] = record
        if len(self._recent) > RECENT_TERMINAL:
            del self._recent[next(iter(self._recent))]
        log_event(INFO, events.JOB_FINISHED, id=base.id, pipeline=base.pipeline, state=record.state,
                  attempt=record.attempt, code=None if record.error is None else record.error.code,
                  **self._observer.trace_fields(span))
        self._observer.job_ended(record.pipeline, record.state, record.error, span, {"mlbridge.attempt": record.attempt})
        self._settle(claim.ticket)
        return True
