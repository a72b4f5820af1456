"""CRC-64-AVRO (Rabin) fingerprints of schemas, as defined by the Avro specification: fastavro's.

The fingerprint of a schema is taken over its Parsing Canonical Form; in a single-object frame its
8 bytes are little-endian (the order fastavro's hex gives them in).

Not on a hot path, so the library's implementation serves: a fingerprint is computed once per
schema — the wire schemas when first loaded, a pipeline's schemas when it is registered, a
catalogue schema when first seen — and frames carry the 8 bytes computed then. (fastavro takes
~320 µs for the 1.2 KB reply schema, a loop of our own ~110 µs; neither matters once per schema.)
"""

from __future__ import annotations

from fastavro.schema import fingerprint


def fingerprint_bytes(canonical_form: str) -> bytes:
    """The 8 little-endian fingerprint bytes of a schema's Parsing Canonical Form."""
    return bytes.fromhex(fingerprint(canonical_form, "CRC-64-AVRO"))
