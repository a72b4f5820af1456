"""Python default values → Avro JSON field defaults (parameter defaults, dataclass field defaults).

A default that has no JSON form for its field's schema is left out: the field is then required on
the wire (the Python default still applies when the function is called directly).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from typing import Any

from .model import AvroSchema

NO_DEFAULT = object()


def attach_default(entry: dict[str, Any], value: Any) -> None:
    """Set ``entry["default"]`` if ``value`` is representable; for a union, move the branch the
    default belongs to first (Avro: a union's default is of its first branch)."""
    schema = entry["type"]
    if isinstance(schema, list):
        for index, branch in enumerate(schema):
            json_value = default_json(branch, value)
            if json_value is not NO_DEFAULT:
                entry["type"] = [branch] + schema[:index] + schema[index + 1:]
                entry["default"] = json_value
                return
        return
    json_value = default_json(schema, value)
    if json_value is not NO_DEFAULT:
        entry["default"] = json_value


def default_json(schema: AvroSchema, value: Any) -> Any:
    """``value`` as an Avro JSON default for ``schema``, or ``NO_DEFAULT`` if it does not fit.

    Named types referenced by name (already defined) are not looked into: no default then.
    """
    if isinstance(schema, list):
        return default_json(schema[0], value) if schema else NO_DEFAULT
    kind = schema if isinstance(schema, str) else schema.get("type")
    logical = schema.get("logicalType") if isinstance(schema, dict) else None
    if logical == "timestamp-millis" and isinstance(value, dt.datetime):
        return _epoch_ms(value)
    if logical == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return (value - dt.date(1970, 1, 1)).days
    if kind == "null":
        return None if value is None else NO_DEFAULT
    if kind == "boolean":
        return value if isinstance(value, bool) else NO_DEFAULT
    if kind == "long" and logical is None:
        return value if isinstance(value, int) and not isinstance(value, bool) and -(1 << 63) <= value < (1 << 63) else NO_DEFAULT
    if kind == "double":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        return float(value) if ok else NO_DEFAULT
    if kind == "string":
        return value if isinstance(value, str) else NO_DEFAULT
    if kind == "bytes":
        return value.decode("latin-1") if isinstance(value, bytes) else NO_DEFAULT  # Avro: bytes default = ISO-8859-1 text
    if kind == "enum":
        if isinstance(value, enum.Enum) and value.name in schema["symbols"]:
            return value.name
        return value if isinstance(value, str) and value in schema["symbols"] else NO_DEFAULT
    if kind == "array" and isinstance(value, (list, tuple)):
        items = [default_json(schema["items"], item) for item in value]
        return NO_DEFAULT if any(i is NO_DEFAULT for i in items) else items
    if kind == "map" and isinstance(value, dict) and all(isinstance(k, str) for k in value):
        values = {k: default_json(schema["values"], v) for k, v in value.items()}
        return NO_DEFAULT if any(v is NO_DEFAULT for v in values.values()) else values
    if kind == "record":
        source = _as_mapping(value)
        if source is None:
            return NO_DEFAULT
        out = {}
        for f in schema["fields"]:
            if f["name"] in source:
                item = default_json(f["type"], source[f["name"]])
            elif "default" in f:
                item = f["default"]
            else:
                return NO_DEFAULT
            if item is NO_DEFAULT:
                return NO_DEFAULT
            out[f["name"]] = item
        return out
    return NO_DEFAULT


def _as_mapping(value: Any) -> dict[str, Any] | None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return value
    return None


def _epoch_ms(value: dt.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
