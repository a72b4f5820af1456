"""What the consume loop does with the records :class:`~.poison.DeliveryCounts` judged: dead-letter
a poison one (its caller told ``POISON_MESSAGE``), run a suspect alone (see poison.py for why).

A mixin of :class:`~mlbridge_runner.runner.loop.Runner`; runs on the loop thread.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

from confluent_kafka import Consumer, KafkaError, KafkaException, Message

from .. import error_codes, events
from ..config import is_valid_topic
from ..logging import DEBUG, log_event
from .dispatch import now_ms
from .failures import plain_error
from .poison import POISON, DeliveryCounts
from .replies import error_reply, kafka_error_fields, timings_at

if TYPE_CHECKING:
    from ..config import RunnerConfig
    from .dlq import DeadLetters
    from .offsets import OffsetTracker
    from .pool import WorkerPool
    from .transactions import TransactionalOutbox

POISON_TYPE = "PoisonMessage"


class PoisonCalls:
    # Provided by Runner.
    config: RunnerConfig
    identity: str
    _deliveries: DeliveryCounts | None
    _consumer: Consumer | None
    _tracker: OffsetTracker
    _pool: WorkerPool
    _outbox: TransactionalOutbox | None
    _dlq: DeadLetters
    _replies: Any
    _peek_address: Callable[[bytes], Any]

    def _handle(self, msg: Message) -> None:
        raise NotImplementedError

    def _service(self) -> None:
        raise NotImplementedError

    def _poll_producers(self, timeout: float) -> None:
        raise NotImplementedError

    def _store_settled(self) -> None:
        raise NotImplementedError

    def _judge(self, batch: list[Message]) -> list[str | None] | None:
        """Verdicts for ``batch`` while a partition is in its counting window; ``None`` otherwise
        (steady state: no produce, no lookup per record)."""
        deliveries = self._deliveries
        return deliveries.screen(batch) if deliveries is not None and deliveries.active else None

    def _handle_judged(self, msg: Message, verdict: str) -> None:
        if verdict == POISON:
            self._dead_letter_poison(msg)
        else:
            self._run_alone(msg)

    def _dead_letter_poison(self, msg: Message) -> None:
        topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
        assert topic is not None and partition is not None and offset is not None and self._deliveries is not None
        ticket = self._tracker.track(topic, partition, offset)
        # Counted deliveries + the uncounted one a steady-state runner may have died on (poison.py).
        text = (
            f"runner processes died while running it: {self._deliveries.count(msg)} counted deliveries "
            f"(--max-deliveries {self.config.max_deliveries})"
        )
        data = msg.value()
        address = self._peek_address(data) if data else None
        if address is not None and is_valid_topic(address.reply_to):
            error = plain_error(error_codes.POISON_MESSAGE, POISON_TYPE, f"dead-lettered as poison: {text}")
            self._replies.send(error_reply(address.id, error, self.identity, timings_at(now_ms())), address.reply_to, None)
        self._dlq.send(msg, POISON, text, ticket)

    def _run_alone(self, msg: Message) -> None:
        """Run a suspect with nothing else running and everything before it committed, so that a
        death now is its own; commit it as soon as it is answered."""
        assert self._deliveries is not None
        key = (msg.topic(), msg.partition())
        self._settle_all(key)
        self._commit_now()
        self._deliveries.record(msg)
        self._handle(msg)
        self._settle_all(key)
        self._commit_now()

    def _settle_all(self, key: tuple[Any, Any]) -> None:
        """Wait (bounded by half the poll interval) until no call runs and ``key`` has nothing outstanding."""
        deadline = time.monotonic() + self.config.max_poll_interval_ms / 2000
        while (self._pool.active or self._tracker.first_pending(key) is not None) and time.monotonic() < deadline:
            self._poll_producers(0.005)
            self._service()

    def _commit_now(self) -> None:
        if self._outbox is not None or self._consumer is None:
            return  # transactional: offsets are committed with each transaction (_service)
        self._store_settled()
        try:
            self._consumer.commit(asynchronous=False)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError._NO_OFFSET:
                log_event(DEBUG, events.KAFKA_ERROR, **kafka_error_fields(exc.args[0]))
