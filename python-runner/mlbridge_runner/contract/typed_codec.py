"""Typed Avro bodies (no framing) ↔ Python objects, for one schema.

Reading resolves a different writer schema against this one (Avro schema resolution, done by
``fastavro.schemaless_reader(writer, reader)``), so a call encoded with an older or newer
version of the arguments still reads as this pipeline's arguments.
"""

from __future__ import annotations

import io
from typing import Any

from fastavro import parse_schema, schemaless_reader, schemaless_writer

from .convert import ConversionError, Node, compile_schema, from_avro, from_generic, to_avro
from .model import AvroSchema, schema_ref


class TypedDecodeError(ValueError):
    """Typed bytes are malformed, or the writer schema cannot be resolved against ours."""


class TypedCodec:
    """Encode/decode/convert values of one schema (the classes bind its named types)."""

    def __init__(self, schema: AvroSchema, classes: dict[str, type] | None = None) -> None:
        self.schema = schema
        self.ref = schema_ref(schema)
        self.parsed = parse_schema(schema, named_schemas={})
        self.node: Node = compile_schema(schema, classes)

    def decode(self, data: bytes, root: str, writer: Any | None = None) -> Any:
        """Bytes written with ``writer`` (parsed; default: this schema) → Python objects.

        Raises :class:`TypedDecodeError` (malformed, trailing bytes, unresolvable) or
        :class:`ConversionError` (e.g. a symbol the Enum class lacks).
        """
        stream = io.BytesIO(data)
        try:
            if writer is None or writer is self.parsed:
                datum = schemaless_reader(stream, self.parsed, None, return_named_type=True)
            else:
                datum = schemaless_reader(stream, writer, self.parsed, return_named_type=True)
        except Exception as exc:  # noqa: BLE001 - fastavro raises EOFError, ValueError, IndexError, SchemaResolutionError…
            raise TypedDecodeError(f"cannot decode {root}: {type(exc).__name__}: {exc}") from None
        left = len(data) - stream.tell()
        if left:
            raise TypedDecodeError(f"cannot decode {root}: {left} trailing bytes after the value")
        return from_avro(self.node, datum, root)

    def encode(self, obj: Any, root: str) -> bytes:
        """Python objects → the Avro body; raises :class:`ConversionError` naming the path."""
        datum = to_avro(self.node, obj, root)
        out = io.BytesIO()
        try:
            schemaless_writer(out, self.parsed, datum)
        except Exception as exc:  # noqa: BLE001 - the checks above should have caught it
            raise ConversionError(root, "a value this schema can write", f"{type(exc).__name__}: {exc}") from None
        return out.getvalue()

    def from_generic(self, value: Any, root: str) -> Any:
        """A generic ``Value`` → Python objects, checked; raises :class:`ConversionError`."""
        return from_generic(self.node, value, root)

    def to_generic(self, obj: Any, root: str) -> Any:
        """Python objects → the plain value of a generic reply, checked against the schema."""
        return to_avro(self.node, obj, root, generic=True)
