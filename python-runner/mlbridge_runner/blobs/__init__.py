"""Large payloads by reference (claim check): the stores and the reference, twin of ``src/blobs/``.
See docs/protocol.md, "Large payloads by reference"."""

from .blob_ref import BLOB_REF_REFERENCE, BlobRef, decode_blob_ref, encode_blob_ref
from .errors import BlobExists, BlobStoreError, BlobStorePackageMissing
from .store import DEFAULT_BLOB_STORE_URL, DEFAULT_BLOB_THRESHOLD_BYTES, BlobStore, StoredBlob, open_blob_store

__all__ = [
    "BLOB_REF_REFERENCE", "BlobRef", "decode_blob_ref", "encode_blob_ref",
    "BlobExists", "BlobStoreError", "BlobStorePackageMissing",
    "DEFAULT_BLOB_STORE_URL", "DEFAULT_BLOB_THRESHOLD_BYTES", "BlobStore", "StoredBlob", "open_blob_store",
]
