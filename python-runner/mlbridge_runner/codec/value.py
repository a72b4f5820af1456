"""Python values ↔ the generic ``mlbridge.wire.Value`` schema (Avro binary, no framing).

Exact types both ways: ``None``, ``bool``, ``int`` (64-bit; wider is refused, never truncated),
``float`` (NaN and ±inf included), ``str``, ``bytes`` (also ``bytearray``/``memoryview`` on the way
in), ``list``/``tuple`` → array, ``dict`` with ``str`` keys → map (insertion order kept). Objects with
a ``tolist()`` method (numpy arrays and scalars) are written as what it returns. Anything else is
refused with an error naming the path, e.g. ``$.params[2]``.

Hand-written rather than via fastavro so that malformed input is refused with a clear path, depth
is bounded (no C stack overflow on hostile nesting) and declared lengths are checked before any
allocation. Unit tests check it byte for byte against fastavro.

:func:`encode_value` and :func:`decode_value` first try ``mlbridge_runner_value_accel``
(``_value_accel.c``), the same codec in C for exact built-in types, built when the package is
installed with a compiler at hand. It answers only the common well-formed case and leaves anything
else to the Python code below, which decides every error. ``MLBRIDGE_PURE_PYTHON=1`` turns it off.
"""

from __future__ import annotations

import struct
from types import ModuleType
from typing import Any, Final

from ..errors import ValueNotDecodable, ValueNotEncodable
from .accel import load_extension
from .binary import write_long
from .value_data import (  # noqa: F401 - VALUE_V2_* and value_reference_of re-exported
    TABLE, TENSOR, VALUE_V2_FINGERPRINT, VALUE_V2_REFERENCE, ExtendedValueBody, is_data, read_table, read_tensor,
    value_reference_of, write_data,
)

#: The value.avsc this file (and _value_accel.c) implements; tests/unit/test_value_accel.py checks
#: it against the loaded schema.
VALUE_FINGERPRINT: Final = bytes.fromhex("071d3e746c3ca3bc")
#: Deepest nesting of arrays/maps accepted in either direction.
MAX_DEPTH: Final = 256

_LONG_MIN: Final = -(1 << 63)
_LONG_MAX: Final = (1 << 63) - 1

# Branch indexes of the Value union, in schema order.
NULL, BOOLEAN, LONG, DOUBLE, STRING, BYTES, ARRAY, MAP = range(8)

_pack_double = struct.Struct("<d").pack
_unpack_double = struct.Struct("<d").unpack_from


#: Arrays at least this long that hold only floats (or only double items) are packed in one go.
_PACKED_MIN: Final = 16


def _pack_doubles(values: list[float] | tuple[float, ...]) -> bytearray:
    """Array items ``[tag, 8 bytes] * n`` for a list of floats, without a Python loop per item."""
    n = len(values)
    raw = struct.pack(f"<{n}d", *values)
    out = bytearray(9 * n)
    out[0::9] = bytes([DOUBLE << 1]) * n
    for i in range(8):
        out[1 + i :: 9] = raw[i::8]
    return out


def _unpack_doubles(data: bytes, pos: int, n: int) -> list[float] | None:
    """The inverse of :func:`_pack_doubles` if the next ``n`` items are all doubles, else None."""
    end = pos + 9 * n
    if end > len(data) or data[pos:end:9] != bytes([DOUBLE << 1]) * n:
        return None
    raw = bytearray(8 * n)
    for i in range(8):
        raw[i::8] = data[pos + 1 + i : end : 9]
    return list(struct.unpack(f"<{n}d", raw))


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


class BodyOut(bytearray):
    """The body being written, and whether a version-2 branch went into it."""

    extended = False


def encode_value(value: Any, root: str = "$") -> bytes:
    """The Avro body of ``Value{v: value}``; raises :class:`ValueNotEncodable` naming the path.
    A body with a tensor or table is an :class:`ExtendedValueBody` (see :func:`value_reference_of`)."""
    if _accel is not None:
        encoded: bytes | None = _accel.encode_value(value)
        if encoded is not None:
            return encoded
    return encode_value_python(value, root)


