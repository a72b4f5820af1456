"""schemas/vectors/typed.json: every case decodes to its value and encodes to its bytes, and the
file is what the writer produces today (so a derivation change cannot slip by unnoticed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mlbridge_runner.catalog.entries import decode_entry, decode_record, encode_entry, entry_from_wire, entry_to_wire
from mlbridge_runner.contract import check_readable
from mlbridge_runner.contract.model import canonical_form, schema_ref
from mlbridge_runner.contract.tagged import from_tagged, to_tagged
from mlbridge_runner.contract.typed_codec import TypedCodec
from mlbridge_runner.contract.hints import schema_for_hint
from mlbridge_runner.schema_registry import RegistryClient, RegistryEnvelopes
from mlbridge_runner.schema_registry import envelopes as confluent_envelopes
from mlbridge_runner.schema_registry import framing as confluent_framing
from mlbridge_devtools.typed_vectors import HINT_CASES, build_typed_vectors
from mlbridge_devtools.envelope_vectors import envelope_from_json, envelope_to_json, find_vectors_dir

VECTORS_DIR = find_vectors_dir()
TYPED = json.loads((VECTORS_DIR / "typed.json").read_text(encoding="utf-8"))


def check_case(case: dict[str, Any]) -> None:
    """Assert that encoding ``value`` gives ``hex`` and decoding ``hex`` gives ``value``."""
    codec = TypedCodec(case["schema"])
    data = bytes.fromhex(case["hex"])
    assert codec.encode(from_tagged(case["value"]), "value") == data, case["name"]
    assert to_tagged(codec.decode(data, "value"), codec.node) == case["value"], case["name"]
    assert schema_ref(case["schema"]) == case["ref"] and canonical_form(case["schema"]) == case["canonical"], case["name"]


def check_evolution(case: dict[str, Any]) -> None:
    writer, reader = TypedCodec(case["writer"]), TypedCodec(case["reader"])
    data = bytes.fromhex(case["hex"])
    assert writer.encode(from_tagged(case["written"]), "value") == data, case["name"]
    assert to_tagged(reader.decode(data, "value", writer.parsed), reader.node) == case["value"], case["name"]
    assert not check_readable(case["reader"], case["writer"]), case["name"]


def check_confluent(case: dict[str, Any]) -> None:
    """Unframe ``hex`` with the runner's Confluent framing, decode the body, and frame it back."""
    data = bytes.fromhex(case["hex"])
    assert confluent_framing.detect_framing(data) == "confluent", case["name"]
    schema_id, body = confluent_framing.unframe(data)
    assert schema_id == case["schemaId"], case["name"]
    codec = TypedCodec(case["schema"])
    assert to_tagged(codec.decode(bytes(body), "value"), codec.node) == case["value"], case["name"]
    assert confluent_framing.frame(schema_id, codec.encode(from_tagged(case["value"]), "value")) == data, case["name"]


def check_catalog(case: dict[str, Any]) -> None:
    """``hex`` decodes to ``entry`` under ``key``, and ``entry`` encodes to ``hex``."""
    data = bytes.fromhex(case["hex"])
    entry = decode_entry(data)
    assert entry_to_wire(entry) == case["entry"] and entry.key == case["key"], case["name"]
    assert encode_entry(entry_from_wire(case["entry"])) == data, case["name"]


def by_name(section: str) -> dict:
    return {case["name"]: case for case in TYPED[section]}


@pytest.mark.parametrize("case", TYPED["cases"], ids=lambda c: c["name"])
def test_case(case):
    check_case(case)


@pytest.mark.parametrize("case", TYPED["evolution"], ids=lambda c: c["name"])
def test_evolution(case):
    check_evolution(case)


@pytest.mark.parametrize("case", TYPED["incompatible"], ids=lambda c: c["name"])
def test_incompatible(case):
    assert case["problems"] and check_readable(case["reader"], case["writer"]) == case["problems"]


@pytest.mark.parametrize("case", TYPED["confluent"], ids=lambda c: c["name"])
def test_confluent(case):
    check_confluent(case)


class _Schema:
    """What the registry library returns for an id."""

    def __init__(self, text: str) -> None:
        self.schema_str, self.schema_type = text, "AVRO"


