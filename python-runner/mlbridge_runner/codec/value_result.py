"""A pipeline's result as a generic ``Value`` body, with its large leaves kept aside.

The body of a 200 MiB result would otherwise be a second 200 MiB copy of it, made only to be
written to the blob store and freed. Here a leaf of at least :data:`~.segments.SEGMENT_AT` bytes
(a ``bytes`` value, a tensor's memory, an Arrow stream) is not copied in: the body comes back as
:class:`~.segments.Segments` that the claim check writes piece by piece. Small results, the hot
path, are written by the C encoder exactly as :func:`~.value.encode_value` writes them.
"""

from __future__ import annotations

from typing import Any, Callable

from .segments import SEGMENT_AT, Segments
from .value import ACCEL_MODULE, BodyOut, finish_body, write_body


def _bounded_encoder() -> Callable[[Any, int], bytes | None] | None:
    """The C encoder taking a leaf bound; None without the extension or with a build from before it."""
    if ACCEL_MODULE is None:
        return None
    try:
        ACCEL_MODULE.encode_value(None, 0)
    except TypeError:
        return None
    return ACCEL_MODULE.encode_value  # type: ignore[no-any-return]


_encode_bounded = _bounded_encoder()


class _SegmentedOut(BodyOut):
    """A body that records where each large leaf goes instead of copying it in."""

    def __init__(self) -> None:
        super().__init__()
        #: (offset in the written bytes, leaf) in order.
        self.holes: list[tuple[int, Any]] = []

    def __iadd__(self, data: Any) -> _SegmentedOut:  # type: ignore[override, misc]
        size = data.nbytes if type(data) is memoryview else len(data)
        if size >= SEGMENT_AT:
            self.holes.append((len(self), data))
            return self
        return super().__iadd__(data)  # type: ignore[return-value]

    def segments(self) -> Segments:
        whole = memoryview(self)
        parts: list[Any] = []
        at = 0
        for offset, leaf in self.holes:
            if offset > at:
                parts.append(whole[at:offset])
            parts.append(leaf)
            at = offset
        if len(self) > at:
            parts.append(whole[at:])
        return Segments(parts, self.extended)


def encode_result_value(value: Any, root: str = "result") -> bytes | Segments:
    """:func:`~.value.encode_value` for a result: :class:`Segments` when it holds a leaf of at
    least SEGMENT_AT bytes, the same bytes otherwise. Raises ``ValueNotEncodable`` naming the path."""
    if _encode_bounded is not None:
        encoded = _encode_bounded(value, SEGMENT_AT - 1)
        if encoded is not None:
            return encoded
    out = _SegmentedOut()
    write_body(out, value, root)
    if out.holes:
        return out.segments()
    return finish_body(out)