def encode_value_python(value: Any, root: str = "$") -> bytes:
    """:func:`encode_value` without the C fast path (its reference, and the fallback)."""
    out = BodyOut()
    write_body(out, value, root)
    return finish_body(out)


def write_body(out: BodyOut, value: Any, root: str) -> None:
    """Write ``value`` into ``out``; raises :class:`ValueNotEncodable` naming the path."""
    try:
        _write(out, value, 0)
    except _Problem as problem:
        raise ValueNotEncodable(_format_path(root, problem.segments), problem.problem) from None


def finish_body(out: BodyOut) -> bytes:
    if not out.extended:
        return bytes(out)
    # ExtendedValueBody(out) copies a tensor's bytes twice (see _value_accel.c, extended_body).
    return ExtendedValueBody(out) if _extended_body is None else _extended_body(ExtendedValueBody, out)


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
            if len(value) >= _PACKED_MIN and all(type(item) is float for item in value):
                out += _pack_doubles(value)
                out.append(0)
                return
            for index, item in enumerate(value):
                kind = type(item)
                if kind is float:  # fast path for the common numeric arrays
                    out.append(DOUBLE << 1)
                    out += _pack_double(item)
                    continue
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
    elif is_data(value) and write_data(out, value, _Problem):
        out.extended = True  # type: ignore[attr-defined]
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
#
# Written as functions over (data, pos) rather than methods: this is the hot path for large
# arguments (e.g. long arrays of floats), and attribute access per item would double its cost.


def decode_value(body: bytes | memoryview, root: str = "$") -> Any:
    """Read one ``Value`` body; the whole buffer must be consumed.

    Raises :class:`ValueNotDecodable` naming the path.
    """
    if _accel is not None:
        boxed: tuple[Any] | None = _accel.decode_value(body)
        if boxed is not None:
            return boxed[0]
    return decode_value_python(body, root)


def decode_value_python(body: bytes | memoryview, root: str = "$") -> Any:
    """:func:`decode_value` without the C fast path (its reference, and the fallback)."""
    data = bytes(body)
    try:
        value, pos = _read(data, 0, 0)
        if pos != len(data):
            raise _Problem(f"{len(data) - pos} trailing bytes after the value")
    except _Problem as problem:
        raise ValueNotDecodable(_format_path(root, problem.segments), problem.problem) from None
    return value


def _long(data: bytes, pos: int) -> tuple[int, int]:
    """Zig-zag varint at ``pos`` → (value, next pos)."""
    try:
        byte = data[pos]
    except IndexError:
        raise _Problem("truncated varint") from None
    if byte < 0x80:
        return (byte >> 1) ^ -(byte & 1), pos + 1
    n = byte & 0x7F
    shift = 7
    pos += 1
    while True:
        try:
            byte = data[pos]
        except IndexError:
            raise _Problem("truncated varint") from None
        pos += 1
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            break
        shift += 7
        if shift >= 70:
            raise _Problem("varint longer than 10 bytes")
    if n >> 64:
        raise _Problem("varint does not fit in 64 bits")
    return (n >> 1) ^ -(n & 1), pos


def _raw(data: bytes, pos: int) -> tuple[bytes, int]:
    size, pos = _long(data, pos)
    if size < 0:
        raise _Problem(f"negative length {size}")
    end = pos + size
    if end > len(data):
        raise _Problem(f"declared length {size} exceeds the {len(data) - pos} bytes left")
    return data[pos:end], end


def _text(data: bytes, pos: int) -> tuple[str, int]:
    raw, pos = _raw(data, pos)
    try:
        return raw.decode("utf-8"), pos
    except UnicodeDecodeError as exc:
        raise _Problem(f"invalid UTF-8 in string: {exc.reason} at byte {exc.start}") from None


