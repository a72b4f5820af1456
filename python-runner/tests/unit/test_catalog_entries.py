"""Catalogue keys and entries: the framed codec and every way a record can be unusable."""

import dataclasses
import json

import pytest

from mlbridge_runner import Registry
from mlbridge_runner.catalog.entries import (
    BadCatalogRecord,
    CatalogEntry,
    CatalogKind,
    decode_entry,
    decode_record,
    encode_entry,
    entry_to_json,
    parse_key,
    pipeline_entry,
    pipeline_key,
    schema_entry,
    schema_key,
    schema_ref,
)
from mlbridge_runner.codec.envelopes import RequestEnvelope, encode_request
from mlbridge_runner.codec.schemas import wire_schemas

VALUE_REF = wire_schemas().value.reference
ARGS = {"type": "record", "name": "Args", "namespace": "mlbridge.pipeline.add", "fields": [{"name": "a", "type": "long"}]}


def typed_entry(**overrides):
    fields = dict(
        kind=CatalogKind.PIPELINE,
        name="add",
        version=2,
        doc="Add.",
        typed=True,
        args_ref=schema_ref(ARGS),
        args_schema=json.dumps(ARGS),
        result_ref=schema_ref("long"),
        result_schema='"long"',
        timeout_ms=5000,
        runner="host/1/abc",
        published_at_ms=1_700_000_000_000,
    )
    fields.update(overrides)
    return CatalogEntry(**fields)


# ---------------------------------------------------------------------------- keys


def test_keys():
    assert pipeline_key("train_model", 3) == "pipeline/train_model/3"
    assert schema_key("crc64:0011223344556677") == "schema/crc64:0011223344556677"
    assert parse_key(b"pipeline/train.v-x/12").name == "train.v-x"
    assert parse_key("pipeline/train/12").version == 12
    key = parse_key("schema/crc64:0011223344556677")
    assert key.kind is CatalogKind.SCHEMA and key.name == "crc64:0011223344556677"


@pytest.mark.parametrize(
    "key",
    [None, b"\xff\xfe", "", "pipeline/", "pipeline/x", "pipeline/x/", "pipeline//1", "pipeline/x/one",
     "pipeline/x/-1", "pipeline/x/01", "schema/", "other/x/1", "PIPELINE/x/1"],
)
def test_bad_keys(key):
    with pytest.raises(BadCatalogRecord):
        parse_key(key)


# ---------------------------------------------------------------------------- codec


def test_round_trip_of_a_typed_entry():
    entry = typed_entry()
    data = encode_entry(entry)
    assert data[:2] == b"\xc3\x01" and data[2:10] == wire_schemas().catalog.fingerprint
    assert decode_entry(data) == entry
    key, decoded = decode_record(entry.key.encode(), data)
    assert key.kind is CatalogKind.PIPELINE and (key.name, key.version) == ("add", 2)
    assert decoded == entry


def test_round_trip_of_a_schema_entry():
    entry = schema_entry(schema_ref(ARGS), ARGS)
    assert entry.key == f"schema/{schema_ref(ARGS)}" and entry.version == 0
    assert decode_record(entry.key, encode_entry(entry))[1] == entry
    assert entry.schemas() == [entry.args_schema]


def test_null_timeout_survives():
    entry = typed_entry(timeout_ms=None)
    assert decode_entry(encode_entry(entry)).timeout_ms is None


def test_tombstone():
    key, entry = decode_record(b"pipeline/add/2", None)
    assert entry is None and key.version == 2


def test_json_form_has_the_key_and_the_wire_names():
    shown = entry_to_json(typed_entry())
    assert shown["key"] == "pipeline/add/2"
    assert set(shown) == {"key", *(f["name"] for f in wire_schemas().catalog.raw["fields"])}
    assert shown["argsRef"] == schema_ref(ARGS) and json.loads(shown["argsSchema"]) == ARGS


# ---------------------------------------------------------------------------- bad records


def test_garbage_bytes():
    with pytest.raises(BadCatalogRecord, match="not a catalogue entry"):
        decode_record(b"pipeline/add/2", b"garbage")


def test_another_schema_is_refused_by_fingerprint():
    request = encode_request(RequestEnvelope("id", "add", b"", VALUE_REF, "replies"))
    with pytest.raises(BadCatalogRecord, match="unknown-fingerprint"):
        decode_record(b"pipeline/add/2", request)


def test_truncated_body():
    data = encode_entry(typed_entry())
    with pytest.raises(BadCatalogRecord, match="does not decode"):
        decode_record(b"pipeline/add/2", data[:-20])


def test_trailing_bytes():
    with pytest.raises(BadCatalogRecord, match="trailing"):
        decode_record(b"pipeline/add/2", encode_entry(typed_entry()) + b"\x00")


@pytest.mark.parametrize("key", [b"pipeline/add/1", b"pipeline/other/2", b"schema/crc64:0011223344556677"])
def test_key_and_value_must_agree(key):
    with pytest.raises(BadCatalogRecord, match="stored under key"):
        decode_record(key, encode_entry(typed_entry()))


def test_schema_text_that_is_not_json():
    entry = typed_entry(args_schema="{not json")
    with pytest.raises(BadCatalogRecord, match="args schema is not a valid Avro schema"):
        decode_record(entry.key, encode_entry(entry))


def test_schema_that_is_not_avro():
    entry = typed_entry(result_schema='{"type": "no-such-type"}')
    with pytest.raises(BadCatalogRecord, match="result schema is not a valid Avro schema"):
        decode_record(entry.key, encode_entry(entry))


def test_ref_must_be_the_schemas_fingerprint():
    entry = typed_entry(args_ref="crc64:0000000000000000")
    with pytest.raises(BadCatalogRecord, match="the entry says 'crc64:0000000000000000'"):
        decode_record(entry.key, encode_entry(entry))
    schema = schema_entry("crc64:0000000000000000", ARGS)
    with pytest.raises(BadCatalogRecord, match="has ref"):
        decode_record(schema.key, encode_entry(schema))


def test_untyped_entry_needs_no_schema():
    entry = typed_entry(typed=False, args_ref=VALUE_REF, result_ref=VALUE_REF, args_schema="", result_schema="")
    assert decode_record(entry.key, encode_entry(entry))[1] == entry
    assert entry.schemas() == []


# ---------------------------------------------------------------------------- from pipelines


def test_typed_pipeline_entry():
    registry = Registry()

    @registry.pipeline("add", version=3, timeout=2.5)
    def add(a: int, b: int = 0) -> int:
        """Add two integers."""
        return a + b

    entry = pipeline_entry(registry["add"], runner="r", published_at_ms=7)
    contract = registry["add"].contract
    assert (entry.name, entry.version, entry.typed, entry.doc) == ("add", 3, True, "Add two integers.")
    assert entry.args_ref == contract.args_ref == schema_ref(json.loads(entry.args_schema))
    assert entry.result_ref == contract.result_ref and json.loads(entry.result_schema) == "long"
    assert (entry.timeout_ms, entry.runner, entry.published_at_ms) == (2500, "r", 7)
    assert decode_record(entry.key, encode_entry(entry))[1] == entry


def test_untyped_pipeline_entry():
    registry = Registry()

    @registry.pipeline
    def anything(x):
        return x

    entry = pipeline_entry(registry["anything"])
    assert not entry.typed and entry.version == 1
    assert entry.args_ref == entry.result_ref == VALUE_REF
    assert entry.args_schema == entry.result_schema == ""


def test_entries_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        typed_entry().version = 3  # type: ignore[misc]
