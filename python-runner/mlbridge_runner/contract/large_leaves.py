"""A typed result's large leaves kept out of fastavro's buffer (the twin of codec/value_result.py).

fastavro writes a body into one buffer: a 200 MiB ``bytes`` field (a tensor's data, an Arrow
stream) would be copied into it whole, only to be written to the blob store and freed. While a
result is encoded (:func:`collecting`), each leaf of at least SEGMENT_AT bytes is written as a
16-byte random stand-in instead and recorded; :func:`splice` then cuts the small body at each
stand-in and puts the leaf there, as :class:`~..codec.segments.Segments`. The record of leaves lives
in a ContextVar: per thread, per encode, gone when it ends.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

from ..codec.binary import write_long
from ..codec.segments import SEGMENT_AT, Segments

__all__ = ["SEGMENT_AT", "collecting", "splice", "stand_in"]

_TOKEN_SIZE = 16
#: How a stand-in is written: the zig-zag length 16, then its bytes.
_LENGTH_OF_TOKEN = b"\x20"
_leaves: ContextVar[list[tuple[bytes, Any]] | None] = ContextVar("mlbridge_typed_large_leaves", default=None)


def stand_in(leaf: Any) -> bytes:
    """What a bytes field of ``leaf`` (SEGMENT_AT bytes or more) is written as: a stand-in while
    :func:`collecting`, else ``leaf`` as bytes."""
    leaves = _leaves.get()
    if leaves is None:
        return leaf if isinstance(leaf, bytes) else bytes(leaf)
    token = os.urandom(_TOKEN_SIZE)
    leaves.append((token, leaf))
    return token


@contextmanager
def collecting() -> Iterator[list[tuple[bytes, Any]]]:
    """Record the large leaves of what is encoded inside (the list, filled as they come)."""
    leaves: list[tuple[bytes, Any]] = []
    reset = _leaves.set(leaves)
    try:
        yield leaves
    finally:
        _leaves.reset(reset)


def splice(body: bytes, leaves: list[tuple[bytes, Any]]) -> Segments:
    """``body`` with each stand-in replaced by its leaf's length and the leaf itself, in pieces."""
    found = []
    for token, leaf in leaves:
        at = body.find(_LENGTH_OF_TOKEN + token)
        if at < 0:  # cannot happen: every stand-in made while encoding was written
            raise AssertionError("a large leaf's stand-in is missing from the body")
        found.append((at, leaf))
    found.sort(key=lambda pair: pair[0])
    parts: list[Any] = []
    at = 0
    for position, leaf in found:
        length = bytearray()
        write_long(length, memoryview(leaf).nbytes)
        parts += (memoryview(body)[at:position], length, leaf)
        at = position + 1 + _TOKEN_SIZE
    parts.append(memoryview(body)[at:])
    return Segments(parts, extended=False)
