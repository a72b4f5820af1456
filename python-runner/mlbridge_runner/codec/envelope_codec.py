"""Hand-written Avro bodies for the two envelopes on the runner's hot path: reading a request and
writing a reply.

Generic fastavro costs a ``BytesIO``, a dict per record and a dataclass ↔ dict translation per
message; this module goes straight between bytes and the dataclasses (about 4× less CPU per call,
see bench/README.md). It is written for exactly one version of each schema: ``envelopes.py`` uses
it only while the loaded schemas' fingerprints equal :data:`REQUEST_FINGERPRINT` /
:data:`REPLY_FINGERPRINT`, and falls back to fastavro otherwise. The shared vectors and
``tests/unit/test_envelope_codec.py`` check it byte for byte against fastavro.

:func:`read_request` and :func:`encode_reply` first try ``mlbridge_runner_accel``
(``_envelope_accel.c``), the same two bodies in C, built when the package is installed with a
compiler at hand (``setup.py``; optional) and used only for the schema versions it names. It
handles only the well-formed common case and answers ``None`` for anything else, so that the
Python code below still decides every error. ``MLBRIDGE_PURE_PYTHON=1`` turns it off.
"""

from __future__ import annotations

import struct
from types import ModuleType
from typing import Callable, Final

from .accel import load_extension
from .binary import AvroReadError
from .envelope_types import Progress, RemoteError, ReplyEnvelope, ReplyStatus, RequestEnvelope, Timings

#: Fingerprints of the request.avsc / reply.avsc this module implements.
REQUEST_FINGERPRINT: Final = bytes.fromhex("c6bdd8d6a1a66e41")
REPLY_FINGERPRINT: Final = bytes.fromhex("5ff1ae2113d80b13")

_INT_MIN: Final = -(1 << 31)
_INT_MAX: Final = (1 << 31) - 1
_pack_double = struct.Struct("<d").pack
_STATUS_BYTE: Final = {ReplyStatus.OK: b"\x00", ReplyStatus.ERROR: b"\x02", ReplyStatus.PROGRESS: b"\x04"}

# ---------------------------------------------------------------------------- read


def _long(data: bytes, pos: int) -> tuple[int, int]:
    """Zig-zag varint at ``pos`` → (value, next pos)."""
    try:
        byte = data[pos]
        if byte < 0x80:
            return (byte >> 1) ^ -(byte & 1), pos + 1
        n = byte & 0x7F
        shift = 7
        pos += 1
        while True:
            byte = data[pos]
            pos += 1
            n |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
            if shift >= 70:
                raise AvroReadError("varint longer than 10 bytes")
    except IndexError:
        raise AvroReadError("truncated varint") from None
    if n >> 64:
        raise AvroReadError("varint does not fit in 64 bits")
    return (n >> 1) ^ -(n & 1), pos


def _string(data: bytes, pos: int) -> tuple[str, int]:
    byte = data[pos] if pos < len(data) else 0x80  # 0x80: let _long report the truncation
    if byte < 0x80 and not byte & 1:  # the usual short string: one length byte
        size = byte >> 1
        pos += 1
    else:
        size, pos = _long(data, pos)
        if size < 0:
            raise AvroReadError(f"negative length {size}")
    end = pos + size
    if end > len(data):
        raise AvroReadError(f"declared length {size} exceeds the {len(data) - pos} bytes left")
    try:
        return data[pos:end].decode("utf-8"), end
    except UnicodeDecodeError as exc:
        raise AvroReadError(f"invalid UTF-8 in string: {exc.reason} at byte {exc.start}") from None


def _bytes(data: bytes, pos: int) -> tuple[bytes, int]:
    size, pos = _long(data, pos)
    if size < 0:
        raise AvroReadError(f"negative length {size}")
    end = pos + size
    if end > len(data):
        raise AvroReadError(f"declared length {size} exceeds the {len(data) - pos} bytes left")
    return data[pos:end], end


def _string_map(data: bytes, pos: int) -> tuple[dict[str, str], int]:
    entries: dict[str, str] = {}
    while True:
        count, pos = _long(data, pos)
        if count == 0:
            return entries, pos
        if count < 0:
            count = -count
            size, pos = _long(data, pos)
            if size < 0:
                raise AvroReadError("negative block size")
        if count * 2 > len(data) - pos:  # each entry takes at least two length bytes
            raise AvroReadError(f"block of {count} items cannot fit in the {len(data) - pos} bytes left")
        for _ in range(count):
            key, pos = _short_string(data, pos)
            entries[key], pos = _short_string(data, pos)


def _short_string(data: bytes, pos: int) -> tuple[str, int]:
    """:func:`_string`, with the common case (one length byte) inline — the bulk of a request."""
    byte = data[pos] if pos < len(data) else 1  # 1: not short, let _string report it
    if byte & 0x81:
        return _string(data, pos)
    end = pos + 1 + (byte >> 1)
    if end > len(data):
        return _string(data, pos)
    try:
        return data[pos + 1 : end].decode("utf-8"), end
    except UnicodeDecodeError:
        return _string(data, pos)


_new = object.__new__
# Frozen dataclasses set each field through object.__setattr__; the slot descriptors do the same
# job in half the time (the instance is equal to one built by the constructor).
(_set_id, _set_pipeline, _set_args, _set_args_schema, _set_reply_to, _set_deadline_ms, _set_attempt,
 _set_sent_at_ms, _set_headers) = (getattr(RequestEnvelope, name).__set__ for name in RequestEnvelope.__slots__)