def _block(data: bytes, pos: int, min_item_size: int) -> tuple[int, int]:
    count, pos = _long(data, pos)
    if count < 0:
        count = -count
        size, pos = _long(data, pos)
        if size < 0:
            raise _Problem("negative block size")
    if count * min_item_size > len(data) - pos:
        raise _Problem(f"block of {count} items cannot fit in the {len(data) - pos} bytes left")
    return count, pos


_DOUBLE_TAG: Final = DOUBLE << 1
_LONG_TAG: Final = LONG << 1


def _read(data: bytes, pos: int, depth: int) -> tuple[Any, int]:
    branch, pos = _long(data, pos)
    if branch == STRING:
        return _text(data, pos)
    if branch == LONG:
        return _long(data, pos)
    if branch == DOUBLE:
        if pos + 8 > len(data):
            raise _Problem(f"need 8 bytes, {len(data) - pos} left")
        return _unpack_double(data, pos)[0], pos + 8
    if branch == NULL:
        return None, pos
    if branch == BOOLEAN:
        if pos >= len(data):
            raise _Problem("need 1 byte, 0 left")
        byte = data[pos]
        if byte > 1:
            raise _Problem(f"boolean byte must be 0 or 1, got {byte}")
        return byte == 1, pos + 1
    if branch == BYTES:
        return _raw(data, pos)
    if branch == TENSOR:
        return read_tensor(data, pos, _long, _text, _block, _Problem)
    if branch == TABLE:
        return read_table(data, pos, _long, _Problem)
    if branch == ARRAY or branch == MAP:
        if depth >= MAX_DEPTH:
            raise _Problem(f"nested deeper than {MAX_DEPTH} levels")
        if branch == ARRAY:
            return _read_array(data, pos, depth + 1)
        return _read_map(data, pos, depth + 1)
    raise _Problem(f"union branch {branch} is not one of the 10 Value branches")


def _read_array(data: bytes, pos: int, depth: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    append = items.append
    end = len(data)
    count, pos = _block(data, pos, 1)
    while count:
        if count >= _PACKED_MIN:
            packed = _unpack_doubles(data, pos, count)
            if packed is not None:
                items.extend(packed)
                pos += 9 * count
                count, pos = _block(data, pos, 1)
                continue
        for _ in range(count):
            # Fast paths for the common scalar items; everything else goes through _read.
            tag = data[pos] if pos < end else -1
            if tag == _DOUBLE_TAG and pos + 9 <= end:
                append(_unpack_double(data, pos + 1)[0])
                pos += 9
                continue
            if tag == _LONG_TAG and pos + 1 < end and data[pos + 1] < 0x80:
                small = data[pos + 1]
                append((small >> 1) ^ -(small & 1))
                pos += 2
                continue
            try:
                value, pos = _read(data, pos, depth)
            except _Problem as problem:
                problem.segments.append(f"[{len(items)}]")
                raise
            append(value)
        count, pos = _block(data, pos, 1)
    return items, pos


def _read_map(data: bytes, pos: int, depth: int) -> tuple[dict[str, Any], int]:
    entries: dict[str, Any] = {}
    count, pos = _block(data, pos, 2)
    while count:
        for _ in range(count):
            key, pos = _text(data, pos)
            try:
                entries[key], pos = _read(data, pos, depth)
            except _Problem as problem:
                problem.segments.append(_segment_for_key(key))
                raise
        count, pos = _block(data, pos, 2)
    return entries, pos


# ---------------------------------------------------------------------------- C fast path


def _load_accel() -> ModuleType | None:
    accel = load_extension("mlbridge_runner_value_accel")
    if accel is None:
        return None
    if accel.FINGERPRINT != VALUE_FINGERPRINT or accel.MAX_DEPTH != MAX_DEPTH:
        return None  # built from another version of value.avsc or of this file
    return accel


_accel: Final = _load_accel()
#: A build of _value_accel.c from before extended_body lacks it: the constructor then copies twice.
_extended_body: Final = getattr(_accel, "extended_body", None)
#: Whether the C fast path is in use.
ACCELERATED: Final = _accel is not None
#: The C extension itself (value_result.py calls its encoder with a leaf bound), or None.
ACCEL_MODULE: Final = _accel
