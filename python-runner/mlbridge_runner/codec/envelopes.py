"""Typed request/reply envelopes and their framed Avro encoding.

Python code sees snake_case dataclasses (``envelope_types.py``); the schema's camelCase field
names appear only in the ``_to_wire`` / ``_from_wire`` helpers here (used with fastavro and by the
vectors) and in the hand-written bodies of ``envelope_codec.py``.

The runner's hot path — :func:`decode_request` and :func:`encode_reply` — goes through the
hand-written codec while the loaded schemas are the ones it implements (checked by fingerprint);
the other directions, and any other schema version, use fastavro. A frame of another known
envelope version (``schemas/versions/``) is read by schema resolution (``envelope_versions.py``)
into today's shape; only that branch, after the fingerprint comparison fails, costs anything.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

from ..errors import BodyDecodeError
from . import envelope_codec
from .envelope_versions import EnvelopeKind, is_other_wire_schema, read_other_version
from .binary import AvroReadError, Reader
from .envelope_types import (
    Progress,
    RemoteCause,
    RemoteError,
    ReplyEnvelope,
    ReplyStatus,
    RequestAddress,
    RequestEnvelope,
    Timings,
)
from .framing import HEADER_SIZE, MAGIC, frame, unframe
from .schemas import WireSchema, wire_schemas
from .value import decode_value, encode_value


# ---------------------------------------------------------------------------- wire dicts


def request_to_wire(req: RequestEnvelope) -> dict[str, Any]:
    return {
        "id": req.id,
        "pipeline": req.pipeline,
        "args": req.args,
        "argsSchema": req.args_schema,
        "replyTo": req.reply_to,
        "deadlineMs": req.deadline_ms,
        "attempt": req.attempt,
        "sentAtMs": req.sent_at_ms,
        "headers": req.headers,
    }


def request_from_wire(d: dict[str, Any]) -> RequestEnvelope:
    return RequestEnvelope(
        id=d["id"],
        pipeline=d["pipeline"],
        args=d["args"],
        args_schema=d["argsSchema"],
        reply_to=d["replyTo"],
        deadline_ms=d["deadlineMs"],
        attempt=d["attempt"],
        sent_at_ms=d["sentAtMs"],
        headers=d["headers"],
    )


def remote_error_to_wire(err: RemoteError | None) -> dict[str, Any] | None:
    """A RemoteError in the field names of schemas/reply.avsc (and job.avsc's JobError)."""
    if err is None:
        return None
    return {
        "code": err.code,
        "type": err.type,
        "message": err.message,
        "traceback": err.traceback,
        "retryable": err.retryable,
        "causes": [{"type": c.type, "message": c.message} for c in err.causes],
    }


def remote_error_from_wire(err: dict[str, Any] | None) -> RemoteError | None:
    if err is None:
        return None
    return RemoteError(
        code=err["code"],
        type=err["type"],
        message=err["message"],
        traceback=err["traceback"],
        retryable=err["retryable"],
        causes=tuple(RemoteCause(c["type"], c["message"]) for c in err["causes"]),
    )


def write_framed(schema: WireSchema, record: dict[str, Any]) -> bytes:
    """``record`` (schema field names) as a single-object frame: for records off the per-call path
    (catalogue entries, job states), which fastavro writes."""
    return frame(schema.fingerprint, _write_body(schema, record))


def read_framed(schema: WireSchema, data: bytes) -> dict[str, Any]:
    """The record in a single-object frame of ``schema``. Raises a :class:`FramingError` (wrong
    frame or fingerprint) or :class:`BodyDecodeError` (truncated, malformed, trailing bytes)."""
    _, body = unframe(data, _known(schema))
    return _read_body(schema, body)


def reply_to_wire(rep: ReplyEnvelope) -> dict[str, Any]:
    err = rep.error
    prog = rep.progress
    return {
        "id": rep.id,
        "status": rep.status.value,
        "result": rep.result,
        "resultSchema": rep.result_schema,
        "error": remote_error_to_wire(err),
        "progress": None
        if prog is None
        else {"current": prog.current, "total": prog.total, "message": prog.message},
        "runner": rep.runner,
        "timings": {
            "receivedAtMs": rep.timings.received_at_ms,
            "startedAtMs": rep.timings.started_at_ms,
            "finishedAtMs": rep.timings.finished_at_ms,
        },
    }


def reply_from_wire(d: dict[str, Any]) -> ReplyEnvelope:
    err = d["error"]
    prog = d["progress"]
    t = d["timings"]
    return ReplyEnvelope(
        id=d["id"],
        status=ReplyStatus(d["status"]),
        result=d["result"],
        result_schema=d["resultSchema"],
        error=remote_error_from_wire(err),
        progress=None if prog is None else Progress(prog["current"], prog["total"], prog["message"]),
        runner=d["runner"],
        timings=Timings(t["receivedAtMs"], t["startedAtMs"], t["finishedAtMs"]),
    )


# ---------------------------------------------------------------------------- Avro


def _write_body(schema: WireSchema, record: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    schemaless_writer(buf, schema.parsed, record)
    return buf.getvalue()


def _read_body(schema: WireSchema, body: bytes | memoryview) -> dict[str, Any]:
    data = bytes(body)
    buf = io.BytesIO(data)
    try:
        record = schemaless_reader(buf, schema.parsed, None)
    except Exception as exc:  # noqa: BLE001 - fastavro raises EOFError, ValueError, IndexError, ...
        raise BodyDecodeError(f"{schema.name} body does not decode: {type(exc).__name__}: {exc}") from None
    if buf.tell() != len(data):
        raise BodyDecodeError(f"{len(data) - buf.tell()} trailing bytes after the {schema.name} body")
    return record  # type: ignore[return-value]


def _known(schema: WireSchema) -> dict[bytes, WireSchema]:
    return {schema.fingerprint: schema}


def encode_request(req: RequestEnvelope) -> bytes:
    schema = wire_schemas().request
    return frame(schema.fingerprint, _write_body(schema, request_to_wire(req)))


@functools.lru_cache(maxsize=1)
def _hand_written_headers() -> tuple[bytes | None, bytes | None]:
    """The frame headers of request and reply when ``envelope_codec`` implements the loaded schemas."""
    schemas = wire_schemas()
    request, reply = schemas.request.fingerprint, schemas.reply.fingerprint
    return (
        MAGIC + request if request == envelope_codec.REQUEST_FINGERPRINT else None,
        MAGIC + reply if reply == envelope_codec.REPLY_FINGERPRINT else None,
    )


def _read_any_version(kind: EnvelopeKind, schema: WireSchema, data: bytes) -> dict[str, Any]:
    """The frame's body in today's field names, whichever known version wrote it; raises a
    ``FramingError`` (``UnsupportedEnvelope`` for an unknown fingerprint) or ``BodyDecodeError``."""
    if len(data) < HEADER_SIZE or data[:2] != MAGIC:
        unframe(data, _known(schema))  # raises the framing error that applies
    fingerprint = bytes(data[2:HEADER_SIZE])
    body = memoryview(data)[HEADER_SIZE:]
    if fingerprint == schema.fingerprint:
        return _read_body(schema, body)
    return read_other_version(kind, fingerprint, body)


def decode_request(data: bytes) -> RequestEnvelope:
    """Unframe and decode a request of any known version; raises a ``FramingError`` (an
    ``UnsupportedEnvelope`` for an unknown version) or :class:`BodyDecodeError`."""
    header = _hand_written_headers()[0]
    if header is None:
        return request_from_wire(_read_any_version("request", wire_schemas().request, data))
    if type(data) is not bytes:
        data = bytes(data)
    if data[:HEADER_SIZE] != header:
        return request_from_wire(_read_any_version("request", wire_schemas().request, data))
    try:
        return envelope_codec.read_request(data, HEADER_SIZE)
    except AvroReadError as exc:
        raise BodyDecodeError(f"request body does not decode: {exc}") from None


def peek_request_address(data: bytes) -> RequestAddress | None:
    """Read id, pipeline and replyTo from the front of a framed request whose body is broken or
    whose version is unknown.

    Every request version keeps the address prefix (id, pipeline, args, argsSchema, replyTo as
    string, string, bytes, string, string: schemas/versions/index.json), so it is read whatever the
    fingerprint, unless that fingerprint is a known schema of another kind (a reply, a Value …).
    Returns ``None`` when the prefix cannot be read (or the frame is no request).
    """
    try:
        if len(data) < HEADER_SIZE or data[:2] != MAGIC or is_other_wire_schema(bytes(data[2:HEADER_SIZE])):
            return None
        reader = Reader(memoryview(data)[HEADER_SIZE:])
        request_id = reader.read_string()
        pipeline = reader.read_string()
        reader.read_bytes()  # args
        reader.read_string()  # argsSchema
        reply_to = reader.read_string()
    except Exception:  # noqa: BLE001 - any failure means: not readable
        return None
    return RequestAddress(request_id, pipeline, reply_to)


def encode_reply(rep: ReplyEnvelope) -> bytes:
    header = _hand_written_headers()[1]
    if header is None:
        schema = wire_schemas().reply
        return frame(schema.fingerprint, _write_body(schema, reply_to_wire(rep)))
    return envelope_codec.encode_reply(header, rep)


def decode_reply(data: bytes) -> ReplyEnvelope:
    """A reply of any known version, in today's shape."""
    return reply_from_wire(_read_any_version("reply", wire_schemas().reply, data))


def encode_framed_value(value: Any) -> bytes:
    """A ``Value`` as a standalone single-object frame (used by the shared vectors)."""
    return frame(wire_schemas().value.fingerprint, encode_value(value))


def decode_framed_value(data: bytes) -> Any:
    schema = wire_schemas().value
    _, body = unframe(data, _known(schema))
    return decode_value(body)


__all__ = [
    "ReplyStatus",
    "RequestEnvelope",
    "ReplyEnvelope",
    "RemoteError",
    "RemoteCause",
    "Progress",
    "Timings",
    "RequestAddress",
    "request_to_wire",
    "request_from_wire",
    "reply_to_wire",
    "reply_from_wire",
    "encode_request",
    "decode_request",
    "peek_request_address",
    "encode_reply",
    "decode_reply",
    "encode_framed_value",
    "decode_framed_value",
    "AvroReadError",
]
