"""The claim check's reference (``schemas/blob-ref.avsc``): what travels in ``Request.args`` /
``Reply.result`` instead of a body too large for the record, with ``argsSchema``/``resultSchema`` =
:data:`BLOB_REF_REFERENCE`. The blob holds the body exactly as it would have travelled inline."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Final

from fastavro import parse_schema, schemaless_reader, schemaless_writer
from fastavro.schema import to_parsing_canonical_form

from ..codec.crc64 import fingerprint_bytes
from ..codec.schemas import find_schema_dir

_RAW = json.loads((find_schema_dir() / "blob-ref.avsc").read_text(encoding="utf-8"))
_PARSED = parse_schema(_RAW, named_schemas={})
#: ``crc64:`` ref of blob-ref.avsc: the args/result schema of a body passed by reference.
BLOB_REF_REFERENCE: Final = "crc64:" + fingerprint_bytes(to_parsing_canonical_form(_RAW)).hex()
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class BlobRef:
    uri: str
    size: int
    #: SHA-256 of the blob, 64 lowercase hex digits.
    sha256: str
    #: Ref of the body inside the blob.
    schema: str


def encode_blob_ref(ref: BlobRef) -> bytes:
    out = io.BytesIO()
    schemaless_writer(out, _PARSED, {"uri": ref.uri, "size": ref.size, "sha256": ref.sha256, "schema": ref.schema})
    return out.getvalue()


def decode_blob_ref(body: bytes) -> BlobRef:
    """Raises ``ValueError`` when ``body`` is not a well-formed BlobRef body."""
    stream = io.BytesIO(body)
    try:
        record = schemaless_reader(stream, _PARSED, None)
    except Exception as exc:  # noqa: BLE001 - fastavro raises several types for a bad body
        raise ValueError(f"malformed blob reference: {exc}") from None
    assert isinstance(record, dict)
    ref = BlobRef(record["uri"], record["size"], record["sha256"], record["schema"])
    if stream.tell() != len(body) or ref.size < 0 or not _SHA256.fullmatch(ref.sha256):
        raise ValueError(f"malformed blob reference (size {ref.size}, sha256 {ref.sha256[:80]!r})")
    return ref
