"""The one small interface every blob store implements (twin of ``src/blobs/blob-store.ts``) and the
factory picking one from a URL: ``file:///dir`` (default) or ``s3://bucket/prefix``."""

from __future__ import annotations

import mmap

from typing import Final, Protocol

from .stored_blob import Body, StoredBlob

__all__ = ["DEFAULT_BLOB_STORE_URL", "DEFAULT_BLOB_THRESHOLD_BYTES", "BlobStore", "Body", "StoredBlob", "open_blob_store"]

DEFAULT_BLOB_STORE_URL: Final = "file:///shared/mlbridge-blobs"
#: Bodies larger than this go by reference: under the topics' default max.message.bytes (1 MiB).
DEFAULT_BLOB_THRESHOLD_BYTES: Final = 900 * 1024


class BlobStore(Protocol):
    url: str

    def put(self, name: str, body: Body) -> StoredBlob:
        """Write ``body`` under a new unique ``name``, hashing as it streams out."""
        ...

    def put_new(self, name: str, body: Body) -> StoredBlob:
        """As :meth:`put`, but only if no blob ``name`` exists (create-if-absent: two writers racing
        for a name, e.g. a model version, get one winner). Raises :class:`~.errors.BlobExists`."""
        ...

    def get(self, uri: str, size: int, sha256: str) -> bytes | bytearray | mmap.mmap:
        """Read a blob whole into one buffer, checking length and SHA-256 as it streams in.
        Raises :class:`~.errors.BlobStoreError`."""
        ...

    def delete(self, uri: str) -> None:
        """Delete a blob; one already gone is fine."""
        ...

    def sweep(self, older_than_s: float, job_older_than_s: float | None = None) -> int:
        """Delete blobs written more than ``older_than_s`` ago (callers that died), jobs' blobs
        (``job-…``) more than ``job_older_than_s`` ago (default 7 days); return how many."""
        ...


def open_blob_store(url: str) -> BlobStore:
    """The store ``url`` names; ``s3://`` imports boto3 (optional) only then."""
    if url.startswith("file://"):
        from .file_store import FileBlobStore

        return FileBlobStore(url)
    if url.startswith("s3://"):
        from .s3_store import S3BlobStore

        return S3BlobStore.open(url)
    raise ValueError(f"unsupported blob store URL {url[:200]!r}: expected file:///dir or s3://bucket/prefix")
