"""Avro binary primitives: a strict reader and the long (zig-zag varint) writer.

The reader never trusts a declared length: a string, bytes or block count larger than what is
left in the buffer is refused before anything is allocated.
"""

from __future__ import annotations

from typing import Final

_LONG_MIN: Final = -(1 << 63)
_LONG_MAX: Final = (1 << 63) - 1


class AvroReadError(ValueError):
    """Malformed Avro binary data."""


def write_long(out: bytearray, value: int) -> None:
    """Append ``value`` (which must fit in 64 bits) as a zig-zag varint."""
    n = ((value << 1) ^ (value >> 63)) & 0xFFFFFFFFFFFFFFFF
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def long_bytes(value: int) -> bytes:
    out = bytearray()
    write_long(out, value)
    return bytes(out)


class Reader:
    """Sequential reader over one Avro body."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes | memoryview) -> None:
        self.data = bytes(data)
        self.pos = 0
        self.end = len(self.data)

    def remaining(self) -> int:
        return self.end - self.pos

    def read_long(self) -> int:
        data, pos, end = self.data, self.pos, self.end
        shift = 0
        n = 0
        while True:
            if pos >= end:
                raise AvroReadError("truncated varint")
            byte = data[pos]
            pos += 1
            n |= (byte & 0x7F) << shift
            if not byte & 0x80:
                break
            shift += 7
            if shift >= 70:
                raise AvroReadError("varint longer than 10 bytes")
        if n >> 64:
            raise AvroReadError("varint does not fit in 64 bits")
        self.pos = pos
        return (n >> 1) ^ -(n & 1)

    def read_bytes(self) -> bytes:
        size = self.read_long()
        if size < 0:
            raise AvroReadError(f"negative length {size}")
        if size > self.end - self.pos:
            raise AvroReadError(f"declared length {size} exceeds the {self.end - self.pos} bytes left")
        start = self.pos
        self.pos = start + size
        return self.data[start : self.pos]

    def read_string(self) -> str:
        raw = self.read_bytes()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AvroReadError(f"invalid UTF-8 in string: {exc.reason} at byte {exc.start}") from None

    def read_fixed(self, size: int) -> bytes:
        if size > self.end - self.pos:
            raise AvroReadError(f"need {size} bytes, {self.end - self.pos} left")
        start = self.pos
        self.pos = start + size
        return self.data[start : self.pos]

    def read_block_count(self, min_item_size: int) -> int:
        """Read an array/map block header; return its item count (0 ends the container)."""
        count = self.read_long()
        if count < 0:
            count = -count
            if self.read_long() < 0:
                raise AvroReadError("negative block size")
        if count * min_item_size > self.end - self.pos:
            raise AvroReadError(f"block of {count} items cannot fit in the {self.end - self.pos} bytes left")
        return count
