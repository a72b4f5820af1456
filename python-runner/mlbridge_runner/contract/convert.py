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

from typing import Any

from .composites import NO_DEFAULT, Array, Field, Map, Record, Union
from .data_types import data_node
from .names import resolve
from .nodes import ConversionError, Mismatch, Node
from .scalars import Boolean, Bytes, Date, EnumNode, Fixed, Floating, Integer, Null, String, Timestamp

__all__ = ["ConversionError", "Node", "compile_schema", "from_avro", "from_generic", "to_avro"]


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
    data = data_node(node)
    if data is not None:
        done[key] = data
        return data
    record = Record(node["name"], classes.get(node["name"]))
    done[key] = record
    record.finish([
        Field(f["name"], _compile(f["type"], classes, done), f["default"] if "default" in f else NO_DEFAULT)
        for f in node["fields"]
    ])
    return record


# ---------------------------------------------------------------------------- public entry points


def from_avro(node: Node, datum: Any, root: str) -> Any:
    try:
        return node.from_avro(datum)
    except Mismatch as problem:
        raise problem.public(root) from None


def from_generic(node: Node, value: Any, root: str) -> Any:
    try:
        return node.from_generic(value)
    except Mismatch as problem:
        raise problem.public(root) from None


def to_avro(node: Node, obj: Any, root: str, generic: bool = False) -> Any:
    try:
        return node.to_avro(obj, generic)
    except Mismatch as problem:
        raise problem.public(root) from None
    except RecursionError:
        raise ConversionError(root, "a value nested less deeply", "a value nested too deeply (or a cycle)") from None
