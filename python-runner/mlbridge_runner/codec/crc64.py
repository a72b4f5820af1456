"""CRC-64-AVRO (Rabin) fingerprints, as defined by the Avro specification.

The fingerprint of a schema is taken over its Parsing Canonical Form. In a single-object frame the
8 fingerprint bytes are little-endian.
"""

from __future__ import annotations

from typing import Final

EMPTY: Final = 0xC15D213AA4D7A795
_MASK: Final = 0xFFFFFFFFFFFFFFFF


def _build_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY if fp & 1 else 0)
        table.append(fp & _MASK)
    return tuple(table)


_TABLE: Final = _build_table()


def crc64_avro(data: bytes) -> int:
    """The CRC-64-AVRO of ``data`` as an unsigned 64-bit integer."""
    fp = EMPTY
    for byte in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp


def fingerprint_bytes(canonical_form: str) -> bytes:
    """The 8 little-endian fingerprint bytes of a schema's Parsing Canonical Form."""
    return crc64_avro(canonical_form.encode("utf-8")).to_bytes(8, "little")
