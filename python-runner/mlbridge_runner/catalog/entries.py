"""Catalogue entries: keys, the ``CatalogEntry`` record and its framed Avro encoding.

Python code sees the snake_case :class:`CatalogEntry`; the schema's camelCase names appear only in
:func:`entry_to_wire` / :func:`entry_from_wire` (also the JSON form ``catalog --json`` prints).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

from fastavro import parse_schema

from ..codec.envelopes import read_framed, write_framed
from ..codec.schemas import wire_schemas
from ..contract import schema_ref
from ..errors import BodyDecodeError, CodecError, FramingError

if TYPE_CHECKING:
    from ..registry import Pipeline

PIPELINE_PREFIX: Final = "pipeline/"
SCHEMA_PREFIX: Final = "schema/"


class CatalogKind(str, Enum):
    PIPELINE = "PIPELINE"
    SCHEMA = "SCHEMA"


class BadCatalogRecord(CodecError):
    """A catalogue record that cannot be used: bad key, bad frame, bad body, or key and value disagree."""


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    kind: CatalogKind
    name: str
    version: int = 0
    doc: str = ""
    typed: bool = False
    args_ref: str = ""
    #: Avro schema JSON text; ``""`` for untyped pipelines. For SCHEMA entries: the schema itself.
    args_schema: str = ""
    result_ref: str = ""
    result_schema: str = ""
    timeout_ms: int | None = None
    runner: str = ""
    published_at_ms: int = 0
    #: "CALL", or "JOB" for a pipeline declared ``@pipeline(job=True)``.
    lane: str = "CALL"

    @property
    def key(self) -> str:
        if self.kind is CatalogKind.SCHEMA:
            return schema_key(self.name)
        return pipeline_key(self.name, self.version)

    def schemas(self) -> list[str]:
        """The schema texts this entry carries (none for an untyped pipeline)."""
        if self.kind is CatalogKind.SCHEMA:
            return [self.args_schema] if self.args_schema else []
        return [text for text in (self.args_schema, self.result_schema) if text]


def pipeline_key(name: str, version: int) -> str:
    return f"{PIPELINE_PREFIX}{name}/{version}"


def schema_key(ref: str) -> str:
    return f"{SCHEMA_PREFIX}{ref}"


@dataclass(frozen=True, slots=True)
class CatalogKey:
    """A parsed key: ``name``/``version`` for a pipeline, ``name`` = the ref for a schema."""

    kind: CatalogKind
    name: str
    version: int = 0


def parse_key(key: str | bytes | None) -> CatalogKey:
    """Parse a record key; raises :class:`BadCatalogRecord` for anything else."""
    if key is None:
        raise BadCatalogRecord("the record has no key")
    if isinstance(key, bytes):
        try:
            key = key.decode("utf-8")
        except UnicodeDecodeError:
            raise BadCatalogRecord("the key is not UTF-8") from None
    if key.startswith(SCHEMA_PREFIX) and len(key) > len(SCHEMA_PREFIX):
        return CatalogKey(CatalogKind.SCHEMA, key[len(SCHEMA_PREFIX):])
    if key.startswith(PIPELINE_PREFIX):
        # The name may contain '/': never by validate_name, but the version is the last part anyway.
        name, sep, version = key[len(PIPELINE_PREFIX):].rpartition("/")
        if sep and name and version.isdigit() and version == str(int(version)):
            return CatalogKey(CatalogKind.PIPELINE, name, int(version))
    raise BadCatalogRecord(f"key {key[:120]!r} is neither pipeline/<name>/<version> nor schema/<ref>")


def _schema_text(schema: object) -> str:
    return "" if schema is None else json.dumps(schema, separators=(",", ":"), ensure_ascii=False)


def pipeline_entry(pipeline: Pipeline, runner: str = "", published_at_ms: int = 0) -> CatalogEntry:
    """The entry a runner publishes for one registered pipeline (``pipeline.contract``).

    An untyped pipeline is published too: ``typed=False``, both refs the generic ``Value`` ref and
    no schema texts, so clients can list it.
    """
    value_ref = wire_schemas().value.reference
    contract = pipeline.contract
    typed = bool(contract.typed)
    return CatalogEntry(
        kind=CatalogKind.PIPELINE,
        name=pipeline.name,
        version=int(contract.version),
        doc=contract.doc or "",
        typed=typed,
        args_ref=contract.args_ref if typed else value_ref,
        args_schema=_schema_text(contract.args_schema) if typed else "",
        result_ref=contract.result_ref if typed else value_ref,
        result_schema=_schema_text(contract.result_schema) if typed else "",
        timeout_ms=contract.timeout_ms,
        runner=runner,
        published_at_ms=published_at_ms,
        lane="JOB" if pipeline.job else "CALL",
    )


def schema_entry(ref: str, schema: object) -> CatalogEntry:
    """A SCHEMA entry: ``name`` = the ref, ``argsSchema`` = the schema text."""
    return CatalogEntry(kind=CatalogKind.SCHEMA, name=ref, args_schema=_schema_text(schema))


# ---------------------------------------------------------------------------- wire dicts


def entry_to_wire(entry: CatalogEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind.value,
        "name": entry.name,
        "version": entry.version,
        "doc": entry.doc,
        "typed": entry.typed,
        "argsRef": entry.args_ref,
        "argsSchema": entry.args_schema,
        "resultRef": entry.result_ref,
        "resultSchema": entry.result_schema,
        "timeoutMs": entry.timeout_ms,
        "runner": entry.runner,
        "publishedAtMs": entry.published_at_ms,
        "lane": entry.lane,
    }


def entry_from_wire(d: dict[str, Any]) -> CatalogEntry:
    return CatalogEntry(
        kind=CatalogKind(d["kind"]),
        name=d["name"],
        version=d["version"],
        doc=d["doc"],
        typed=d["typed"],
        args_ref=d["argsRef"],
        args_schema=d["argsSchema"],
        result_ref=d["resultRef"],
        result_schema=d["resultSchema"],
        timeout_ms=d["timeoutMs"],
        runner=d["runner"],
        published_at_ms=d["publishedAtMs"],
        lane=d.get("lane", "CALL"),
    )


def entry_to_json(entry: CatalogEntry) -> dict[str, Any]:
    """The JSON object ``catalog --json`` prints: ``key`` plus the record's own field names."""
    return {"key": entry.key, **entry_to_wire(entry)}


