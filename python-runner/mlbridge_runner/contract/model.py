"""What a pipeline promises to its callers: schemas, their references, version and doc."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Union

from fastavro.schema import to_parsing_canonical_form

from ..codec.crc64 import fingerprint_bytes

#: An Avro schema as Python objects (the JSON form): a dict, a union list or a type name.
AvroSchema = Union[dict[str, Any], list[Any], str]


def canonical_form(schema: AvroSchema) -> str:
    """The Avro Parsing Canonical Form of ``schema``."""
    return to_parsing_canonical_form(schema)


def schema_ref(schema: AvroSchema) -> str:
    """``crc64:<16 hex>`` of the Parsing Canonical Form, as carried in ``argsSchema``/``resultSchema``."""
    return "crc64:" + fingerprint_bytes(canonical_form(schema)).hex()


def schema_from_text(schema: AvroSchema | str) -> AvroSchema:
    """Accept a schema as Python objects or as JSON text (a bare type name stays a name)."""
    if isinstance(schema, str) and schema.lstrip()[:1] in ("{", "[", '"'):
        return json.loads(schema)
    return schema


@dataclass(frozen=True)
class PipelineContract:
    """The contract of one registered pipeline.

    ``typed`` pipelines have ``args_schema`` (a record named ``Args``) and ``result_schema``;
    untyped ones have ``None`` for both and the generic ``Value`` reference for both refs.
    """

    typed: bool
    version: int
    doc: str
    args_schema: dict[str, Any] | None
    result_schema: dict[str, Any] | list[Any] | str | None
    args_ref: str
    result_ref: str
    timeout_ms: int | None
    #: Why an untyped pipeline got no schemas ("no return annotation", …), told at start; None when
    #: typed. Not part of the contract, so left out of equality.
    untyped_reason: str | None = field(default=None, compare=False)
