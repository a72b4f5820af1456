"""What a store writes and what it answers for a written blob: in a module of its own so that the
stores and the factory choosing among them (store.py) import them without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..codec.segments import Segments

#: What a store writes: one buffer, or a body in pieces (a large result, written without joining).
Body = Union[bytes, bytearray, memoryview, Segments]


@dataclass(frozen=True, slots=True)
class StoredBlob:
    uri: str
    size: int
    sha256: str
