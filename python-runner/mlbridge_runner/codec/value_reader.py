"""The pure-Python ``Value`` reader: the reference the C decoder (``_value_accel.c``) is checked
against, and the fallback that decides every error with a path (value.py tries C first).

Written as functions over (data, pos) rather than methods: this is the hot path for large
arguments when C is not built (e.g. long arrays of floats), and attribute access per item would
double its cost. Declared lengths are checked before any allocation and depth is bounded.
"""

from __future__ import annotations

import struct
from typing import Any, Final

from ..errors import ValueNotDecodable
from .value_common import ARRAY, BOOLEAN, BYTES, DOUBLE, LONG, MAP, MAX_DEPTH, NULL, STRING
from .value_common import PACKED_MIN as _PACKED_MIN
from .value_common import ValueProblem as _Problem
from .value_common import format_path as _format_path
from .value_common import segment_for_key as _segment_for_key
from .value_data import TABLE, TENSOR, read_table, read_tensor

_unpack_double = struct.Struct("<d").unpack_from


def read_value(body: bytes | memoryview, root: str = "$") -> Any:
    """Read one ``Value`` body; the whole buffer must be consumed. Raises :class:`ValueNotDecodable`
    naming the path."""
    data = bytes(body)
    try:
        value, pos = _read(data, 0, 0)
        if pos != len(data):
            raise _Problem(f"{len(data) - pos} trailing bytes after the value")
    except _Problem as problem:
        raise ValueNotDecodable(_format_path(root, problem.segments), problem.problem) from None
    return value

def _unpack_doubles(data: bytes, pos: int, n: int) -> list[float] | None:
    """The inverse of value.py's ``_pack_doubles`` if the next ``n`` items are all doubles, else None."""
    end = pos + 9 * n
    if end > len(data) or data[pos:end:9] != bytes([DOUBLE << 1]) * n:
        return None
    raw = bytearray(8 * n)
    for i in range(8):
        raw[i::8] = data[pos + 1 + i : end : 9]
    return list(struct.unpack(f"<{n}d", raw))


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
