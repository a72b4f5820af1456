"""How a runner is put together: :meth:`Wiring._run` makes the Kafka clients and the job lane, then
serves; :meth:`Wiring.wire` builds what sits on the clients (replies, dead letters, offsets'
settling, worker pool, flow control). A mixin of :class:`~mlbridge_runner.runner.loop.Runner`, kept
apart from the loop so that each reads on its own.
"""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING, Any, Callable

from confluent_kafka import Consumer, Producer

from .. import events
from ..catalog import EXIT_REFUSED, CatalogRefused, CatalogView, open_catalog
from ..codec.envelope_codec import ACCELERATED as ENVELOPE_CODEC_ACCELERATED
from ..codec.value import ACCELERATED as VALUE_CODEC_ACCELERATED
from ..jobs.service import JobService
from ..logging import INFO, kafka_logger, log_event
from ..transport.config import (
    bulk_producer_settings,
    consumer_settings,
    producer_settings,
    transactional_settings,
)
from .dlq import DeadLetters
from .flow import FlowControl
from .offsets import Ticket
from .poison import DeliveryCounts, deliveries_topic_for
from .pool import WorkerPool
from .processes import ProcessWorkers
from .replies import ReplySender
from .transactions import TransactionalDeadLetters, TransactionalOutbox, TransactionalReplies

if TYPE_CHECKING:
    from ..config import RunnerConfig
    from ..observability import Observer
    from ..registry import Registry

try:
    from importlib.metadata import version as _dist_version

    VERSION = _dist_version("mlbridge-runner")
except Exception:  # noqa: BLE001 - running from a source tree
    VERSION = "0.0.0+source"


