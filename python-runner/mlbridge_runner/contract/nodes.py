"""The base of the schema-driven converters (see :mod:`.convert`) and their errors."""

from __future__ import annotations

from typing import Any


class ConversionError(ValueError):
    """A value does not fit its schema. ``path`` is like ``args.config.epochs``; ``kind`` is
    ``"type"``, ``"missing"`` (a field without default is absent) or ``"unexpected"`` (a key the
    record does not have); ``field`` names that field for the last two."""

    def __init__(self, path: str, expected: str, got: str, kind: str = "type", field: str | None = None) -> None:
        self.path = path
        self.expected = expected
        self.got = got
        self.kind = kind
        self.field = field
        if kind == "missing":
            text = f"{path}: missing field {field!r} ({expected})"
        elif kind == "unexpected":
            text = f"{path}: unexpected field {field!r}"
        else:
            text = f"{path}: expected {expected}, got {got}"
        super().__init__(text)


class Mismatch(Exception):
    """Internal: unwinding with the path segments, innermost first."""

    def __init__(self, expected: str, got: str, kind: str = "type", field: str | None = None) -> None:
        self.expected = expected
        self.got = got
        self.kind = kind
        self.field = field
        self.segments: list[str] = []

    def public(self, root: str) -> ConversionError:
        return ConversionError(root + "".join(reversed(self.segments)), self.expected, self.got, self.kind, self.field)


def got(value: Any) -> str:
    if isinstance(value, str):
        text = repr(value)
        return "str " + (text if len(text) <= 40 else text[:37] + "...'")
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"bool {value}"
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def key_segment(key: str) -> str:
    return f".{key}" if key.isidentifier() else f"[{key!r}]"


class Node:
    """One schema node. Subclasses implement the four directions."""

    expected = "?"
    #: The name fastavro's tuple notation uses for this node as a union branch.
    branch_name = "?"
    #: ``from_avro`` returns its input unchanged (lets containers skip the per-item call).
    plain = False

    def from_avro(self, datum: Any) -> Any:
        return datum

    def from_generic(self, value: Any) -> Any:
        raise NotImplementedError

    def from_default(self, value: Any) -> Any:
        """An Avro JSON default → the Python value (bytes defaults are ISO-8859-1 text)."""
        return self.from_generic(value)

    def to_avro(self, obj: Any, generic: bool) -> Any:
        raise NotImplementedError
