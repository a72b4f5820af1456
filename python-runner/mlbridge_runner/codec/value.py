"""Python values ↔ the generic ``mlbridge.wire.Value`` schema (Avro binary, no framing).

Exact types both ways: ``None``, ``bool``, ``int`` (64-bit; wider is refused, never truncated),
``float`` (NaN and ±inf included), ``str``, ``bytes`` (also ``bytearray``/``memoryview`` on the way
in), ``list``/``tuple`` → array, ``dict`` with ``str`` keys → map (insertion order kept);
numpy arrays (of a tensor dtype) and DataFrames / pyarrow Tables are written as the version-2
tensor and table branches (value_data.py); other objects with a ``tolist()`` method (numpy scalars,
arrays of str/object dtype) as what it returns. Anything else is refused with an error naming the
path, e.g. ``$.params[2]``.

Hand-written rather than via fastavro so that malformed input is refused with a clear path, depth
is bounded (no C stack overflow on hostile nesting) and declared lengths are checked before any
allocation. Unit tests check it byte for byte against fastavro.

:func:`encode_value` and :func:`decode_value` first try ``mlbridge_runner_value_accel``
(``_value_accel.c``), the same codec in C for exact built-in types, built when the package is
installed with a compiler at hand. It answers only the common well-formed case and leaves anything
else to the Python code (below for writing, value_reader.py for reading), which decides every
error. ``MLBRIDGE_PURE_PYTHON=1`` turns it off.
"""

from __future__ import annotations

import struct
from types import ModuleType
from typing import Any, Final

from ..errors import ValueNotEncodable
from .accel import load_extension
from .binary import write_long
from .value_common import ARRAY, BOOLEAN, BYTES, DOUBLE, LONG, MAP, MAX_DEPTH, NULL, STRING  # noqa: F401 - re-exported
from .value_common import PACKED_MIN as _PACKED_MIN
from .value_common import ValueProblem as _Problem
from .value_common import format_path as _format_path
from .value_common import segment_for_key as _segment_for_key
from .value_data import (  # noqa: F401 - VALUE_V2_* and value_reference_of re-exported
    TABLE, TENSOR, VALUE_V2_FINGERPRINT, VALUE_V2_REFERENCE, ExtendedValueBody, is_data, value_reference_of, write_data,
)
from .value_reader import read_value

#: The value.avsc this file (and _value_accel.c) implements; tests/unit/test_value_accel.py checks
#: it against the loaded schema.
VALUE_FINGERPRINT: Final = bytes.fromhex("071d3e746c3ca3bc")

_LONG_MIN: Final = -(1 << 63)
_LONG_MAX: Final = (1 << 63) - 1

_pack_double = struct.Struct("<d").pack


def _pack_doubles(values: list[float] | tuple[float, ...]) -> bytearray:
    """Array items ``[tag, 8 bytes] * n`` for a list of floats, without a Python loop per item."""
    n = len(values)
    raw = struct.pack(f"<{n}d", *values)
    out = bytearray(9 * n)
    out[0::9] = bytes([DOUBLE << 1]) * n
    for i in range(8):
        out[1 + i :: 9] = raw[i::8]
    return out


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
    return read_value(body, root)


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