class Wiring:
    # Provided by Runner.
    config: RunnerConfig
    identity: str
    registry: Registry
    _observer: Observer
    _stop: threading.Event
    _settled: queue.SimpleQueue[Ticket | None]
    _deliveries: DeliveryCounts | None
    _schema_registry: Any
    _schema_store: Any
    _schema_waits: Any
    _value_reference: str
    _tracker: Any
    _progress: Any
    _served: int
    _cancelled_before_start: Callable[[str], bool]
    # Methods used here live on Runner and its other mixins (no stubs: a stub here could shadow them).


    def _run(self) -> int:
        if self._schema_registry is not None:
            self._schema_registry.register_own()
        if not self._ensure_topics():
            log_event(INFO, events.STOPPED, abandoned=0, served=0)
            return 0
        try:
            catalog = open_catalog(self.config, self.registry, self.identity, self._stop, self._schema_store)
        except CatalogRefused:
            return EXIT_REFUSED  # logged as catalog.refused, naming pipelines, versions and fields
        if catalog is None:  # stopped while waiting for the catalogue
            log_event(INFO, events.STOPPED, abandoned=0, served=0)
            return 0
        self._catalog: CatalogView = catalog
        logger = kafka_logger()
        consumer = Consumer(
            {
                **consumer_settings(self.config, self.identity),
                **self._observer.consumer_settings(readiness=True),
                "error_cb": self._kafka_error,
                "logger": logger,
            }
        )
        plain_settings = {**producer_settings(self.config, self.identity), "error_cb": self._kafka_error, "logger": logger}
        if self.config.transactional:
            producer = Producer(
                {**transactional_settings(self.config, self.identity), "error_cb": self._kafka_error, "logger": logger}
            )
            producer.init_transactions(30)
            # Progress reports are advisory: outside the transactions, visible at once.
            self.wire(consumer, producer, progress_producer=Producer(plain_settings))
        else:
            self.wire(
                consumer,
                Producer(plain_settings),
                bulk_producer=Producer(
                    {**bulk_producer_settings(self.config, self.identity), "error_cb": self._kafka_error, "logger": logger}
                ),
            )
        producer = self._producer
        if self.config.max_deliveries:
            self._deliveries = DeliveryCounts(
                consumer_settings(self.config, self.identity),
                Producer(plain_settings),
                deliveries_topic_for(self.config.request_topic),
                self.config.max_deliveries,
            )
            self._deliveries.start()
        #: The job lane and the state view (cancellations of jobs and of calls arrive through it).
        self._jobs = JobService(
            self.config, self.identity, self.registry, self._schema_store,
            None if self._schema_registry is None else self._schema_registry.writer_schema,
            self._value_reference, logger, self._call_cancelled, self._observer,
        )
        self._cancelled_before_start = self._jobs.view.call_cancelled
        jobs_left = 0
        try:
            self._jobs.start()
            consumer.subscribe(
                [self.config.request_topic], on_assign=self._on_assign, on_revoke=self._on_revoke, on_lost=self._on_lost
            )
            self._start_presence(VERSION, self._observer.metrics_url)
            self._start_handoff(catalog)  # refused calls go to a runner that has their pipeline
            log_event(
                INFO,
                events.STARTED,
                pipelines=self.registry.names(),
                runner=self.identity,
                brokers=self.config.brokers,
                topic=self.config.request_topic,
                dlq_topic=self.config.dlq_topic,
                group=self.config.group,
                concurrency=self.config.concurrency,
                isolation=self.config.isolation,
                transactional=self.config.transactional,
                codec="c" if ENVELOPE_CODEC_ACCELERATED and VALUE_CODEC_ACCELERATED else "python",
                version=VERSION,
            )
            for name in self.registry.names():  # so a forgotten ``-> T`` is not a silent loss of types
                reason = self.registry[name].contract.untyped_reason
                if reason is not None:
                    log_event(INFO, events.PIPELINE_UNTYPED, pipeline=name, reason=reason)
            observer = self._observer
            observer.serving(True)
            while not self._stop.is_set():
                self._iterate()
                observer.tick()
            observer.serving(False)
            abandoned = self._drain()
            jobs_left = self._jobs.stop(self.config.grace_seconds)
        except BaseException:
            # The loop itself failed: still hand over the replies already produced and what is done.
            producer.flush(5)
            if self._bulk_producer is not None:
                self._bulk_producer.flush(5)
            self._store_settled()
            raise
        finally:
            self._stop_presence()
            self._stop_handoff()
            self._pool.close()
            if self._processes is not None:
                self._processes.close()
            if not self._jobs.stopped:
                self._jobs.stop(0)
            consumer.close()
            if self._deliveries is not None:
                self._deliveries.close()
            catalog.close()
        log_event(INFO, events.STOPPED, abandoned=abandoned, served=self._served, jobs_left=jobs_left)
        return 0

    def wire(
        self,
        consumer: Consumer,
        producer: Producer,
        *,
        bulk_producer: Producer | None = None,
        progress_producer: Producer | None = None,
    ) -> None:
        """Connect the loop to its Kafka clients: the request consumer, the reply producer (with
        ``config.transactional``: a transactional one, its transactions initialised), the producer
        of batched replies (optional; not with transactions) and, with transactions, the producer of
        progress reports. Builds what sits on them (reply sender, dead letters, offsets' settling,
        worker pool, flow control). :meth:`run` calls it with real clients; tests and benchmarks
        with stand-ins, then drive :meth:`_iterate` themselves (and close ``_pool``)."""
        loop_thread = threading.current_thread()
        self._consumer = consumer
        self._producer = producer
        self._outbox: TransactionalOutbox | None = None
        #: Releases of several held replies (non-transactional only; a transaction has its own batching).
        self._bulk_producer: Producer | None = None
        if self.config.transactional:
            if progress_producer is None:
                raise ValueError("a transactional runner needs a progress producer (outside the transactions)")
            self._outbox = outbox = TransactionalOutbox(
                producer,
                consumer,
                self._tracker,
                self.config.transaction_timeout_ms / 1000,
            )
            self._replies = TransactionalReplies(outbox)
            self._dlq = TransactionalDeadLetters(outbox, self.config.dlq_topic)
            self._settle: Callable[[Ticket | None], None] = lambda ticket: outbox.add(ticket, [])
            self._progress_producer = progress_producer
            progress_replies = ReplySender(progress_producer, lambda _ticket: None, loop_thread)
        else:
            self._bulk_producer = bulk_producer
            self._replies = ReplySender(producer, self._settled.put, loop_thread, bulk=bulk_producer)
            self._dlq = dlq = DeadLetters(producer, self.config.dlq_topic, self._settled.put)
            # A reply topic this runner may not write (ACLs): the call is dead-lettered, the rest go on.
            self._replies.on_denied = lambda reply, topic, ticket, error: (
                None if ticket is None else dlq.send_denied_reply(reply.id, topic, ticket, error)
            )
            self._settle = self._settled.put
            self._progress_producer = progress_producer or producer
            progress_replies = (
                self._replies
                if progress_producer is None
                else ReplySender(progress_producer, lambda _ticket: None, loop_thread)
            )
        self._progress.sender = progress_replies
        if self._schema_registry is not None:
            self._replies.encode = progress_replies.encode = self._schema_registry.encode_reply
        self._processes = (
            ProcessWorkers(self.config.pipeline_specs, self.config.log_level)
            if self.config.isolation == "process"
            else None
        )
        self._pool = WorkerPool(
            self.config.concurrency, self._work, init=self._processes.warm if self._processes is not None else None
        )
        self._flow = FlowControl(consumer, self.config.max_queued, self.config.max_queued_bytes)
        pool, waits = self._pool, self._schema_waits
        self._observer.watch_calls(lambda: pool.running, lambda: pool.queued + len(waits), self._processes, self._dlq)
