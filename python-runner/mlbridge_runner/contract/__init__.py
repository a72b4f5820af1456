"""The typed contract of a pipeline (issue 5): Avro schemas from type hints, their compatibility,
and typed encoding of arguments and results. Design: ``docs/typed-contract.md``."""

from .compat import check_readable
from .convert import ConversionError
from .errors import InvalidSchema, UnsupportedType
from .hints import UnresolvedHints
from .model import AvroSchema, PipelineContract, canonical_form, schema_ref
from .store import SchemaStore
from .typed_codec import TypedCodec, TypedDecodeError

__all__ = [
    "PipelineContract",
    "AvroSchema",
    "check_readable",
    "SchemaStore",
    "schema_ref",
    "canonical_form",
    "UnsupportedType",
    "InvalidSchema",
    "UnresolvedHints",
    "TypedCodec",
    "TypedDecodeError",
    "ConversionError",
]
