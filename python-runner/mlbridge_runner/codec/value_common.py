"""What the ``Value`` writer (value.py) and its pure-Python reader (value_reader.py) share: the
union's branch indexes, the nesting bound and the problem that carries a path while unwinding."""

from __future__ import annotations

from typing import Final

#: Deepest nesting of arrays/maps accepted in either direction.
MAX_DEPTH: Final = 256

# Branch indexes of the Value union, in schema order (version 2 adds TENSOR and TABLE: value_data.py).
NULL, BOOLEAN, LONG, DOUBLE, STRING, BYTES, ARRAY, MAP = range(8)

#: Arrays at least this long that hold only floats (or only double items) are packed in one go.
PACKED_MIN: Final = 16


class ValueProblem(Exception):
    """Internal: carries the problem and the path segments, innermost first, while unwinding."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.segments: list[str] = []


def segment_for_key(key: str) -> str:
    return f".{key}" if key.isidentifier() else f"[{key!r}]"


def format_path(root: str, segments: list[str]) -> str:
    return root + "".join(reversed(segments))
