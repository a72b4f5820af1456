"""Python values ↔ the generic ``mlbridge.wire.Value`` schema (Avro binary, no framing).

Exact types both ways: ``None``, ``bool``, ``int`` (64-bit; wider is refused, never truncated),
``float`` (NaN and ±inf included), ``str``, ``bytes`` (also ``bytearray``/``memoryview`` on the way
in), ``list``/``tuple`` → array, ``dict`` with ``str`` keys → map (insertion order kept). Objects with
a ``tolist()`` method (numpy arrays and scalars) are written as what it returns. Anything else is
refused with an error naming the path, e.g. ``$.params[2]``.

Hand-written rather than via fastavro so that malformed input is refused with a clear path, depth
is bounded (no C stack overflow on hostile nesting) and declared lengths are checked before any
allocation. Unit tests check it byte for byte against fastavro.
"""

from __future__ import annotations

import struct
from typing import Any, Final

from ..errors import ValueNotDecodable, ValueNotEncodable
from .binary import AvroReadError, Reader, write_long

#: Deepest nesting of arrays/maps accepted in either direction.
MAX_DEPTH: Final = 256

_LONG_MIN: Final = -(1 << 63)
_LONG_MAX: Final = (1 << 63) - 1

# Branch indexes of the Value union, in schema order.
NULL, BOOLEAN, LONG, DOUBLE, STRING, BYTES, ARRAY, MAP = range(8)

_pack_double = struct.Struct("<d").pack
_unpack_double = struct.Struct("<d").unpack_from


class _Problem(Exception):
    """Internal: carries the problem and the path segments, innermost first, while unwinding."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.segments: list[str] = []


def _segment_for_key(key: str) -> str:
    return f".{key}" if key.isidentifier() else f"[{key!r}]"


def _format_path(root: str, segments: list[str]) -> str:
    return root + "".join(reversed(segments))


# ---------------------------------------------------------------------------- encode


def encode_value(value: Any, root: str = "$") -> bytes:
    """The Avro body of ``Value{v: value}``; raises :class:`ValueNotEncodable` naming the path."""
    out = bytearray()
    try:
        _write(out, value, 0)
    except _Problem as problem:
        raise ValueNotEncodable(_format_path(root, problem.segments), problem.problem) from None
    return bytes(out)


def _write(out: bytearray, value: Any, depth: int) -> None:
    if value is None:
        out.append(NULL)
    elif value is True or value is False:
        out.append(BOOLEAN << 1)
        out.append(1 if value else 0)
    elif isinstance(value, int):
        if not _LONG_MIN <= value <= _LONG_MAX:
            raise _Problem(
                f"integer of {value.bit_length()} bits does not fit in a 64-bit long "
                "(send it as a string or float explicitly)"
            )
        out.append(LONG << 1)
        write_long(out, value)
    elif isinstance(value, float):
        out.append(DOUBLE << 1)
        out += _pack_double(value)
    elif isinstance(value, str):
        out.append(STRING << 1)
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _Problem(f"string is not valid Unicode ({exc.reason})") from None
        write_long(out, len(raw))
        out += raw
    elif isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        out.append(BYTES << 1)
        write_long(out, len(raw))
        out += raw
    elif isinstance(value, (list, tuple)):
        if depth >= MAX_DEPTH:
            raise _Problem(f"nested deeper than {MAX_DEPTH} levels")
        out.append(ARRAY << 1)
        if value:
            write_long(out, len(value))
            for index, item in enumerate(value):
                try:
                    _write(out, item, depth + 1)
                except _Problem as problem:
                    problem.segments.append(f"[{index}]")
                    raise
        out.append(0)
    elif isinstance(value, dict):
        if depth >= MAX_DEPTH:
            raise _Problem(f"nested deeper than {MAX_DEPTH} levels")
        out.append(MAP << 1)
        if value:
            write_long(out, len(value))
            for key, item in value.items():
                if not isinstance(key, str):
                    raise _Problem(f"map key {key!r} is {type(key).__name__}, keys must be str")
                try:
                    raw = key.encode("utf-8")
                except UnicodeEncodeError as exc:
                    raise _Problem(f"map key is not valid Unicode ({exc.reason})") from None
                write_long(out, len(raw))
                out += raw
                try:
                    _write(out, item, depth + 1)
                except _Problem as problem:
                    problem.segments.append(_segment_for_key(key))
                    raise
        out.append(0)
    elif callable(getattr(type(value), "tolist", None)):
        if depth >= MAX_DEPTH:
            raise _Problem(f"nested deeper than {MAX_DEPTH} levels")
        try:
            plain = value.tolist()
        except Exception as exc:  # noqa: BLE001 - report, do not crash
            raise _Problem(f"{type(value).__name__}.tolist() raised {type(exc).__name__}: {exc}") from None
        if callable(getattr(type(plain), "tolist", None)) and not isinstance(plain, (list, tuple, dict)):
            raise _Problem(f"{type(value).__name__}.tolist() returned another {type(plain).__name__}")
        _write(out, plain, depth + 1)
    else:
        kind = type(value)
        raise _Problem(f"type {kind.__module__}.{kind.__qualname__} is not supported "
                       "(use None, bool, int, float, str, bytes, list, tuple or dict with str keys)")


# ---------------------------------------------------------------------------- decode


def decode_value(body: bytes | memoryview, root: str = "$") -> Any:
    """Read one ``Value`` body; the whole buffer must be consumed.

    Raises :class:`ValueNotDecodable` naming the path.
    """
    reader = Reader(body)
    try:
        value = _read(reader, 0)
        if reader.remaining():
            raise _Problem(f"{reader.remaining()} trailing bytes after the value")
    except AvroReadError as exc:
        raise ValueNotDecodable(root, str(exc)) from None
    except _Problem as problem:
        raise ValueNotDecodable(_format_path(root, problem.segments), problem.problem) from None
    return value


def _read(reader: Reader, depth: int) -> Any:
    try:
        branch = reader.read_long()
        if branch == STRING:
            return reader.read_string()
        if branch == LONG:
            return reader.read_long()
        if branch == DOUBLE:
            return _unpack_double(reader.read_fixed(8))[0]
        if branch == NULL:
            return None
        if branch == BOOLEAN:
            byte = reader.read_fixed(1)[0]
            if byte > 1:
                raise _Problem(f"boolean byte must be 0 or 1, got {byte}")
            return byte == 1
        if branch == BYTES:
            return reader.read_bytes()
        if branch == ARRAY:
            if depth >= MAX_DEPTH:
                raise _Problem(f"nested deeper than {MAX_DEPTH} levels")
            items: list[Any] = []
            while count := reader.read_block_count(1):
                for _ in range(count):
                    try:
                        items.append(_read(reader, depth + 1))
                    except _Problem as problem:
                        problem.segments.append(f"[{len(items)}]")
                        raise
            return items
        if branch == MAP:
            if depth >= MAX_DEPTH:
                raise _Problem(f"nested deeper than {MAX_DEPTH} levels")
            entries: dict[str, Any] = {}
            while count := reader.read_block_count(2):
                for _ in range(count):
                    key = reader.read_string()
                    try:
                        entries[key] = _read(reader, depth + 1)
                    except _Problem as problem:
                        problem.segments.append(_segment_for_key(key))
                        raise
            return entries
        raise _Problem(f"union branch {branch} is not one of the 8 Value branches")
    except AvroReadError as exc:
        raise _Problem(str(exc)) from None
