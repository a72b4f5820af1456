"""schemas/vectors/typed.json: every case decodes to its value and encodes to its bytes, and the
file is what the writer produces today (so a derivation change cannot slip by unnoticed)."""

from __future__ import annotations

import json

import pytest

from mlbridge_runner.contract import check_readable
from mlbridge_runner.contract.hints import schema_for_hint
from mlbridge_runner.contract.tagged import from_tagged, to_tagged
from mlbridge_runner.contract.typed_codec import TypedCodec
from mlbridge_runner.tools.typed_vectors import HINT_CASES, build_typed_vectors, check_case, check_evolution
from mlbridge_runner.tools.write_vectors import find_vectors_dir

VECTORS_DIR = find_vectors_dir()
TYPED = json.loads((VECTORS_DIR / "typed.json").read_text(encoding="utf-8"))


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
    data = bytes.fromhex(case["hex"])
    assert data[0] == 0 and int.from_bytes(data[1:5], "big") == case["schemaId"]
    codec = TypedCodec(case["schema"])
    assert codec.encode(from_tagged(case["value"]), "v") == data[5:]
    assert to_tagged(codec.decode(data[5:], "v"), codec.node) == case["value"]


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
    assert built == TYPED, "run: python -m mlbridge_runner.tools.write_vectors"


def test_readme_documents_the_typed_tags():
    readme = (VECTORS_DIR / "README.md").read_text(encoding="utf-8")
    for tag in ("`record`", "`enum`", "`timestamp-millis`", "`date`", "`int`", "`float`", "typed.json"):
        assert tag in readme


def test_v2_fixture_result_with_notes_reads_as_v1():
    case = by_name("evolution")["typed_train-result-v2-to-v1"]
    assert "notes" not in dict(case["value"]["record"]) and "notes" in dict(case["written"]["record"])
