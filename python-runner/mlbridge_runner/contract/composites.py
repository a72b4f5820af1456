"""Converters of the schema's containers: arrays, maps, records (dataclass / TypedDict / dict), unions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from typing import Any

from .nodes import Mismatch, Node, got, key_segment
from .scalars import Date, EnumNode, Fixed, Integer, Null, Timestamp


class Array(Node):
    expected = "list"
    branch_name = "array"

    def __init__(self) -> None:
        self.items: Node = Null()

    def from_avro(self, datum: Any) -> Any:
        items = self.items
        if items.plain:
            return datum
        return [items.from_avro(item) for item in datum]

    def from_generic(self, value: Any) -> Any:
        if not isinstance(value, list):
            raise Mismatch("list", got(value))
        convert = self.items.from_generic
        out = []
        for index, item in enumerate(value):
            try:
                out.append(convert(item))
            except Mismatch as problem:
                problem.segments.append(f"[{index}]")
                raise
        return out

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if not isinstance(obj, (list, tuple)):
            if callable(getattr(type(obj), "tolist", None)):  # numpy arrays
                obj = obj.tolist()
            if not isinstance(obj, (list, tuple)):
                raise Mismatch("list", got(obj))
        convert = self.items.to_avro
        out = []
        for index, item in enumerate(obj):
            try:
                out.append(convert(item, generic))
            except Mismatch as problem:
                problem.segments.append(f"[{index}]")
                raise
        return out


class Map(Node):
    expected = "dict with str keys"
    branch_name = "map"

    def __init__(self) -> None:
        self.values: Node = Null()

    def from_avro(self, datum: Any) -> Any:
        values = self.values
        if values.plain:
            return datum
        return {key: values.from_avro(item) for key, item in datum.items()}

    def _each(self, value: Any, convert: Any, *extra: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Mismatch(self.expected, got(value))
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise Mismatch("str key", f"key {key!r}")
            try:
                out[key] = convert(item, *extra)
            except Mismatch as problem:
                problem.segments.append(key_segment(key))
                raise
        return out

    def from_generic(self, value: Any) -> Any:
        return self._each(value, self.values.from_generic)

    def to_avro(self, obj: Any, generic: bool) -> Any:
        return self._each(obj, self.values.to_avro, generic)


NO_DEFAULT = object()


class Field:
    __slots__ = ("name", "node", "default", "segment")

    def __init__(self, name: str, node: Node, default: Any) -> None:
        self.name = name
        self.node = node
        self.default = default
        self.segment = key_segment(name)

    def default_value(self) -> Any:
        """A fresh Python value of the default (a fresh list each time: defaults are not shared)."""
        return self.node.from_default(self.default)


class Record(Node):
    def __init__(self, name: str, cls: type | None) -> None:
        self.branch_name = name
        self.short = name.rsplit(".", 1)[-1]
        self.fields: list[Field] = []
        self.names: frozenset[str] = frozenset()
        self.dataclass = cls if cls is not None and dataclasses.is_dataclass(cls) else None
        self.typeddict = cls if cls is not None and typing.is_typeddict(cls) else None
        self.optional_keys: frozenset[str] = frozenset(getattr(self.typeddict, "__optional_keys__", ()))
        self.expected = f"{self.short} (a dataclass instance or a dict)" if self.dataclass else f"{self.short} (a dict)"

    def finish(self, fields: list[Field]) -> None:
        self.fields = fields
        self.names = frozenset(f.name for f in fields)

    def _build(self, values: dict[str, Any]) -> Any:
        if self.dataclass is not None:
            try:
                return self.dataclass(**values)
            except Exception as exc:  # noqa: BLE001 - e.g. a __post_init__ that validates: the caller's mistake
                raise Mismatch(f"a valid {self.dataclass.__qualname__}", f"{type(exc).__name__}: {exc}") from None
        if self.optional_keys:  # a TypedDict key that may be absent is absent, not None
            return {k: v for k, v in values.items() if v is not None or k not in self.optional_keys}
        return values

    def from_avro(self, datum: Any) -> Any:
        values = {}
        for f in self.fields:
            item = datum[f.name]
            values[f.name] = item if f.node.plain else f.node.from_avro(item)
        return self._build(values)

    def from_generic(self, value: Any) -> Any:
        if not isinstance(value, dict):
            raise Mismatch(f"{self.short} (a map)", got(value))
        for key in value:
            if key not in self.names:
                raise Mismatch(f"{self.short} (a map)", "", "unexpected", str(key))
        values = {}
        for f in self.fields:
            if f.name in value:
                try:
                    values[f.name] = f.node.from_generic(value[f.name])
                except Mismatch as problem:
                    problem.segments.append(f.segment)
                    raise
            elif f.default is not NO_DEFAULT:
                values[f.name] = f.default_value()
            else:
                raise Mismatch(f.node.expected, "", "missing", f.name)
        return self._build(values)

    def from_default(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return self.from_generic(value)
        values = {}
        for f in self.fields:
            values[f.name] = f.node.from_default(value[f.name]) if f.name in value else f.default_value()
        return self._build(values)

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if isinstance(obj, dict):
            source = obj
            for key in obj:
                if key not in self.names:
                    raise Mismatch(self.expected, "", "unexpected", str(key))
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            if self.dataclass is not None and not isinstance(obj, self.dataclass):
                raise Mismatch(self.expected, got(obj))
            source = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name in self.names}
        else:
            raise Mismatch(self.expected, got(obj))
        out = {}
        for f in self.fields:
            if f.name in source:
                item = source[f.name]
            elif f.default is not NO_DEFAULT:
                item = f.default_value()
            else:
                raise Mismatch(f.node.expected, "", "missing", f.name)
            try:
                out[f.name] = f.node.to_avro(item, generic)
            except Mismatch as problem:
                problem.segments.append(f.segment)
                raise
        return out


class Union(Node):
    def __init__(self) -> None:
        self.branches: list[Node] = []
        self.by_name: dict[str, Node] = {}
        self.by_type: dict[type, Node] = {}
        self.expected = "?"
        self.branch_name = "union"

    def finish(self, branches: list[Node]) -> None:
        self.branches = branches
        self.by_name = {b.branch_name: b for b in branches}
        self.expected = " | ".join(b.expected if not isinstance(b, (Record, EnumNode)) else b.branch_name.rsplit(".", 1)[-1]
                                   for b in branches)
        # fastavro returns unnamed branches untagged: find them by the Python type it produces.
        produced = {"null": [type(None)], "boolean": [bool], "long": [int], "int": [int], "float": [float],
                    "double": [float], "string": [str], "bytes": [bytes], "array": [list], "map": [dict]}
        for b in branches:
            if isinstance(b, Timestamp):
                self.by_type.setdefault(dt.datetime, b)
            elif isinstance(b, Date):
                self.by_type.setdefault(dt.date, b)
            elif not isinstance(b, (Record, EnumNode, Fixed)):
                for kind in produced.get(b.branch_name, []):
                    self.by_type.setdefault(kind, b)

    def _order(self, value: Any) -> list[Node]:
        if isinstance(value, int) and not isinstance(value, bool):  # an int picks an integer branch first
            return sorted(self.branches, key=lambda b: not isinstance(b, Integer))
        return self.branches

    def from_avro(self, datum: Any) -> Any:
        if type(datum) is tuple:
            name, inner = datum
            return self.by_name[name].from_avro(inner)
        branch = self.by_type.get(type(datum))
        if branch is None:
            for kind, candidate in self.by_type.items():
                if isinstance(datum, kind):
                    branch = candidate
                    break
            else:
                return datum
        return branch.from_avro(datum)

    def from_generic(self, value: Any) -> Any:
        for branch in self._order(value):
            try:
                return branch.from_generic(value)
            except Mismatch:
                continue
        raise Mismatch(self.expected, got(value))

    def from_default(self, value: Any) -> Any:
        return self.branches[0].from_default(value)  # Avro: a union's default is of its first branch

    def to_avro(self, obj: Any, generic: bool) -> Any:
        nearest: Mismatch | None = None
        for branch in self._order(obj):
            try:
                datum = branch.to_avro(obj, generic)
            except Mismatch as problem:
                if problem.segments and nearest is None:
                    nearest = problem  # it got inside that branch: the most useful error
                continue
            return datum if generic else (branch.branch_name, datum)
        if nearest is not None:
            raise nearest
        raise Mismatch(self.expected, got(obj))
