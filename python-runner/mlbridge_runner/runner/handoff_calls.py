"""The consume loop's side of handing calls on (:mod:`.handoff`): the presence view it decides with,
and the produce of a handed-on request, acknowledged before its original offset is stored (or, with
``--transactional``, produced in the transaction that commits that offset).

A mixin of :class:`~mlbridge_runner.runner.loop.Runner`, like :mod:`.rebalance`. Loop thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from confluent_kafka import KafkaError, KafkaException, Message

from ..logging import kafka_logger
from ..presence.view import PresenceView, presence_view_settings
from ..transport.config import connection_settings
from .handoff import HandOn
from .offsets import Ticket
from .routing import Headers
from .transactions import Record

if TYPE_CHECKING:
    from confluent_kafka import Producer

    from ..catalog import CatalogView
    from ..codec.envelopes import RequestEnvelope
    from ..config import RunnerConfig
    from ..jobs.service import JobService
    from .dispatch import Dispatcher, Rejected
    from .offsets import OffsetTracker
    from .transactions import TransactionalOutbox

#: How long a starting runner waits for the presence topic to be read to its end (it serves anyway).
PRESENCE_READY_SECONDS = 5.0


class HandoffCalls:
    # Provided by Runner.
    config: RunnerConfig
    identity: str
    _dispatcher: Dispatcher
    _tracker: OffsetTracker
    _producer: Producer
    _outbox: TransactionalOutbox | None
    _settle: Callable[[Ticket | None], None]
    _jobs: JobService
    #: Set by _start_handoff (None before, and in runners wired by hand in tests).
    _handoff: HandOn | None = None
    _presence_view: PresenceView | None = None

    def _refuse(self, rejected: Rejected, request: RequestEnvelope, ticket: Ticket) -> None:
        raise NotImplementedError

    def _start_handoff(self, catalog: CatalogView) -> None:
        """Read the presence topic and let refused calls (and jobs) be handed on from now on."""
        config = self.config
        client_id = "mlbridge-presence-view-" + self.identity.replace("/", "-")
        view = PresenceView(
            {**presence_view_settings(connection_settings(config), client_id), "logger": kafka_logger()},
            config.presence_topic,
        )
        view.start()
        view.wait_ready(PRESENCE_READY_SECONDS)
        self._presence_view = view
        self._dispatcher.argument_loss.versions = catalog.versions
        topic = config.request_topic
        tracker = self._tracker
        self._handoff = HandOn(
            self.identity,
            config.group,
            view,
            catalog,
            lambda: [p for t, p in tracker.partitions() if t == topic],
            self._send_onward,
            self._refuse,
        )
        self._jobs.hand_on_with(config.group, view, catalog)  # jobs are handed on alike, to job partitions

    def _stop_handoff(self) -> None:
        if self._presence_view is not None:
            self._presence_view.close()
            self._presence_view = None

    def _hand_on(self, rejected: Rejected, request: RequestEnvelope, ticket: Ticket, record: Message | None) -> bool:
        """Whether a refused call was taken to be handed on (else: answer it)."""
        handoff = self._handoff
        return handoff is not None and rejected.hand_on and handoff.offer(rejected, request, ticket, record)

    def _send_onward(
        self,
        partition: int,
        key: bytes | None,
        value: bytes | None,
        headers: Headers,
        ticket: Ticket,
        failed: Callable[[str], None],
    ) -> None:
        topic = self.config.request_topic
        if self._outbox is not None:
            label = f"handoff:{topic}/{partition}"
            self._outbox.add(ticket, [Record(topic, value, key, headers, None, None, label, partition=partition)])
            return
        settle = self._settle

        def delivered(err: KafkaError | None, _msg: Any) -> None:
            if err is None:
                settle(ticket)
            else:
                failed(err.str())

        producer = self._producer
        while True:
            try:
                producer.produce(topic, value=value, key=key, headers=headers, partition=partition, on_delivery=delivered)
                return
            except BufferError:
                producer.poll(0.05)  # the local queue is full until delivery reports are served
            except KafkaException as exc:
                failed(exc.args[0].str())
                return
