"""The dead-letter topic: where messages that cannot be read as requests go, with the reason."""

from __future__ import annotations

from typing import Any, Callable, Final

from confluent_kafka import KafkaError, Message, Producer

from .. import events
from ..codec.envelopes import RequestEnvelope, encode_request
from ..logging import ERROR, WARNING, log_event
from .dispatch import now_ms
from .offsets import Ticket

#: Header names on every dead-letter record.
REASON: Final = "mlbridge.dlq.reason"
ERROR_TEXT: Final = "mlbridge.dlq.error"
SOURCE_TOPIC: Final = "mlbridge.source.topic"
SOURCE_PARTITION: Final = "mlbridge.source.partition"
SOURCE_OFFSET: Final = "mlbridge.source.offset"
AT: Final = "mlbridge.dlq.at"

#: Values of the ``mlbridge.dlq.reason`` header.
REASONS: Final = (
    "empty-message",  # no value at all
    "frame-too-short",  # fewer than 10 bytes
    "bad-magic",  # not C3 01
    "unknown-fingerprint",  # no known Request version (answered UNSUPPORTED_ENVELOPE when its address reads)
    "undecodable-body",  # truncated / malformed Avro, or trailing bytes
    "invalid-reply-to",  # decodes, but replyTo is not a legal topic name
    "internal",  # the runner failed on it for a reason of its own
    "poison",  # runner processes died running it --max-deliveries times (poison.py)
    "reply_denied",  # ran, but the runner may not write its reply topic (ACLs); record without value
    "blob-unavailable",  # args by reference whose blob is missing, corrupt or unreachable (also answered BLOB_UNAVAILABLE)
    "result-unstored",  # ran, but its large result could not be written to the blob store (answered BLOB_UNAVAILABLE)
)

#: On ``reply_denied`` records: the request's id (the request itself stays at its source offset).
REQUEST_ID: Final = "mlbridge.request.id"

MAX_ERROR_CHARS: Final = 2000


class DeadLetters:
    #: Told the reason of each record sent (the runner's metrics; observability/).
    on_sent: Callable[[str], None] | None = None

    def __init__(self, producer: Producer, topic: str, settle: Callable[[Ticket | None], None]) -> None:
        self._producer = producer
        self._topic = topic
        self._settle = settle

    @property
    def topic(self) -> str:
        return self._topic

    def record_for(
        self, msg: Message, reason: str, error: str
    ) -> tuple[bytes | None, bytes | None, list[tuple[str, str | bytes | None]], dict[str, Any]]:
        """The dead letter for ``msg``: value, key, headers (ours, then the original ones), source."""
        source: dict[str, Any] = {"topic": msg.topic(), "partition": msg.partition(), "offset": msg.offset()}
        headers: list[tuple[str, str | bytes | None]] = [
            (REASON, reason.encode()),
            (ERROR_TEXT, error[:MAX_ERROR_CHARS].encode("utf-8", "replace")),
            (SOURCE_TOPIC, str(source["topic"]).encode()),
            (SOURCE_PARTITION, str(source["partition"]).encode()),
            (SOURCE_OFFSET, str(source["offset"]).encode()),
            (AT, str(now_ms()).encode()),
        ]
        original = msg.headers() or []
        headers.extend(original.items() if isinstance(original, dict) else original)
        return msg.value(), msg.key(), headers, source

    def send_denied_reply(self, request_id: str, reply_topic: str, ticket: Ticket, error: str) -> None:
        """The call ``ticket`` ran but its reply to ``reply_topic`` was refused (no Write ACL): a
        dead letter naming it. Why no copy of the request: by the time a delivery report says
        so, the request's bytes are long gone (keeping them per call would cost every call); its
        source offset finds it."""
        source: dict[str, Any] = {"topic": ticket.topic, "partition": ticket.partition, "offset": ticket.offset}
        headers: list[tuple[str, str | bytes | None]] = [
            (REASON, b"reply_denied"),
            (ERROR_TEXT, f"replyTo {reply_topic}: {error}"[:MAX_ERROR_CHARS].encode("utf-8", "replace")),
            (SOURCE_TOPIC, ticket.topic.encode()),
            (SOURCE_PARTITION, str(ticket.partition).encode()),
            (SOURCE_OFFSET, str(ticket.offset).encode()),
            (AT, str(now_ms()).encode()),
            (REQUEST_ID, request_id.encode("utf-8", "replace")),
        ]
        self._produce_letter("reply_denied", error, None, request_id.encode("utf-8", "replace"), headers, source, ticket)

    def send_refused(self, request: RequestEnvelope, ticket: Ticket, reason: str, error: str) -> None:
        """A request that decoded but was refused before running, for a reason worth an operator's
        look (``blob-unavailable``): the request re-encoded (framed as today's Request, so a
        registry-framed original is readable too), keyed by its id. ``ticket`` only names the
        source; the caller's reply settles it."""
        request_id = request.id
        source: dict[str, Any] = {"topic": ticket.topic, "partition": ticket.partition, "offset": ticket.offset}
        headers: list[tuple[str, str | bytes | None]] = [
            (REASON, reason.encode()),
            (ERROR_TEXT, error[:MAX_ERROR_CHARS].encode("utf-8", "replace")),
            (SOURCE_TOPIC, ticket.topic.encode()),
            (SOURCE_PARTITION, str(ticket.partition).encode()),
            (SOURCE_OFFSET, str(ticket.offset).encode()),
            (AT, str(now_ms()).encode()),
            (REQUEST_ID, request_id.encode("utf-8", "replace")),
        ]
        key = request_id.encode("utf-8", "replace")
        self._produce_letter(reason, error, encode_request(request), key, headers, source, None)

    def send(self, msg: Message, reason: str, error: str, ticket: Ticket | None) -> None:
        """Copy ``msg`` (value, key, original headers after ours) to the dead-letter topic."""
        value, key, headers, source = self.record_for(msg, reason, error)
        self._produce_letter(reason, error, value, key, headers, source, ticket)

    def _produce_letter(
        self,
        reason: str,
        error: str,
        value: bytes | None,
        key: bytes | None,
        headers: list[tuple[str, str | bytes | None]],
        source: dict[str, Any],
        ticket: Ticket | None,
    ) -> None:
        if self.on_sent is not None:
            self.on_sent(reason)

        def delivered(err: KafkaError | None, _msg: Message) -> None:
            if err is None:
                log_event(WARNING, events.DLQ_SENT, reason=reason, error=error[:200], dlq_topic=self._topic, **source)
            else:
                log_event(ERROR, events.DLQ_FAILED, reason=reason, error=err.str(), **source)
            self._settle(ticket)

        while True:
            try:
                self._producer.produce(self._topic, value=value, key=key, headers=headers, on_delivery=delivered)
                return
            except BufferError:
                self._producer.poll(0.1)
            except Exception as exc:  # noqa: BLE001 - never let a bad message stop the loop
                log_event(ERROR, events.DLQ_FAILED, reason=reason, error=f"{type(exc).__name__}: {exc}", **source)
                self._settle(ticket)
                return
