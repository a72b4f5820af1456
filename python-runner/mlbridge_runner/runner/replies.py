"""Build reply envelopes and produce them to the caller's reply topic.

:meth:`ReplySender.send` is thread-safe (workers reply as soon as their call returns, without
waiting for the loop). Delivery reports run on the loop thread inside ``producer.poll``; each one
hands the request's ticket to ``settle`` so its offset can be stored — also when delivery failed
for good (the client is gone), so that a dead client never blocks a partition.
"""

from __future__ import annotations

import threading
import time
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from .. import error_codes, events
from ..blobs.claim_check import claim_check
from ..blobs.errors import BlobStoreError
from ..codec.envelope_codec import OK_REPLY_BUILDER
from ..codec.envelopes import (
    RemoteError,
    ReplyEnvelope,
    ReplyStatus,
    RequestEnvelope,
    Timings,
    encode_reply,
)
from ..frozen import slot_setters
from ..logging import DEBUG, WARNING, enabled, log_event
from ..observability.tracing import trace_id_of
from ..transport.config import PRODUCER_MAX_MESSAGE_BYTES
from .dispatch import Outcome, now_ms
from .failures import plain_error, result_too_large_error
from ..codec.segments import as_bytes
from .offsets import Ticket

if TYPE_CHECKING:
    from .dlq import DeadLetters

Settle = Callable[[Ticket | None], None]
#: Kafka record headers of a reply (the consumer span's ``traceparent``; docs/observability.md).
Headers = list[tuple[str, bytes]]

_RETRIABLE_DELIVERY = {KafkaError._MSG_TIMED_OUT, KafkaError._TRANSPORT, KafkaError.REQUEST_TIMED_OUT}
_MAX_DELIVERY_ATTEMPTS = 3


# Built at every call: through the slot setters (see frozen.py).
_REPLY_SETTERS = slot_setters(ReplyEnvelope)
_TIMINGS_SETTERS = slot_setters(Timings)
_new = object.__new__


def _timings(received_at_ms: int, started_at_ms: int, finished_at_ms: int) -> Timings:
    timings = _new(Timings)
    set_received, set_started, set_finished = _TIMINGS_SETTERS
    set_received(timings, received_at_ms)
    set_started(timings, started_at_ms)
    set_finished(timings, finished_at_ms)
    return timings


def _ok_reply_python(
    request_id: str, result: bytes, result_schema: str, runner: str, received_at_ms: int, started_at_ms: int,
    finished_at_ms: int,
) -> ReplyEnvelope:
    return ok_reply_of(request_id, result, result_schema, runner, _timings(received_at_ms, started_at_ms, finished_at_ms))


def ok_reply_of(request_id: str, result: bytes, result_schema: str, runner: str, timings: Timings) -> ReplyEnvelope:
    reply = _new(ReplyEnvelope)
    set_id, set_status, set_result, set_schema, set_error, set_progress, set_runner, set_timings = _REPLY_SETTERS
    set_id(reply, request_id)
    set_status(reply, ReplyStatus.OK)
    set_result(reply, result)
    set_schema(reply, result_schema)
    set_error(reply, None)
    set_progress(reply, None)
    set_runner(reply, runner)
    set_timings(reply, timings)
    return reply


def error_reply(request_id: str, error: RemoteError, runner: str, timings: Timings) -> ReplyEnvelope:
    return ReplyEnvelope(id=request_id, status=ReplyStatus.ERROR, error=error, runner=runner, timings=timings)


#: The OK reply of a call with its Timings: built in C (envelope_codec) when the extension is there.
ok_reply = OK_REPLY_BUILDER or _ok_reply_python


def outcome_reply(
    request: RequestEnvelope,
    outcome: Outcome,
    result_schema: str,
    runner: str,
    received_at_ms: int,
    dead_letters: DeadLetters | None = None,
    ticket: Ticket | None = None,
) -> ReplyEnvelope:
    """The reply to a call that ended with ``outcome``; a result above the claim check's threshold
    goes by reference. A store that refuses it: the caller gets ``BLOB_UNAVAILABLE`` and, given
    ``dead_letters``, the request goes to the dead-letter topic (reason ``result-unstored``) so an
    operator can run it again — the call ran, but its result is lost."""
    if outcome.error is not None:
        timings = _timings(received_at_ms, outcome.started_at_ms, outcome.finished_at_ms)
        return error_reply(request.id, outcome.error, runner, timings)
    assert outcome.result is not None
    result, schema = outcome.result, outcome.result_ref or result_schema  # a typed call's result has its own ref
    if len(result) > claim_check().threshold_bytes:
        try:
            result, schema = claim_check().offload(result, schema)  # docs/protocol.md, "Large payloads by reference"
        except BlobStoreError as exc:
            if dead_letters is not None and ticket is not None:
                dead_letters.send_refused(request, ticket, "result-unstored", str(exc))
            timings = _timings(received_at_ms, outcome.started_at_ms, outcome.finished_at_ms)
            return error_reply(request.id, plain_error(error_codes.BLOB_UNAVAILABLE, exc.kind, str(exc)), runner, timings)
    if type(result) is not bytes:  # in pieces, or fastavro's bytearray, under a raised threshold after all
        result = as_bytes(result)
    return ok_reply(request.id, result, schema, runner, received_at_ms, outcome.started_at_ms, outcome.finished_at_ms)


