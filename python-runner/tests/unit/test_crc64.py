import json

import pytest

from mlbridge_runner.codec.crc64 import fingerprint_bytes
from mlbridge_runner.codec.schemas import NAMES, wire_schemas
from mlbridge_devtools.envelope_vectors import find_vectors_dir


# The Avro specification's test data (share/test/data/schema-tests.txt): canonical form → the
# CRC-64-AVRO fingerprint as a signed 64-bit number.
@pytest.mark.parametrize(
    ("canonical", "expected"),
    [('"null"', 7195948357588979594), ('"int"', 8247732601305521295)],
)
def test_fingerprints_of_the_avro_spec(canonical, expected):
    assert fingerprint_bytes(canonical) == expected.to_bytes(8, "little", signed=True)


@pytest.mark.parametrize("name", NAMES)
def test_wire_schema_references_carry_their_fingerprint(name):
    schema = getattr(wire_schemas(), name)
    assert len(schema.fingerprint) == 8
    assert schema.reference == f"crc64:{schema.fingerprint.hex()}"


def test_schema_fingerprints_match_shared_vectors():
    # The TypeScript codec's own CRC-64-AVRO wrote these: the two languages agree byte for byte.
    path = find_vectors_dir() / "fingerprints.json"
    if not path.is_file():
        pytest.skip(f"{path} not written yet (npm run vectors)")
    shared = json.loads(path.read_text())
    # Every wire schema, catalog.avsc included, and nothing else.
    assert set(shared) == set(NAMES)
    assert {name: getattr(wire_schemas(), name).fingerprint.hex() for name in shared} == shared