# ---------------------------------------------------------------------------- Avro


def encode_entry(entry: CatalogEntry) -> bytes:
    return write_framed(wire_schemas().catalog, entry_to_wire(entry))


def decode_entry(data: bytes) -> CatalogEntry:
    """Unframe and decode one entry; raises :class:`BadCatalogRecord` naming the problem."""
    try:
        record = read_framed(wire_schemas().catalog, data)
    except FramingError as exc:
        raise BadCatalogRecord(f"not a catalogue entry ({exc.reason}): {exc}") from None
    except BodyDecodeError as exc:
        raise BadCatalogRecord(f"catalogue entry body does not decode: {exc}") from None
    return entry_from_wire(record)


def decode_record(key: str | bytes | None, value: bytes | None) -> tuple[CatalogKey, CatalogEntry | None]:
    """A consumed record → its parsed key and entry (``None``: a tombstone).

    Raises :class:`BadCatalogRecord` when the key is malformed, the value does not decode, the
    value disagrees with its key, or a schema text in it is not JSON.
    """
    parsed = parse_key(key)
    if value is None:
        return parsed, None
    entry = decode_entry(value)
    if entry.key != (schema_key(parsed.name) if parsed.kind is CatalogKind.SCHEMA else pipeline_key(parsed.name, parsed.version)):
        raise BadCatalogRecord(f"entry {entry.key!r} is stored under key {key!r}")
    if entry.kind is CatalogKind.SCHEMA:
        _check_schema(entry, "schema", entry.args_schema, entry.name)
    elif entry.typed:
        _check_schema(entry, "args schema", entry.args_schema, entry.args_ref)
        _check_schema(entry, "result schema", entry.result_schema, entry.result_ref)
    return parsed, entry


def _check_schema(entry: CatalogEntry, what: str, text: str, ref: str) -> None:
    """A schema text must be a valid Avro schema whose fingerprint is the ref the entry gives it:
    a reader resolving by ref would otherwise use the wrong schema."""
    try:
        schema = json.loads(text)
        parse_schema(schema, named_schemas={})
        actual = schema_ref(schema)
    except Exception as exc:  # noqa: BLE001 - json and fastavro raise many kinds
        raise BadCatalogRecord(f"entry {entry.key!r}: the {what} is not a valid Avro schema: {type(exc).__name__}: {exc}") from None
    if actual != ref.lower():
        raise BadCatalogRecord(f"entry {entry.key!r}: the {what} has ref {actual}, the entry says {ref[:80]!r}")


__all__ = [
    "CatalogKind",
    "CatalogEntry",
    "CatalogKey",
    "BadCatalogRecord",
    "pipeline_key",
    "schema_key",
    "parse_key",
    "pipeline_entry",
    "schema_entry",
    "entry_to_wire",
    "entry_from_wire",
    "entry_to_json",
    "encode_entry",
    "decode_entry",
    "decode_record",
    "schema_ref",
]
