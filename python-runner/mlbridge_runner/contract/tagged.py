"""Typed values ↔ the tagged JSON of ``schemas/vectors/typed.json`` (see ``schemas/vectors/README.md``).

The generic vectors' tags (``null``, ``boolean``, ``long``, ``double``, ``string``, ``bytes``,
``array``, ``map``) plus ``int``, ``float``, ``enum``, ``record`` (field/value pairs, in schema
order), ``timestamp-millis`` (epoch ms as a decimal string) and ``date`` (``YYYY-MM-DD``).
A union's value is the tagged value of the branch it takes.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from .composites import Array, Map, Record, Union
from .nodes import Mismatch, Node
from .scalars import Boolean, Bytes, Date, EnumNode, Fixed, Floating, Integer, Null, String, Timestamp

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _float_tag(value: float) -> Any:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def to_tagged(value: Any, node: Node) -> dict[str, Any]:
    """A decoded typed value (records as dicts, enums as symbols) → tagged JSON, per ``node``."""
    if isinstance(node, Union):
        for branch in node.branches:
            try:
                branch.to_avro(value, False)
            except Mismatch:
                continue
            return to_tagged(value, branch)
        raise ValueError(f"{value!r} fits no branch of {node.expected}")
    if isinstance(node, Null):
        return {"null": None}
    if isinstance(node, Boolean):
        return {"boolean": value}
    if isinstance(node, Timestamp):
        return {"timestamp-millis": str(node.to_avro(value, False))}
    if isinstance(node, Date):
        return {"date": value.isoformat()}
    if isinstance(node, Integer):
        return {node.branch_name: str(value)}
    if isinstance(node, Floating):
        return {node.branch_name: _float_tag(value)}
    if isinstance(node, String):
        return {"string": value}
    if isinstance(node, (Bytes, Fixed)):
        return {"bytes": bytes(value).hex()}
    if isinstance(node, EnumNode):
        return {"enum": value.name if hasattr(value, "name") and not isinstance(value, str) else value}
    if isinstance(node, Array):
        return {"array": [to_tagged(item, node.items) for item in value]}
    if isinstance(node, Map):
        return {"map": [[key, to_tagged(item, node.values)] for key, item in value.items()]}
    if isinstance(node, Record):
        return {"record": [[f.name, to_tagged(value[f.name], f.node)] for f in node.fields]}
    raise TypeError(f"no tagged form for {type(node).__name__}")


def from_tagged(tagged: dict[str, Any]) -> Any:
    """Tagged JSON → the plain Python value (records as dicts, enums as symbol strings)."""
    if not isinstance(tagged, dict) or len(tagged) != 1:
        raise ValueError(f"a tagged value has exactly one key, got {tagged!r}")
    ((tag, inner),) = tagged.items()
    if tag == "null":
        return None
    if tag == "boolean":
        return bool(inner)
    if tag in ("long", "int"):
        return int(inner)
    if tag in ("double", "float"):
        return _SPECIAL[inner] if isinstance(inner, str) else float(inner)
    if tag in ("string", "enum"):
        return str(inner)
    if tag == "bytes":
        return bytes.fromhex(inner)
    if tag == "array":
        return [from_tagged(item) for item in inner]
    if tag == "map":
        return {key: from_tagged(item) for key, item in inner}
    if tag == "record":
        return {key: from_tagged(item) for key, item in inner}
    if tag == "timestamp-millis":
        return _EPOCH + dt.timedelta(milliseconds=int(inner))
    if tag == "date":
        return dt.date.fromisoformat(inner)
    raise ValueError(f"unknown tag {tag!r}")
