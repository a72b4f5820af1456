"""Confluent wire format: ``0x00`` + the schema's registry id (4 bytes, big-endian) + Avro body.

What Confluent's KafkaAvroSerializer writes; a runner reads it beside single-object frames
(``C3 01`` + fingerprint) on the same request topic, telling them apart by the first byte.
"""

from __future__ import annotations

import struct
from typing import Final, Literal

from ..codec.framing import HEADER_SIZE as SINGLE_OBJECT_HEADER_SIZE
from ..codec.framing import MAGIC as SINGLE_OBJECT_MAGIC
from ..errors import BadMagic, FrameTooShort, UnknownFingerprint

MAGIC: Final = b"\x00"
HEADER_SIZE: Final = 5
#: Registry ids are Java ints; registries hand out non-negative ones.
MAX_SCHEMA_ID: Final = 0x7FFFFFFF

Framing = Literal["single-object", "confluent"]

_ID = struct.Struct(">i")


def header(schema_id: int) -> bytes:
    """The 5-byte header for ``schema_id``."""
    if isinstance(schema_id, bool) or not isinstance(schema_id, int) or not 0 <= schema_id <= MAX_SCHEMA_ID:
        raise ValueError(f"a registry schema id is an int in 0..{MAX_SCHEMA_ID}, got {schema_id!r}")
    return MAGIC + _ID.pack(schema_id)


def frame(schema_id: int, body: bytes) -> bytes:
    """``00`` + big-endian ``schema_id`` + ``body``."""
    return header(schema_id) + body


def unframe(data: bytes) -> tuple[int, memoryview]:
    """Split a Confluent frame into (schema id, body view).

    Raises :class:`FrameTooShort`, :class:`BadMagic`, or :class:`UnknownFingerprint` for an id that
    is negative as a Java int (no registry hands those out).
    """
    if len(data) < HEADER_SIZE:
        raise FrameTooShort(f"a Confluent frame has at least {HEADER_SIZE} bytes, got {len(data)}")
    if data[:1] != MAGIC:
        raise BadMagic(f"expected Confluent magic 00, got {bytes(data[:1]).hex()}")
    (schema_id,) = _ID.unpack_from(data, 1)
    if schema_id < 0:
        raise UnknownFingerprint(f"Confluent frame with schema id {schema_id}, which no registry hands out")
    return schema_id, memoryview(data)[HEADER_SIZE:]


def detect_framing(data: bytes) -> Framing | None:
    """``single-object`` (``C3 01``), ``confluent`` (``00``), or None (anything else, too short)."""
    if len(data) >= SINGLE_OBJECT_HEADER_SIZE and data[:2] == SINGLE_OBJECT_MAGIC:
        return "single-object"
    if len(data) >= HEADER_SIZE and data[:1] == MAGIC:
        return "confluent"
    return None
