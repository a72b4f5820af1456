"""The consume loop: poll, check, hand calls to workers, store offsets in order, stop gracefully.

All Kafka bookkeeping (offset tracker, pause/resume, rebalance callbacks, delivery reports) runs on
the thread that calls :meth:`Runner.run`. Worker threads only run pipelines and produce replies;
they report finished tickets through a queue.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Callable

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from .. import events
from ..codec.envelopes import RequestEnvelope, decode_request, peek_request_address
from ..codec.schemas import wire_schemas
from ..config import RunnerConfig, is_valid_topic
from ..contract import SchemaStore
from ..errors import BodyDecodeError, FramingError
from ..logging import DEBUG, ERROR, WARNING, enabled, log_event
from ..observability import Observer
from ..observability.tracing import TRACEPARENT, trace_id_of
from ..registry import Registry
from ..schema_registry.runner_support import open_runner_registry
from .dispatch import Dispatcher, Outcome, Rejected, SchemaPending, now_ms
from .handoff_calls import HandoffCalls
from .identity import make_identity
from .inline import InlinePolicy
from .loop_thread_calls import LoopThreadCalls
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import IdempotencyCache, cache_key
from .offsets import OffsetTracker, Ticket
from .poison import COUNTED, DeliveryCounts
from .poison_calls import PoisonCalls
from .pool import Job
from .progress_relay import ProgressRelay
from .rebalance import RebalanceHandlers
from .schema_waits import SchemaWaits
from .start_stop import StartStop
from .replies import error_reply, kafka_error_fields, timings_at
from .time_limits import TimeLimits
from .undecodable import undecodable_answer
from .wiring import VERSION, Wiring
from .worker_side import WorkerSide
from ..jobs.control import RunControl

IDLE_POLL_SECONDS = 0.1
BUSY_POLL_SECONDS = 0.01
TRANSACTION_POLL_SECONDS = 0.002
#: Replies of one consumed batch are produced together, the first held at most this long. Shorter
#: holds cost more Produce requests and client fetches; longer ones hold replies back while the
#: loop works through the rest of a batch, and at 256 in flight that round-trip time is throughput.
#: 10 → 2 ms: +13% calls/s through the real client once the per-call path got 2× faster
#: (bench/README.md, sixth pass); 1 ms measured the same as 2.
REPLY_HOLD_SECONDS = 0.002
MAX_KNOWN_REPLY_TOPICS = 4096


class Runner(RebalanceHandlers, StartStop, WorkerSide, LoopThreadCalls, Wiring, PoisonCalls, HandoffCalls):
    def __init__(self, config: RunnerConfig, registry: Registry, identity: str | None = None) -> None:
        self.config = config.validate()
        self.registry = registry
        self.identity = identity or make_identity()
        #: Metrics, probes and spans (observability/): each off unless configured.
        self._observer = Observer.for_runner(self.config, self.identity, registry, VERSION)
        self._stop = threading.Event()
        self._stop_signal: int | None = None
        self._settled: queue.SimpleQueue[Ticket | None] = queue.SimpleQueue()
        self._tracker = OffsetTracker()
        self._limits = TimeLimits()
        self._idempotency: IdempotencyCache[Job, Outcome] = IdempotencyCache(
            config.idempotency_cache,
            config.idempotency_ttl_seconds,
            size_of=lambda outcome: len(outcome.result or b"") + len(outcome.error.traceback if outcome.error else ""),
        )
        #: Jobs to (re)submit from the loop thread: a parked repeat whose first call did not run.
        self._resubmit: queue.SimpleQueue[Job] = queue.SimpleQueue()
        #: Progress reports of running calls (their held reports are flushed by the loop).
        self._progress = ProgressRelay(self.identity, self._observer)
        self._served = 0
        self._consumer: Consumer | None = None
        #: Delivery counts after assignments (poison.py); set by run() unless --max-deliveries 0.
        self._deliveries: DeliveryCounts | None = None
        #: Which pipelines are fast enough to run on this (the loop's) thread.
        self._inline = InlinePolicy(enabled=self.config.isolation == "thread")
        #: --schema-registry: Confluent-framed requests too, each answered in its own framing.
        self._schema_registry = open_runner_registry(self.config, registry)
        self._decode_request = decode_request if self._schema_registry is None else self._schema_registry.decode_request
        self._peek_address = (
            peek_request_address if self._schema_registry is None else self._schema_registry.peek_request_address
        )
        self._idempotent = self.config.idempotency_cache > 0
        self._cancellables: dict[str, tuple[Job, RunControl]] = {}
        #: Replaced by the job state view's answer once it runs (run()).
        self._cancelled_before_start: Callable[[str], bool] = lambda request_id: False
        #: replyTo values already found to be valid topic names.
        self._reply_topics: set[str] = set()
        self._value_reference = wire_schemas().value.reference
        #: Writer schemas by ref, fed by the catalogue view.
        self._schema_store = SchemaStore()
        #: Calls waiting for their args' writer schema, off this thread's back.
        self._schema_waits = SchemaWaits(self._schema_store)
        self._dispatcher = Dispatcher(
            self.registry,
            self._value_reference,
            store=self._schema_store,
            registry_schemas=None if self._schema_registry is None else self._schema_registry.writer_schema,
            defer_waits=True,
        )

    # ------------------------------------------------------------------ public

    def request_stop(self, signum: int | None = None) -> None:
        """Begin a graceful stop (safe to call from a signal handler)."""
        if self._stop_signal is None:
            self._stop_signal = signum
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> int:
        """Serve until :meth:`request_stop`; returns the process exit code (0, or 2: the catalogue refused)."""
        self._observer.serve()  # probes answer from the start: alive, not ready
        try:
            return self._run()
        finally:
            self._observer.close()

    # ------------------------------------------------------------------ loop

    def _iterate(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        timeout = BUSY_POLL_SECONDS if self._flow.paused else IDLE_POLL_SECONDS
        if self._outbox is not None and (self._pool.active or self._outbox.committable):
            # Finished calls wait for this thread to commit their transaction: look often.
            timeout = TRANSACTION_POLL_SECONDS
        # poll() returns as soon as one message is there (consume() would wait for a full batch);
        # whatever else is already fetched is then taken without waiting, up to the free slots.
        msg = consumer.poll(timeout)
        if msg is not None:
            batch = [msg]
            room = self.config.concurrency + self.config.max_queued - self._pool.active - 1
            if room > 0:
                batch += consumer.consume(num_messages=min(room, 500), timeout=0)
            # The batch's replies leave together (see ReplySender.hold). Fetched first: no reply is
            # ever held across poll()/consume(), where a revoke waits for the calls it answers.
            batching = self._outbox is None
            if batching:
                self._replies.hold()
            verdicts = self._judge(batch)
            try:
                held_since = time.perf_counter()
                for i, msg in enumerate(batch):
                    if verdicts is not None and verdicts[i] not in (None, COUNTED):
                        if batching:
                            self._replies.release()  # a suspect waits for the calls before it
                        self._handle_judged(msg, verdicts[i])  # type: ignore[arg-type]
                        if batching:
                            self._replies.hold()
                            held_since = time.perf_counter()
                        continue
                    self._handle(msg)
                    # Bounds the wait of the first reply held. Not a count: bigger batches pay (the
                    # client's kafkajs spends ~0.5 ms of CPU per fetch and per send, see bench/README.md).
                    if batching and time.perf_counter() - held_since >= REPLY_HOLD_SECONDS:
                        self._replies.release()
                        self._replies.hold()
                        held_since = time.perf_counter()
            finally:
                if batching:
                    self._replies.release()
        self._service()
        self._flow.update(self._pool, self._stop.is_set())

    def _service(self) -> None:
        """Delivery reports, finished tickets, time limits."""
        self._poll_producers(0)
        if self._outbox is not None:
            self._progress_producer.poll(0)
            self._outbox.commit()
        else:
            self._store_settled()
        while not self._resubmit.empty():  # empty() first: a raised queue.Empty per iteration costs
            try:
                self._submit(self._resubmit.get_nowait())
            except queue.Empty:
                break
        if self._limits:
            self._check_timeouts()
        if self._progress.active:
            self._progress.flush_due()
        if self._schema_waits:
            for parked in self._schema_waits.due(time.monotonic()):
                self._dispatch_safely(parked.request, parked.ticket, parked.size, parked.record)
        if self._handoff is not None and self._handoff.holding:
            self._handoff.service()

    def _handle(self, msg: Message) -> None:
        error = msg.error()
        if error is not None:
            log_event(WARNING, events.KAFKA_ERROR, **kafka_error_fields(error))
            return
        topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
        assert topic is not None and partition is not None and offset is not None  # set on consumed messages
        ticket = self._tracker.track(topic, partition, offset)
        try:
            self._accept(msg, ticket)
        except Exception as exc:  # noqa: BLE001 - a runner bug must not stop the partition
            log_event(ERROR, events.CRASHED, error=f"{type(exc).__name__}: {exc}", exc_info=True, offset=msg.offset())
            self._dlq.send(msg, "internal", f"{type(exc).__name__}: {exc}", ticket)

    def _accept(self, msg: Message, ticket: Ticket) -> None:
        data = msg.value()
        if not data:
            self._dlq.send(msg, "empty-message", "the message has no value", ticket)
            return
        try:
            request = self._decode_request(data)
        except (FramingError, BodyDecodeError) as exc:
            self._dlq.send(msg, exc.reason, str(exc), ticket)
            self._reply_undecodable(data, exc)
            return
        if request.reply_to not in self._reply_topics:  # a client sends many calls: check its topic once
            if not is_valid_topic(request.reply_to):
                self._dlq.send(msg, "invalid-reply-to", f"replyTo {request.reply_to[:100]!r} is not a topic name", ticket)
                return
            if len(self._reply_topics) >= MAX_KNOWN_REPLY_TOPICS:
                self._reply_topics.clear()
            self._reply_topics.add(request.reply_to)
        if enabled(DEBUG):
            log_event(
                DEBUG,
                events.CALL_RECEIVED,
                id=request.id,
                pipeline=request.pipeline[:200],
                topic=msg.topic(),
                partition=msg.partition(),
                offset=msg.offset(),
                trace_id=trace_id_of(request.headers.get(TRACEPARENT)),
            )
        if not self._serve_short(request, ticket):
            self._dispatch(request, ticket, len(data), record=msg)

    def _dispatch(
        self, request: RequestEnvelope, ticket: Ticket, size: int, waited: bool = False, record: Message | None = None
    ) -> None:
        """``record``: the Kafka record the request came in, for a refused call to be handed on as it
        was (runner/handoff.py)."""
        try:
            call = self._dispatcher.prepare(request, waited)
        except Rejected as rejected:
            if not self._hand_on(rejected, request, ticket, record):
                self._refuse(rejected, request, ticket)
            return
        except SchemaPending as pending:
            until = time.monotonic() + self._dispatcher.schema_wait_s
            if self._schema_waits.park(request, ticket, size, pending.ref, until, record):
                log_event(DEBUG, events.CALL_AWAITING_SCHEMA, id=request.id, ref=pending.ref[:100])
            else:
                self._dispatch(request, ticket, size, waited=True, record=record)  # full: refused unless it just arrived
            return
        key = request.headers.get(IDEMPOTENCY_HEADER) if self._idempotent else None
        job = Job(call, ticket, size, cache_key(call.pipeline.name, key) if key else None)
        job.trace = self._observer.start_call(request, ticket, call.pipeline.name)
        if job.idempotency_key is not None:
            begin = self._idempotency.begin(job.idempotency_key, job)
            if begin.action == "stored":
                assert begin.outcome is not None
                self._answer_repeat(job, begin.outcome, "stored")
                return
            if begin.action == "wait":
                return  # parked until the first call with this key finishes
        self._submit(job)

    def _submit(self, job: Job) -> None:
        # Not conditional on a free worker: under load the queue stays full of calls queued before
        # the promotion, so "inline only while a slot is free" kept a saturated runner on the pool
        # for good (measured: 3% of replies inline at 256 in flight). --concurrency bounds the
        # worker threads; the loop thread runs at most one microsecond-scale call besides them.
        if self._inline.allows(job.call.pipeline):
            self._run_inline(job)
            return
        self._pool.submit(job)
        self._limits.watch(job)

    def _refuse(self, rejected: Rejected, request: RequestEnvelope, ticket: Ticket) -> None:
        """Answer a call refused without running (the reply settles its ticket)."""
        self._served += 1
        if rejected.dead_letter is not None:  # before the reply, which settles the ticket
            self._dlq.send_refused(request, ticket, rejected.dead_letter, rejected.error.message)
        reply = error_reply(request.id, rejected.error, self.identity, timings_at(now_ms()))
        name = self._observer.pipeline_label(request.pipeline)
        headers = self._observer.replied(name, reply, self._observer.start_call(request, ticket, name), ran=False)
        self._replies.send(reply, request.reply_to, ticket, request.deadline_ms, headers=headers)

    def _dispatch_safely(self, request: RequestEnvelope, ticket: Ticket, size: int, record: Message | None = None) -> None:
        """A parked call whose wait is over; as in _handle, a runner bug must not lose its ticket."""
        try:
            self._dispatch(request, ticket, size, waited=True, record=record)
        except Exception as exc:  # noqa: BLE001
            log_event(ERROR, events.CRASHED, error=f"{type(exc).__name__}: {exc}", exc_info=True)
            self._settle(ticket)

    def _reply_undecodable(self, data: bytes, problem: Exception) -> None:
        answer = undecodable_answer(data, problem, self._peek_address)
        if answer is not None:
            address, error = answer
            self._replies.send(error_reply(address.id, error, self.identity, timings_at(now_ms())), address.reply_to, None)

    # ------------------------------------------------------------------ offsets

    def _store_settled(self) -> None:
        if self._settled.empty():
            return
        positions: dict[tuple[str, int], int] = {}
        while True:
            try:
                ticket = self._settled.get_nowait()
            except queue.Empty:
                break
            if ticket is None:
                continue
            position = self._tracker.done(ticket)
            if position is not None:
                positions[(ticket.topic, ticket.partition)] = position
        if positions and self._consumer is not None:
            try:
                self._consumer.store_offsets(
                    offsets=[TopicPartition(topic, partition, offset) for (topic, partition), offset in positions.items()]
                )
            except KafkaException as exc:  # e.g. the partition was revoked meanwhile
                log_event(DEBUG, events.KAFKA_ERROR, **kafka_error_fields(exc.args[0]))

    # ------------------------------------------------------------------ queue

    def _cancel_queued(self, predicate: Callable[[Ticket], bool]) -> list[Ticket]:
        """Drop the calls not started yet whose ticket matches (left to the partition's next
        owner); returns their tickets."""
        cancelled = self._pool.cancel_queued(lambda job: predicate(job.ticket))
        self._idempotency.forget_waiters(lambda job: predicate(job.ticket))  # parked repeats of the same partitions
        for job in cancelled:
            self._limits.forget(job)
            self._observer.dropped(job.trace)
        for job in cancelled:
            self._finish_key(job, None)  # a repeat elsewhere may have to run instead
        held = self._handoff.drop(predicate) if self._handoff is not None else []
        return [job.ticket for job in cancelled] + self._schema_waits.drop(predicate) + held

    # ------------------------------------------------------------------ producers

    def _poll_producers(self, timeout: float) -> None:
        """Serve the reply producers' delivery reports (waits up to ``timeout`` on the plain one)."""
        self._producer.poll(timeout)
        if self._bulk_producer is not None:
            self._bulk_producer.poll(0)

    def _unflushed(self, timeout: float) -> int:
        """Flush both reply producers for up to ``timeout`` each; how many messages are still out."""
        left = self._producer.flush(timeout)
        if self._bulk_producer is not None:
            left += self._bulk_producer.flush(timeout)
        return left

    def _kafka_error(self, error: KafkaError) -> None:
        self._observer.kafka_error(error)
        log_event(ERROR if error.fatal() else WARNING, events.KAFKA_ERROR, **kafka_error_fields(error))


