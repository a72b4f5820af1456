"""Converters of the schema's leaves: primitives, logical types, enums, fixed."""

from __future__ import annotations

import datetime as dt
import enum
import numbers
import operator
from typing import Any

from .large_leaves import SEGMENT_AT, stand_in
from .nodes import Mismatch, Node, got

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_EPOCH_DAY = dt.date(1970, 1, 1)
_LIMITS = {"long": (-(1 << 63), (1 << 63) - 1), "int": (-(1 << 31), (1 << 31) - 1)}


class Null(Node):
    expected = "None"
    branch_name = "null"
    plain = True

    def from_generic(self, value: Any) -> Any:
        if value is not None:
            raise Mismatch("None", got(value))
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
        raise Mismatch("bool", got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if obj is True or obj is False:
            return obj
        if type(obj).__name__ == "bool_":  # numpy.bool_
            return bool(obj)
        raise Mismatch("bool", got(obj))


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
            raise Mismatch(self.expected, f"int out of range ({value})")
        raise Mismatch(self.expected, got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if isinstance(obj, bool) or isinstance(obj, float):
            raise Mismatch(self.expected, got(obj))
        try:
            value = operator.index(obj)  # int, numpy integers
        except TypeError:
            raise Mismatch(self.expected, got(obj)) from None
        if not self.low <= value <= self.high:
            raise Mismatch(self.expected, f"int out of range ({value})")
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
        raise Mismatch("float", got(value))

    def from_default(self, value: Any) -> Any:
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            return float(value.replace("Infinity", "inf"))
        return self.from_generic(value)

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if type(obj) is float:
            return obj
        if isinstance(obj, numbers.Real) and not isinstance(obj, bool):
            return float(obj)
        raise Mismatch("float", got(obj))


class String(Node):
    expected = "str"
    branch_name = "string"
    plain = True

    def from_generic(self, value: Any) -> Any:
        if isinstance(value, str):
            return value
        raise Mismatch("str", got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        return self.from_generic(obj)


class Bytes(Node):
    expected = "bytes"
    branch_name = "bytes"
    plain = True

    def from_generic(self, value: Any) -> Any:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        raise Mismatch("bytes", got(value))

    def from_default(self, value: Any) -> Any:
        return value.encode("latin-1") if isinstance(value, str) else self.from_generic(value)

    def to_avro(self, obj: Any, generic: bool) -> Any:
        value = self.from_generic(obj)
        # A large leaf of a typed result is kept out of fastavro's buffer (large_leaves.py).
        return value if generic or len(value) < SEGMENT_AT else stand_in(value)


class Fixed(Node):
    def __init__(self, name: str, size: int) -> None:
        self.branch_name = name
        self.size = size
        self.expected = f"{size} bytes"
        self.plain = True

    def from_generic(self, value: Any) -> Any:
        if isinstance(value, (bytes, bytearray, memoryview)) and len(value) == self.size:
            return bytes(value)
        raise Mismatch(self.expected, got(value) if not isinstance(value, bytes) else f"{len(value)} bytes")

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
                raise Mismatch(self.expected, f"int out of range ({value})") from None
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                raise Mismatch(self.expected, got(value)) from None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
        raise Mismatch(self.expected, got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if isinstance(obj, dt.datetime):
            aware = obj if obj.tzinfo is not None else obj.replace(tzinfo=dt.timezone.utc)
            delta = aware - _EPOCH
            return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
        if isinstance(obj, int) and not isinstance(obj, bool):
            return Integer("long").to_avro(obj, generic)
        raise Mismatch(self.expected, got(obj))


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
                raise Mismatch(self.expected, f"int out of range ({value})") from None
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                raise Mismatch(self.expected, got(value)) from None
        raise Mismatch(self.expected, got(value))

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
        raise Mismatch(self.expected, got(obj))


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
            raise Mismatch(f"a member of {self.cls.__qualname__}", repr(symbol)) from None

    def from_avro(self, datum: Any) -> Any:
        return self._build(datum)

    def from_generic(self, value: Any) -> Any:
        if isinstance(value, str) and value in self.symbol_set:
            return self._build(value)
        raise Mismatch(self.expected, got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if isinstance(obj, enum.Enum):
            if (self.cls is None or isinstance(obj, self.cls)) and obj.name in self.symbol_set:
                return obj.name
            raise Mismatch(self.expected, f"{type(obj).__qualname__}.{obj.name}")
        if isinstance(obj, str) and obj in self.symbol_set:
            return obj
        raise Mismatch(self.expected, got(obj))
