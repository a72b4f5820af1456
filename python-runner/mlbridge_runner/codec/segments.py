"""An encoded body in pieces: the bytes written around a result's large leaves, and the leaves
themselves (a 200 MiB ``bytes``, an ndarray's memory, an Arrow stream) where they already lie.
Written to the blob store piece by piece, a large result never gets a second, concatenated copy in
the runner's memory (see :mod:`.value_result` and ``blobs/file_store.py``)."""

from __future__ import annotations

from typing import Final, Iterator, Union

#: A leaf at least this large is kept aside rather than copied into the body being written.
SEGMENT_AT: Final = 1024 * 1024

Part = Union[bytes, bytearray, memoryview]


class Segments:
    __slots__ = ("parts", "size", "extended")

    def __init__(self, parts: list[Part], extended: bool) -> None:
        self.parts = parts
        #: The body's length, as ``len(b"".join(parts))`` without joining.
        self.size = sum(memoryview(part).nbytes for part in parts)
        #: Whether a tensor or table went into it (value-v2.avsc; see value_data.value_reference_of).
        self.extended = extended

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[memoryview]:
        for part in self.parts:
            yield memoryview(part).cast("B")

    def join(self) -> bytes:
        """The body in one piece: for a result small enough to travel inline after all."""
        return b"".join(self.parts)


def as_bytes(body: bytes | bytearray | Segments) -> bytes:
    """``body`` as the ``bytes`` an envelope takes (no copy when it already is one)."""
    if isinstance(body, bytes):  # ExtendedValueBody included
        return body
    if type(body) is Segments:
        return body.join()
    return bytes(body)
