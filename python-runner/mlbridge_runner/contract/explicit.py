"""Explicit ``args_schema=`` / ``result_schema=`` given to ``@pipeline``: checked at registration."""

from __future__ import annotations

import inspect
import json
from typing import Any

from fastavro import parse_schema

from .errors import InvalidSchema
from .model import AvroSchema, schema_from_text
from .names import SchemaShapeError, resolve


def parse_explicit(pipeline: str, which: str, schema: object) -> AvroSchema:
    """``schema`` (Python objects or JSON text) if it is valid Avro, else :class:`InvalidSchema`."""
    try:
        raw = schema_from_text(schema)  # type: ignore[arg-type]
    except json.JSONDecodeError as exc:
        raise InvalidSchema(f"pipeline {pipeline!r}: {which} is not valid JSON: {exc}") from None
    if not isinstance(raw, (dict, list, str)):
        raise InvalidSchema(f"pipeline {pipeline!r}: {which} must be an Avro schema (dict, list or JSON text), "
                            f"got {type(schema).__name__}")
    try:
        parse_schema(raw, named_schemas={})
        resolve(raw)
    except (SchemaShapeError, KeyError, TypeError) as exc:
        raise InvalidSchema(f"pipeline {pipeline!r}: {which} is not a valid Avro schema: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - fastavro's SchemaParseException and friends
        raise InvalidSchema(f"pipeline {pipeline!r}: {which} is not a valid Avro schema: {exc}") from None
    return raw


def check_args_record(pipeline: str, raw: AvroSchema, signature: inspect.Signature, skip: str | None) -> dict[str, Any]:
    """The args schema must be a record with one field per parameter (``skip`` excluded)."""
    if not isinstance(raw, dict) or raw.get("type") != "record":
        raise InvalidSchema(f"pipeline {pipeline!r}: args_schema must be a record with one field per parameter")
    fields = [f["name"] for f in raw.get("fields", [])]
    params = [p for p in signature.parameters.values() if p.name != skip]
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params)
    named = [p for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    missing = [p.name for p in named if p.name not in fields]
    extra = [] if takes_any else [f for f in fields if f not in {p.name for p in named}]
    if missing or extra:
        parts = []
        if missing:
            parts.append("no field for parameter(s) " + ", ".join(map(repr, missing)))
        if extra:
            parts.append("field(s) " + ", ".join(map(repr, extra)) + " match no parameter")
        raise InvalidSchema(f"pipeline {pipeline!r}: args_schema does not fit the function: " + "; ".join(parts))
    return raw