class _Registry:
    """A registry holding the envelope schemas under the ids the vectors use (no HTTP)."""

    def __init__(self) -> None:
        self.texts = {case["schemaId"]: confluent_envelopes.envelope_schema_text(case["schema"])
                      for case in TYPED["confluentEnvelopes"]}

    def register_schema(self, subject_name, schema):  # pragma: no cover - decoding never registers
        raise AssertionError("the vectors are decoded, not produced")

    def get_schema(self, schema_id):
        return _Schema(self.texts[schema_id])


@pytest.mark.parametrize("case", TYPED["confluentEnvelopes"], ids=lambda c: c["name"])
def test_confluent_envelope(case):
    data = bytes.fromhex(case["hex"])
    envelopes = RegistryEnvelopes(RegistryClient("http://registry.invalid", client=_Registry(), make_schema=_Schema))
    decode = envelopes.decode_request if case["schema"] == "request" else envelopes.decode_reply
    assert envelope_to_json(case["schema"], decode(data)) == case["value"]
    assert confluent_framing.unframe(data)[0] == case["schemaId"]
    envelope = envelope_from_json(case["schema"], case["value"])
    encode = confluent_envelopes.encode_request if case["schema"] == "request" else confluent_envelopes.encode_reply
    assert encode(case["schemaId"], envelope) == data  # type: ignore[arg-type]


@pytest.mark.parametrize("case", TYPED["catalog"], ids=lambda c: c["name"])
def test_catalog(case):
    check_catalog(case)
    # What a catalogue consumer does with the record: key and value agree, schema texts match refs.
    key, entry = decode_record(case["key"], bytes.fromhex(case["hex"]))
    assert entry is not None and entry.key == case["key"]


def test_catalog_covers_kinds_typing_and_timeouts():
    entries = [case["entry"] for case in TYPED["catalog"]]
    pipelines = [e for e in entries if e["kind"] == "PIPELINE"]
    assert any(e["kind"] == "SCHEMA" for e in entries)
    for typed in (True, False):
        for limited in (True, False):
            assert any(e["typed"] is typed and (e["timeoutMs"] is not None) is limited for e in pipelines), (typed, limited)


def test_confluent_envelopes_cover_request_and_reply():
    assert {case["schema"] for case in TYPED["confluentEnvelopes"]} == {"request", "reply"}


def test_hint_cases_schemas_are_derived_from_their_hint():
    cases = by_name("cases")
    for name, hint, text, _ in HINT_CASES:
        assert cases[name]["python"] == text
        assert cases[name]["schema"] == schema_for_hint(hint, "vectors")[0], name


def test_every_feature_is_covered():
    tags = set()

    def walk(tagged):
        ((tag, inner),) = tagged.items()
        tags.add(tag)
        if tag == "array":
            for item in inner:
                walk(item)
        elif tag in ("map", "record"):
            for _, item in inner:
                walk(item)

    for case in TYPED["cases"]:
        walk(case["value"])
    assert {"null", "boolean", "long", "double", "string", "bytes", "array", "map", "record", "enum",
            "timestamp-millis", "date"} <= tags
    evolution = by_name("evolution")
    for pipeline in ("typed_train", "typed_echo", "typed_add"):
        assert f"{pipeline}-args-v1-to-v2" in evolution and f"{pipeline}-args-v2-to-v1" in evolution


def test_file_is_up_to_date():
    built = json.loads(json.dumps(build_typed_vectors(VECTORS_DIR), ensure_ascii=False))
    assert built == TYPED, "run (from python-runner/): python -m mlbridge_devtools.write_vectors"


def test_readme_documents_the_typed_tags():
    readme = (VECTORS_DIR / "README.md").read_text(encoding="utf-8")
    for tag in ("`record`", "`enum`", "`timestamp-millis`", "`date`", "`int`", "`float`", "typed.json", "`confluentEnvelopes`", "`catalog`"):
        assert tag in readme


def test_v2_fixture_result_with_notes_reads_as_v1():
    case = by_name("evolution")["typed_train-result-v2-to-v1"]
    assert "notes" not in dict(case["value"]["record"]) and "notes" in dict(case["written"]["record"])
