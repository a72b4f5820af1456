"""Request and reply envelopes in the Confluent wire format, and requests in either framing.

The Avro body is the one of the single-object frame; only the header differs. A frame's writer
schema is found by id: when it is our envelope schema (same Parsing Canonical Form) the hand-written
codec reads it, otherwise fastavro resolves the writer's schema to ours (a producer built from an
older or newer request.avsc, e.g. a Java service with a generated class).
"""

from __future__ import annotations

import io
import json
import threading
from typing import Any, Literal

from fastavro import schemaless_reader
from fastavro.schema import to_parsing_canonical_form

from ..codec import envelopes as single_object
from ..codec.envelope_types import ReplyEnvelope, RequestEnvelope
from ..codec.framing import HEADER_SIZE as SINGLE_OBJECT_HEADER_SIZE
from ..codec.framing import MAGIC as SINGLE_OBJECT_MAGIC
from ..codec.schemas import WireSchema, wire_schemas
from ..errors import BodyDecodeError, UnknownFingerprint
from . import framing
from .client import RegistryClient
from .errors import SchemaRegistryError
from .subjects import REPLY_SUBJECT, request_subject

Kind = Literal["request", "reply"]


def envelope_schema_text(kind: Kind) -> str:
    """The text registered for an envelope: its .avsc file, compact — byte for byte what the TS
    client registers (``JSON.stringify``), so both sides get the same id."""
    schema = wire_schemas().request if kind == "request" else wire_schemas().reply
    return json.dumps(schema.raw, separators=(",", ":"), ensure_ascii=False)


def encode_request(schema_id: int, request: RequestEnvelope) -> bytes:
    """A request as a Confluent frame, for the registry's ``schema_id`` of request.avsc."""
    return framing.frame(schema_id, single_object.encode_request(request)[SINGLE_OBJECT_HEADER_SIZE:])


def encode_reply(schema_id: int, reply: ReplyEnvelope) -> bytes:
    """A reply as a Confluent frame, for the registry's ``schema_id`` of reply.avsc."""
    return framing.frame(schema_id, single_object.encode_reply(reply)[SINGLE_OBJECT_HEADER_SIZE:])


class RegistryEnvelopes:
    """Envelopes against one registry: ids to frame with, and decoding of either framing."""

    def __init__(self, registry: RegistryClient) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        # (kind, schema id) -> None when the writer is our schema, else the writer's parsed schema.
        self._writers: dict[tuple[Kind, int], Any] = {}

    def request_schema_id(self, request_topic: str) -> int:
        return self.registry.register(request_subject(request_topic), envelope_schema_text("request"))

    def reply_schema_id(self) -> int:
        return self.registry.register(REPLY_SUBJECT, envelope_schema_text("reply"))

    def decode_request(self, data: bytes) -> RequestEnvelope:
        """A request in either framing.

        Raises a ``FramingError`` / :class:`BodyDecodeError` for bad bytes (``UnknownFingerprint``
        when the id's schema cannot be read as a request) and :class:`SchemaRegistryError` when the
        registry cannot be asked or does not know the id.
        """
        if framing.detect_framing(data) != "confluent":
            return single_object.decode_request(data)
        schema = wire_schemas().request
        body = self._body(data, "request", schema)
        if isinstance(body, bytes):
            return single_object.decode_request(body)
        return single_object.request_from_wire(body)

    def decode_reply(self, data: bytes) -> ReplyEnvelope:
        """A reply in either framing; errors as :meth:`decode_request`."""
        if framing.detect_framing(data) != "confluent":
            return single_object.decode_reply(data)
        schema = wire_schemas().reply
        body = self._body(data, "reply", schema)
        if isinstance(body, bytes):
            return single_object.decode_reply(body)
        return single_object.reply_from_wire(body)

    def _body(self, data: bytes, kind: Kind, ours: WireSchema) -> bytes | dict[str, Any]:
        """A single-object frame to decode (writer is ours), or the record read by resolution."""
        schema_id, body = framing.unframe(data)
        writer = self._writer(kind, ours, schema_id)
        if writer is None:
            return SINGLE_OBJECT_MAGIC + ours.fingerprint + bytes(body)
        raw = bytes(body)
        buf = io.BytesIO(raw)
        try:
            record = schemaless_reader(buf, writer, ours.parsed)
        except Exception as exc:  # noqa: BLE001 - fastavro raises EOFError, ValueError, ...
            raise BodyDecodeError(f"{kind} written with schema id {schema_id} does not decode: {type(exc).__name__}: {exc}") from None
        if buf.tell() != len(raw):
            raise BodyDecodeError(f"{len(raw) - buf.tell()} trailing bytes after the {kind} body (schema id {schema_id})")
        return record  # type: ignore[return-value]

    def _writer(self, kind: Kind, ours: WireSchema, schema_id: int) -> Any:
        key = (kind, schema_id)
        with self._lock:
            if key in self._writers:
                return self._writers[key]
        try:
            parsed = self.registry.parsed_schema(schema_id)
        except SchemaRegistryError as exc:
            if exc.reason != "bad-schema":
                raise
            raise UnknownFingerprint(str(exc)) from None
        raw = self.registry.schema_json(schema_id)
        if to_parsing_canonical_form(raw) == ours.canonical_form:
            writer = None
        else:
            writer = parsed
            if not _readable(writer, ours):
                raise UnknownFingerprint(f"schema id {schema_id} ({_describe(raw)}) cannot be read as a {kind} envelope")
        with self._lock:
            self._writers[key] = writer
        return writer


def _readable(writer: Any, ours: WireSchema) -> bool:
    """Whether Avro resolution can map ``writer`` onto our record: same full name, and each of our
    fields written or defaulted. Field types are checked by fastavro while reading."""
    if not isinstance(writer, dict) or writer.get("type") != "record" or writer.get("name") != ours.parsed.get("name"):
        return False
    written = {field["name"] for field in writer["fields"]}
    return all(field["name"] in written or "default" in field for field in ours.parsed["fields"])


def _describe(raw: Any) -> str:
    if isinstance(raw, dict):
        return str(raw.get("name") or raw.get("type"))
    return str(raw)
