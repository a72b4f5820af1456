"""Values ↔ typed Python objects, driven by an Avro schema (and the classes its named types stand for).

One compiled node per schema node, with four directions:

- ``from_avro``: what ``fastavro`` decoded (read with ``return_named_type=True``, so a named
  branch of a union arrives as ``(full name, value)``) → dataclass instances, Enum members, …
- ``from_generic``: a generic ``Value`` (a client that sent no schema) → the same objects, with
  every check the Avro encoding would have made (``int`` for a long, epoch-ms for a datetime, …)
- ``to_avro``: a pipeline's result (or arguments) → what ``fastavro`` writes, checked first so
  that a misfit is reported with its path (``result.metrics.accuracy``) instead of fastavro's
  message; union branches are chosen here and passed in fastavro's tuple notation
- ``to_avro(generic=True)``: the same checks, but the plain form of a generic ``Value`` reply
  (dataclass → map, enum → symbol, datetime/date → epoch-ms long)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import numbers
import operator
import typing
from typing import Any

from .names import resolve

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_EPOCH_DAY = dt.date(1970, 1, 1)
_LIMITS = {"long": (-(1 << 63), (1 << 63) - 1), "int": (-(1 << 31), (1 << 31) - 1)}


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


class _Mismatch(Exception):
    """Internal: unwinding with the path segments, innermost first."""

    def __init__(self, expected: str, got: str, kind: str = "type", field: str | None = None) -> None:
        self.expected = expected
        self.got = got
        self.kind = kind
        self.field = field
        self.segments: list[str] = []

    def public(self, root: str) -> ConversionError:
        return ConversionError(root + "".join(reversed(self.segments)), self.expected, self.got, self.kind, self.field)


def _got(value: Any) -> str:
    if isinstance(value, str):
        text = repr(value)
        return "str " + (text if len(text) <= 40 else text[:37] + "...'")
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"bool {value}"
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _key_segment(key: str) -> str:
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


class Null(Node):
    expected = "None"
    branch_name = "null"
    plain = True

    def from_generic(self, value: Any) -> Any:
        if value is not None:
            raise _Mismatch("None", _got(value))
        return None

    def to_avro(self, obj: Any, generic: bool) -> Any:
        return self.from_generic(obj)


class Boolean(Node):
    expected = "bool"
    branch_name = "boolean"
    plain = True

    def from_generic(self, value: Any) -> Any:
        if value is True or value is False:
            return value
        raise _Mismatch("bool", _got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if obj is True or obj is False:
            return obj
        if type(obj).__name__ == "bool_":  # numpy.bool_
            return bool(obj)
        raise _Mismatch("bool", _got(obj))


class Integer(Node):
    plain = True

    def __init__(self, kind: str) -> None:
        self.branch_name = kind
        self.low, self.high = _LIMITS[kind]
        self.expected = "int" if kind == "long" else "int (32-bit)"

    def from_generic(self, value: Any) -> Any:
        if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
            if self.low <= value <= self.high:
                return value
            raise _Mismatch(self.expected, f"int out of range ({value})")
        raise _Mismatch(self.expected, _got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if isinstance(obj, bool) or isinstance(obj, float):
            raise _Mismatch(self.expected, _got(obj))
        try:
            value = operator.index(obj)  # int, numpy integers
        except TypeError:
            raise _Mismatch(self.expected, _got(obj)) from None
        if not self.low <= value <= self.high:
            raise _Mismatch(self.expected, f"int out of range ({value})")
        return value


class Floating(Node):
    expected = "float"
    plain = True

    def __init__(self, kind: str) -> None:
        self.branch_name = kind

    def from_avro(self, datum: Any) -> Any:
        return datum

    def from_generic(self, value: Any) -> Any:
        if type(value) is float:
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise _Mismatch("float", _got(value))

    def from_default(self, value: Any) -> Any:
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            return float(value.replace("Infinity", "inf"))
        return self.from_generic(value)

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if type(obj) is float:
            return obj
        if isinstance(obj, numbers.Real) and not isinstance(obj, bool):
            return float(obj)
        raise _Mismatch("float", _got(obj))


class String(Node):
    expected = "str"
    branch_name = "string"
    plain = True

    def from_generic(self, value: Any) -> Any:
        if isinstance(value, str):
            return value
        raise _Mismatch("str", _got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        return self.from_generic(obj)


class Bytes(Node):
    expected = "bytes"
    branch_name = "bytes"
    plain = True

    def from_generic(self, value: Any) -> Any:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        raise _Mismatch("bytes", _got(value))

    def from_default(self, value: Any) -> Any:
        return value.encode("latin-1") if isinstance(value, str) else self.from_generic(value)

    def to_avro(self, obj: Any, generic: bool) -> Any:
        return self.from_generic(obj)


class Fixed(Node):
    def __init__(self, name: str, size: int) -> None:
        self.branch_name = name
        self.size = size
        self.expected = f"{size} bytes"
        self.plain = True

    def from_generic(self, value: Any) -> Any:
        if isinstance(value, (bytes, bytearray, memoryview)) and len(value) == self.size:
            return bytes(value)
        raise _Mismatch(self.expected, _got(value) if not isinstance(value, bytes) else f"{len(value)} bytes")

    def from_default(self, value: Any) -> Any:
        return self.from_generic(value.encode("latin-1") if isinstance(value, str) else value)

    def to_avro(self, obj: Any, generic: bool) -> Any:
        return self.from_generic(obj)


class Timestamp(Node):
    expected = "datetime (or epoch-ms int)"
    branch_name = "long"

    def from_avro(self, datum: Any) -> Any:
        return datum if isinstance(datum, dt.datetime) else _EPOCH + dt.timedelta(milliseconds=datum)

    def from_generic(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return _EPOCH + dt.timedelta(milliseconds=value)
            except OverflowError:
                raise _Mismatch(self.expected, f"int out of range ({value})") from None
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                raise _Mismatch(self.expected, _got(value)) from None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
        raise _Mismatch(self.expected, _got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if isinstance(obj, dt.datetime):
            aware = obj if obj.tzinfo is not None else obj.replace(tzinfo=dt.timezone.utc)
            delta = aware - _EPOCH
            return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
        if isinstance(obj, int) and not isinstance(obj, bool):
            return Integer("long").to_avro(obj, generic)
        raise _Mismatch(self.expected, _got(obj))


class Date(Node):
    expected = "date (or epoch-ms int)"
    branch_name = "int"

    def from_avro(self, datum: Any) -> Any:
        return datum if isinstance(datum, dt.date) else _EPOCH_DAY + dt.timedelta(days=datum)

    def from_generic(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return (_EPOCH + dt.timedelta(milliseconds=value)).date()
            except OverflowError:
                raise _Mismatch(self.expected, f"int out of range ({value})") from None
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                raise _Mismatch(self.expected, _got(value)) from None
        raise _Mismatch(self.expected, _got(value))

    def from_default(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return _EPOCH_DAY + dt.timedelta(days=value)  # Avro JSON: days since the epoch
        return self.from_generic(value)

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if isinstance(obj, dt.datetime):
            obj = obj.date()
        if isinstance(obj, dt.date):
            days = (obj - _EPOCH_DAY).days
            return days * 86_400_000 if generic else days
        raise _Mismatch(self.expected, _got(obj))


class EnumNode(Node):
    def __init__(self, name: str, symbols: list[str], cls: type | None, default: str | None) -> None:
        self.branch_name = name
        self.symbols = symbols
        self.symbol_set = frozenset(symbols)
        self.cls = cls if isinstance(cls, type) and issubclass(cls, enum.Enum) else None
        self.default = default
        shown = ", ".join(repr(s) for s in symbols[:10]) + (", …" if len(symbols) > 10 else "")
        self.expected = f"one of {shown}"

    def _build(self, symbol: str) -> Any:
        if self.cls is None:
            return symbol
        try:
            return self.cls[symbol]
        except KeyError:
            raise _Mismatch(f"a member of {self.cls.__qualname__}", repr(symbol)) from None

    def from_avro(self, datum: Any) -> Any:
        return self._build(datum)

    def from_generic(self, value: Any) -> Any:
        if isinstance(value, str) and value in self.symbol_set:
            return self._build(value)
        raise _Mismatch(self.expected, _got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if isinstance(obj, enum.Enum):
            if (self.cls is None or isinstance(obj, self.cls)) and obj.name in self.symbol_set:
                return obj.name
            raise _Mismatch(self.expected, f"{type(obj).__qualname__}.{obj.name}")
        if isinstance(obj, str) and obj in self.symbol_set:
            return obj
        raise _Mismatch(self.expected, _got(obj))


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
            raise _Mismatch("list", _got(value))
        convert = self.items.from_generic
        out = []
        for index, item in enumerate(value):
            try:
                out.append(convert(item))
            except _Mismatch as problem:
                problem.segments.append(f"[{index}]")
                raise
        return out

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if not isinstance(obj, (list, tuple)):
            if callable(getattr(type(obj), "tolist", None)):  # numpy arrays
                obj = obj.tolist()
            if not isinstance(obj, (list, tuple)):
                raise _Mismatch("list", _got(obj))
        convert = self.items.to_avro
        out = []
        for index, item in enumerate(obj):
            try:
                out.append(convert(item, generic))
            except _Mismatch as problem:
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
            raise _Mismatch(self.expected, _got(value))
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Mismatch("str key", f"key {key!r}")
            try:
                out[key] = convert(item, *extra)
            except _Mismatch as problem:
                problem.segments.append(_key_segment(key))
                raise
        return out

    def from_generic(self, value: Any) -> Any:
        return self._each(value, self.values.from_generic)

    def to_avro(self, obj: Any, generic: bool) -> Any:
        return self._each(obj, self.values.to_avro, generic)


_NO_DEFAULT = object()


class Field:
    __slots__ = ("name", "node", "default", "segment")

    def __init__(self, name: str, node: Node, default: Any) -> None:
        self.name = name
        self.node = node
        self.default = default
        self.segment = _key_segment(name)

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
            except TypeError as exc:
                raise _Mismatch(f"fields for {self.dataclass.__qualname__}", str(exc)) from None
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
            raise _Mismatch(f"{self.short} (a map)", _got(value))
        for key in value:
            if key not in self.names:
                raise _Mismatch(f"{self.short} (a map)", "", "unexpected", str(key))
        values = {}
        for f in self.fields:
            if f.name in value:
                try:
                    values[f.name] = f.node.from_generic(value[f.name])
                except _Mismatch as problem:
                    problem.segments.append(f.segment)
                    raise
            elif f.default is not _NO_DEFAULT:
                values[f.name] = f.default_value()
            else:
                raise _Mismatch(f.node.expected, "", "missing", f.name)
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
                    raise _Mismatch(self.expected, "", "unexpected", str(key))
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            if self.dataclass is not None and not isinstance(obj, self.dataclass):
                raise _Mismatch(self.expected, _got(obj))
            source = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name in self.names}
        else:
            raise _Mismatch(self.expected, _got(obj))
        out = {}
        for f in self.fields:
            if f.name in source:
                item = source[f.name]
            elif f.default is not _NO_DEFAULT:
                item = f.default_value()
            else:
                raise _Mismatch(f.node.expected, "", "missing", f.name)
            try:
                out[f.name] = f.node.to_avro(item, generic)
            except _Mismatch as problem:
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
            except _Mismatch:
                continue
        raise _Mismatch(self.expected, _got(value))

    def from_default(self, value: Any) -> Any:
        return self.branches[0].from_default(value)  # Avro: a union's default is of its first branch

    def to_avro(self, obj: Any, generic: bool) -> Any:
        nearest: _Mismatch | None = None
        for branch in self._order(obj):
            try:
                datum = branch.to_avro(obj, generic)
            except _Mismatch as problem:
                if problem.segments and nearest is None:
                    nearest = problem  # it got inside that branch: the most useful error
                continue
            return datum if generic else (branch.branch_name, datum)
        if nearest is not None:
            raise nearest
        raise _Mismatch(self.expected, _got(obj))


def compile_schema(schema: Any, classes: dict[str, type] | None = None) -> Node:
    """The converter tree for ``schema`` (Avro JSON); ``classes`` maps full names to the
    dataclass / Enum / TypedDict each named type is built as (absent: dicts and symbol strings)."""
    return _compile(resolve(schema), classes or {}, {})


def _compile(node: dict[str, Any], classes: dict[str, type], done: dict[int, Node]) -> Node:
    key = id(node)
    if key in done:
        return done[key]
    kind = node["type"]
    logical = node.get("logicalType")
    if kind == "long" and logical == "timestamp-millis":
        return Timestamp()
    if kind == "int" and logical == "date":
        return Date()
    if kind == "null":
        return Null()
    if kind == "boolean":
        return Boolean()
    if kind in ("int", "long"):
        return Integer(kind)
    if kind in ("float", "double"):
        return Floating(kind)
    if kind == "string":
        return String()
    if kind == "bytes":
        return Bytes()
    if kind == "fixed":
        return Fixed(node["name"], node["size"])
    if kind == "enum":
        result: Node = EnumNode(node["name"], node["symbols"], classes.get(node["name"]), node.get("default"))
        done[key] = result
        return result
    if kind == "array":
        array = Array()
        done[key] = array
        array.items = _compile(node["items"], classes, done)
        array.plain = array.items.plain
        return array
    if kind == "map":
        mapping = Map()
        done[key] = mapping
        mapping.values = _compile(node["values"], classes, done)
        mapping.plain = mapping.values.plain
        return mapping
    if kind == "union":
        union = Union()
        done[key] = union
        union.finish([_compile(b, classes, done) for b in node["branches"]])
        return union
    record = Record(node["name"], classes.get(node["name"]))
    done[key] = record
    record.finish([
        Field(f["name"], _compile(f["type"], classes, done), f["default"] if "default" in f else _NO_DEFAULT)
        for f in node["fields"]
    ])
    return record


# ---------------------------------------------------------------------------- public entry points


def from_avro(node: Node, datum: Any, root: str) -> Any:
    try:
        return node.from_avro(datum)
    except _Mismatch as problem:
        raise problem.public(root) from None


def from_generic(node: Node, value: Any, root: str) -> Any:
    try:
        return node.from_generic(value)
    except _Mismatch as problem:
        raise problem.public(root) from None


def to_avro(node: Node, obj: Any, root: str, generic: bool = False) -> Any:
    try:
        return node.to_avro(obj, generic)
    except _Mismatch as problem:
        raise problem.public(root) from None
    except RecursionError:
        raise ConversionError(root, "a value nested less deeply", "a value nested too deeply (or a cycle)") from None
