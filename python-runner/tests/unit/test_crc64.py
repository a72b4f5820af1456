import json

import pytest
from fastavro.schema import fingerprint, to_parsing_canonical_form

from mlbridge_runner.codec.crc64 import EMPTY, crc64_avro, fingerprint_bytes
from mlbridge_runner.codec.schemas import NAMES, wire_schemas
from mlbridge_runner.tools.write_vectors import find_vectors_dir


def test_empty_input_is_the_seed():
    assert crc64_avro(b"") == EMPTY


@pytest.mark.parametrize("canonical", ['"null"', '"long"', '{"type":"fixed","name":"f","size":4}', "x" * 1000])
def test_matches_fastavro_on_arbitrary_text(canonical):
    assert fingerprint_bytes(canonical).hex() == fingerprint(canonical, "CRC-64-AVRO")


@pytest.mark.parametrize("name", NAMES)
def test_schema_fingerprints_match_fastavro(name):
    schema = getattr(wire_schemas(), name)
    assert schema.fingerprint.hex() == fingerprint(to_parsing_canonical_form(schema.raw), "CRC-64-AVRO")
    assert schema.reference == f"crc64:{schema.fingerprint.hex()}"


def test_schema_fingerprints_match_shared_vectors():
    path = find_vectors_dir() / "fingerprints.json"
    if not path.is_file():
        pytest.skip(f"{path} not written yet (npm run vectors)")
    shared = json.loads(path.read_text())
    # Every wire schema, catalog.avsc included, and nothing else.
    assert set(shared) == set(NAMES)
    assert {name: getattr(wire_schemas(), name).fingerprint.hex() for name in shared} == shared
