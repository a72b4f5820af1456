"""Typed request/reply envelopes and their framed Avro encoding.

Python code sees snake_case dataclasses; the schema's camelCase field names appear only in
``_to_wire`` / ``_from_wire`` helpers here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

from ..errors import BodyDecodeError
from .binary import AvroReadError, Reader
from .framing import frame, unframe
from .schemas import WireSchema, wire_schemas
from .value import decode_value, encode_value


class ReplyStatus(str, Enum):
    OK = "OK"
    ERROR = "ERROR"
    PROGRESS = "PROGRESS"


@dataclass(frozen=True, slots=True)
class RequestEnvelope:
    id: str
    pipeline: str
    args: bytes
    args_schema: str
    reply_to: str
    deadline_ms: int = 0
    attempt: int = 1
    sent_at_ms: int = 0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteCause:
    type: str
    message: str


@dataclass(frozen=True, slots=True)
class RemoteError:
    code: str
    type: str
    message: str
    traceback: str = ""
    retryable: bool = False
    causes: tuple[RemoteCause, ...] = ()


@dataclass(frozen=True, slots=True)
class Progress:
    current: float
    total: float | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class Timings:
    received_at_ms: int = 0
    started_at_ms: int = 0
    finished_at_ms: int = 0


@dataclass(frozen=True, slots=True)
class ReplyEnvelope:
    id: str
    status: ReplyStatus
    result: bytes = b""
    result_schema: str = ""
    error: RemoteError | None = None
    progress: Progress | None = None
    runner: str = ""
    timings: Timings = Timings()


@dataclass(frozen=True, slots=True)
class RequestAddress:
    """What could be read from the front of a request body that failed to decode whole."""

    id: str
    pipeline: str
    reply_to: str


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


def reply_to_wire(rep: ReplyEnvelope) -> dict[str, Any]:
    err = rep.error
    prog = rep.progress
    return {
        "id": rep.id,
        "status": rep.status.value,
        "result": rep.result,
        "resultSchema": rep.result_schema,
        "error": None
        if err is None
        else {
            "code": err.code,
            "type": err.type,
            "message": err.message,
            "traceback": err.traceback,
            "retryable": err.retryable,
            "causes": [{"type": c.type, "message": c.message} for c in err.causes],
        },
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
        error=None
        if err is None
        else RemoteError(
            code=err["code"],
            type=err["type"],
            message=err["message"],
            traceback=err["traceback"],
            retryable=err["retryable"],
            causes=tuple(RemoteCause(c["type"], c["message"]) for c in err["causes"]),
        ),
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


def decode_request(data: bytes) -> RequestEnvelope:
    """Unframe and decode a request; raises a ``FramingError`` or :class:`BodyDecodeError`."""
    schema = wire_schemas().request
    _, body = unframe(data, _known(schema))
    return request_from_wire(_read_body(schema, body))


def peek_request_address(data: bytes) -> RequestAddress | None:
    """Read id, pipeline and replyTo from the front of a framed request whose body is broken.

    Returns ``None`` when even those cannot be read (or the frame is not a request).
    """
    schema = wire_schemas().request
    try:
        _, body = unframe(data, _known(schema))
        reader = Reader(body)
        request_id = reader.read_string()
        pipeline = reader.read_string()
        reader.read_bytes()  # args
        reader.read_string()  # argsSchema
        reply_to = reader.read_string()
    except Exception:  # noqa: BLE001 - any failure means: not readable
        return None
    return RequestAddress(request_id, pipeline, reply_to)


def encode_reply(rep: ReplyEnvelope) -> bytes:
    schema = wire_schemas().reply
    return frame(schema.fingerprint, _write_body(schema, reply_to_wire(rep)))


def decode_reply(data: bytes) -> ReplyEnvelope:
    schema = wire_schemas().reply
    _, body = unframe(data, _known(schema))
    return reply_from_wire(_read_body(schema, body))


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