class ReplySender:
    #: Turns a reply into bytes; registry mode swaps in RunnerRegistry.encode_reply.
    encode: Callable[[ReplyEnvelope], bytes] = staticmethod(encode_reply)
    #: Takes over a reply the broker refused for want of Write on its topic (ACLs): the runner
    #: dead-letters the call (reason ``reply_denied``) and settles the ticket. Unset: logged only.
    on_denied: Callable[[ReplyEnvelope, str, "Ticket | None", str], None] | None = None

    def __init__(
        self, producer: Producer, settle: Settle, loop_thread: threading.Thread, bulk: Producer | None = None
    ) -> None:
        self._producer = producer
        #: Takes the releases of two or more replies (lingers briefly; see bulk_producer_settings).
        self._bulk = bulk
        self._settle = settle
        self._loop_thread = loop_thread
        self._loop_ident = loop_thread.ident
        #: Loop-thread replies held by :meth:`hold` until :meth:`release`, by topic.
        self._held: dict[str, list[tuple[dict[str, Any], ReplyEnvelope, Ticket | None]]] | None = None
        #: Whether a held reply carries headers (traced): only then are the held ones looked through.
        self._held_headers = False

    def hold(self) -> None:
        """Loop thread: keep its replies until :meth:`release` (workers' replies still go at once).

        librdkafka sends one Produce request per wake-up of its broker thread; replies produced
        one by one while the loop works through a batch of requests mostly go one per request.
        Released together they share a request (measured in bench/README.md).
        """
        if self._held is None:
            self._held = {}

    def release(self) -> None:
        """Loop thread: produce the held replies, one ``produce_batch`` per reply topic."""
        held, self._held = self._held, None
        headers, self._held_headers = self._held_headers, False
        if not held:
            return
        for topic, entries in held.items():
            producer = self._bulk if self._bulk is not None and len(entries) > 1 else self._producer
            if headers and any("headers" in message for message, _, _ in entries):
                # produce_batch takes no headers: traced replies go one by one to the same producer
                # (the bulk one still batches them in librdkafka; a lone one leaves at once).
                plain = []
                for entry in entries:
                    message, reply, ticket = entry
                    if "headers" in message:
                        self._produce(topic, message["value"], reply, ticket, message["callback"], message["headers"], producer)
                    else:
                        plain.append(entry)
                entries = plain
                if not entries:
                    continue
            try:
                queued = producer.produce_batch(topic, [message for message, _, _ in entries])
            except Exception:  # noqa: BLE001 - not expected (failures are per message); send one by one
                for message, reply, ticket in entries:
                    self._produce(topic, message["value"], reply, ticket, message["callback"])
                continue
            if queued == len(entries):
                continue
            for message, reply, ticket in entries:  # the refused ones carry an "_error"
                error = message.get("_error")
                if error is None:
                    continue
                if error.code() == KafkaError._QUEUE_FULL:
                    self._produce(topic, message["value"], reply, ticket, message["callback"])
                else:
                    self._refused(error, reply, topic, ticket)

    def send(
        self,
        reply: ReplyEnvelope,
        topic: str,
        ticket: Ticket | None,
        deadline_ms: int = 0,
        attempt: int = 1,
        headers: Headers | None = None,
    ) -> None:
        """Produce ``reply`` to ``topic`` (with record ``headers``); ``ticket`` is settled once the
        outcome is final."""
        try:
            data = self.encode(reply)
        except Exception as exc:  # noqa: BLE001 - should not happen; never lose the ticket
            self._failed(reply, topic, ticket, f"reply does not encode: {exc}")
            return

        # A partial, not a closure: the loop makes one per reply, and a closure over six names
        # builds six cells besides the function.
        delivered = partial(self._delivered, reply, topic, ticket, deadline_ms, attempt, headers)
        held = self._held
        if held is not None and threading.get_ident() == self._loop_ident:
            entries = held.get(topic)
            if entries is None:
                entries = held[topic] = []
            message = {"value": data, "key": reply.id.encode("utf-8"), "callback": delivered}
            if headers is not None:
                message["headers"] = headers
                self._held_headers = True
            entries.append((message, reply, ticket))
            return
        self._produce(topic, data, reply, ticket, delivered, headers)

    def _produce(
        self,
        topic: str,
        data: bytes,
        reply: ReplyEnvelope,
        ticket: Ticket | None,
        delivered: Callable[[KafkaError | None, Message], None],
        headers: Headers | None = None,
        producer: Producer | None = None,
    ) -> None:
        producer = producer or self._producer
        while True:
            try:
                if headers is None:
                    producer.produce(topic, value=data, key=reply.id.encode("utf-8"), on_delivery=delivered)
                else:
                    producer.produce(topic, value=data, key=reply.id.encode("utf-8"), headers=headers, on_delivery=delivered)
                return
            except BufferError:
                # The local queue is full until the loop serves delivery reports.
                if threading.current_thread() is self._loop_thread:
                    producer.poll(0.05)
                else:
                    time.sleep(0.01)
            except KafkaException as exc:
                self._refused(exc.args[0], reply, topic, ticket, headers)
                return
            except Exception as exc:  # noqa: BLE001
                self._failed(reply, topic, ticket, f"{type(exc).__name__}: {exc}")
                return

    def _refused(
        self, error: KafkaError, reply: ReplyEnvelope, topic: str, ticket: Ticket | None, headers: Headers | None = None
    ) -> None:
        if error.code() == KafkaError.MSG_SIZE_TOO_LARGE and reply.status is ReplyStatus.OK:
            # Refused by librdkafka before sending: the producer's own limit.
            self._send_too_large(reply, topic, ticket, PRODUCER_MAX_MESSAGE_BYTES, headers)
            return
        self._failed(reply, topic, ticket, error.str(), denied=error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED)

    def _send_too_large(
        self, reply: ReplyEnvelope, topic: str, ticket: Ticket | None, limit: int | None, headers: Headers | None = None
    ) -> None:
        """Replace an OK reply refused for its size with RESULT_TOO_LARGE (``limit`` None: the
        broker refused it, the topic's limit is not known here)."""
        error = result_too_large_error(len(self.encode(reply)), limit)
        self.send(error_reply(reply.id, error, reply.runner, reply.timings), topic, ticket, headers=headers)

    def _delivered(
        self,
        reply: ReplyEnvelope,
        topic: str,
        ticket: Ticket | None,
        deadline_ms: int,
        attempt: int,
        headers: Headers | None,
        err: KafkaError | None,
        _msg: Message | None,
    ) -> None:
        """Delivery report of ``reply`` (librdkafka passes ``err`` and the message last)."""
        if err is None:
            if enabled(DEBUG):
                trace_id = trace_id_of(headers[0][1]) if headers else None
                log_event(
                    DEBUG,
                    events.CALL_REPLIED,
                    id=reply.id,
                    status=reply.status.value,
                    code=reply.error.code if reply.error else None,
                    topic=topic,
                    **({} if trace_id is None else {"trace_id": trace_id}),
                )
            self._settle(ticket)
            return
        if err.code() == KafkaError.MSG_SIZE_TOO_LARGE and reply.status is ReplyStatus.OK:
            self._send_too_large(reply, topic, ticket, None, headers)  # the broker refused it
            return
        still_wanted = deadline_ms == 0 or now_ms() < deadline_ms
        if err.code() in _RETRIABLE_DELIVERY and still_wanted and attempt < _MAX_DELIVERY_ATTEMPTS:
            self.send(reply, topic, ticket, deadline_ms, attempt + 1, headers)
            return
        self._failed(reply, topic, ticket, err.str(), denied=err.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED)

    def _failed(
        self, reply: ReplyEnvelope, topic: str, ticket: Ticket | None, error: str, denied: bool = False
    ) -> None:
        log_event(WARNING, events.REPLY_FAILED, id=reply.id, topic=topic, error=error)
        if denied and self.on_denied is not None:
            self.on_denied(reply, topic, ticket, error)
            return
        self._settle(ticket)


def timings_at(ms: int) -> Timings:
    return Timings(ms, ms, ms)


def kafka_error_fields(error: Any) -> dict[str, Any]:
    return {"error": error.str(), "code": error.name(), "fatal": error.fatal()}