def read_request(data: bytes, pos: int) -> RequestEnvelope:
    """The request body starting at ``data[pos]``, which must run to the end of ``data``.

    Raises :class:`AvroReadError`.
    """
    if _accel is not None and type(data) is bytes:
        request: RequestEnvelope | None = _accel.read_request(data, pos)
        if request is not None:
            return request
    return read_request_python(data, pos)


def read_request_python(data: bytes, pos: int) -> RequestEnvelope:
    """:func:`read_request` without the C fast path."""
    request = _new(RequestEnvelope)
    value, pos = _short_string(data, pos)
    _set_id(request, value)
    value, pos = _short_string(data, pos)
    _set_pipeline(request, value)
    args, pos = _bytes(data, pos)
    _set_args(request, args)
    value, pos = _short_string(data, pos)
    _set_args_schema(request, value)
    value, pos = _short_string(data, pos)
    _set_reply_to(request, value)
    number, pos = _long(data, pos)
    _set_deadline_ms(request, number)
    number, pos = _long(data, pos)
    if not _INT_MIN <= number <= _INT_MAX:
        raise AvroReadError(f"attempt {number} does not fit in an Avro int")
    _set_attempt(request, number)
    number, pos = _long(data, pos)
    _set_sent_at_ms(request, number)
    headers, pos = _string_map(data, pos)
    _set_headers(request, headers)
    if pos != len(data):
        raise AvroReadError(f"{len(data) - pos} trailing bytes after the request body")
    return request


# ---------------------------------------------------------------------------- write


def _write_long(out: bytearray, value: int) -> None:
    if 0 <= value < 64:
        out.append(value << 1)
        return
    if not -(1 << 63) <= value < (1 << 63):
        raise OverflowError(f"{value} does not fit in an Avro long")
    n = (value << 1) ^ (value >> 63)
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _write_string(out: bytearray, text: str) -> None:
    raw = text.encode("utf-8")
    size = len(raw)
    if size < 64:
        out.append(size << 1)
    else:
        _write_long(out, size)
    out += raw


def _write_bytes(out: bytearray, raw: bytes) -> None:
    size = len(raw)
    if size < 64:
        out.append(size << 1)
    else:
        _write_long(out, size)
    out += raw


def _write_error(out: bytearray, error: RemoteError) -> None:
    out.append(2)  # union branch 1: RemoteError
    _write_string(out, error.code)
    _write_string(out, error.type)
    _write_string(out, error.message)
    _write_string(out, error.traceback)
    if error.retryable is True:
        out.append(1)
    elif error.retryable is False:
        out.append(0)
    else:
        raise TypeError(f"retryable must be a bool, got {type(error.retryable).__name__}")
    causes = error.causes
    if causes:
        _write_long(out, len(causes))
        for cause in causes:
            _write_string(out, cause.type)
            _write_string(out, cause.message)
    out.append(0)


def _write_progress(out: bytearray, progress: Progress) -> None:
    out.append(2)  # union branch 1: Progress
    out += _pack_double(progress.current)
    if progress.total is None:
        out.append(0)
    else:
        out.append(2)
        out += _pack_double(progress.total)
    _write_string(out, progress.message)


def encode_reply(header: bytes, reply: ReplyEnvelope) -> bytes:
    """``header`` followed by the reply body."""
    if _accel is not None:
        data: bytes | None = _accel.encode_reply(header, reply)
        if data is not None:
            return data
    return encode_reply_python(header, reply)


def encode_reply_python(header: bytes, reply: ReplyEnvelope) -> bytes:
    """:func:`encode_reply` without the C fast path."""
    out = bytearray(header)
    write_reply(out, reply)
    return bytes(out)


def write_reply(out: bytearray, reply: ReplyEnvelope) -> None:
    """Append the reply body to ``out``."""
    _write_string(out, reply.id)
    out += _STATUS_BYTE[reply.status]
    _write_bytes(out, reply.result)
    _write_string(out, reply.result_schema)
    if reply.error is None:
        out.append(0)
    else:
        _write_error(out, reply.error)
    if reply.progress is None:
        out.append(0)
    else:
        _write_progress(out, reply.progress)
    _write_string(out, reply.runner)
    timings = reply.timings
    _write_long(out, timings.received_at_ms)
    _write_long(out, timings.started_at_ms)
    _write_long(out, timings.finished_at_ms)


# ---------------------------------------------------------------------------- C fast paths


def _load_accel() -> ModuleType | None:
    accel = load_extension("mlbridge_runner_accel")
    if accel is None:
        return None
    if accel.FINGERPRINTS != (REQUEST_FINGERPRINT, REPLY_FINGERPRINT):  # built from another version
        return None
    if not hasattr(accel, "ok_reply"):  # built from an older _envelope_accel.c: reinstall to use it
        return None
    accel.bind(RequestEnvelope, ReplyStatus.OK, ReplyStatus.ERROR, ReplyStatus.PROGRESS)
    accel.bind_reply(ReplyEnvelope, Timings)
    return accel


_accel: Final = _load_accel()
#: Whether the C fast paths are in use (logged by the runner at start).
ACCELERATED: Final = _accel is not None
#: ``(id, result, result_schema, runner, received, started, finished) -> ReplyEnvelope`` in C, the
#: OK reply of a call with its Timings; ``None`` without the extension (replies.py builds it then).
OK_REPLY_BUILDER: Final[Callable[[str, bytes, str, str, int, int, int], ReplyEnvelope] | None] = (
    None if _accel is None else _accel.ok_reply
)
