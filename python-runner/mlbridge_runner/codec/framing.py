"""Avro single-object framing: ``C3 01`` + 8-byte little-endian CRC-64-AVRO fingerprint + body."""

from __future__ import annotations

from typing import Final, Mapping, TypeVar

from ..errors import BadMagic, FrameTooShort, UnknownFingerprint

MAGIC: Final = b"\xc3\x01"
HEADER_SIZE: Final = 10

K = TypeVar("K")


def frame(fingerprint: bytes, body: bytes) -> bytes:
    """Prefix ``body`` with the single-object header for ``fingerprint``."""
    if len(fingerprint) != 8:
        raise ValueError(f"a fingerprint has 8 bytes, got {len(fingerprint)}")
    return MAGIC + fingerprint + body


def unframe(data: bytes, known: Mapping[bytes, K]) -> tuple[K, memoryview]:
    """Split a frame into (the entry of ``known`` for its fingerprint, body).

    Raises :class:`FrameTooShort`, :class:`BadMagic` or :class:`UnknownFingerprint`.
    """
    if len(data) < HEADER_SIZE:
        raise FrameTooShort(f"a single-object frame has at least {HEADER_SIZE} bytes, got {len(data)}")
    if data[:2] != MAGIC:
        raise BadMagic(f"expected magic c301, got {bytes(data[:2]).hex()}")
    fingerprint = bytes(data[2:HEADER_SIZE])
    try:
        schema = known[fingerprint]
    except KeyError:
        raise UnknownFingerprint(f"unknown schema fingerprint {fingerprint.hex()}") from None
    return schema, memoryview(data)[HEADER_SIZE:]
