"""What a store answers for a written blob: in a module of its own so that the stores and the
factory choosing among them (store.py) import it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoredBlob:
    uri: str
    size: int
    sha256: str
