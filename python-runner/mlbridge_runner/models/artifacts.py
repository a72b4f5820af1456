"""Where model bytes live: the blob store of ``mlbridge_runner.blobs`` (the claim check's), so a
model store is a directory every runner can read (``file:///…``: local disk, NFS, EFS) or an S3
bucket (``s3://bucket/prefix``), the same stores and code as large payloads.

A version is the blob ``model-<name>-v<version>``, written create-if-absent (``link(2)`` on a
directory, ``If-None-Match: *`` on S3): two runners saving the same model at once get different
version numbers, and a version, once written, never changes. The TTL sweep never deletes them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

from ..blobs.errors import BlobExists, BlobStoreError
from ..blobs.store import BlobStore, open_blob_store
from ..blobs.sweep import MODEL_BLOB_PREFIX
from .errors import ArtifactExists, ModelArtifactCorrupt, ModelError, ModelNotFound
from .records import ModelVersion


class ModelArtifacts(Protocol):
    """Immutable bytes by key: ``put`` never overwrites, ``load`` returns what was put, verified."""

    def put(self, key: str, data: bytes) -> str: ...

    def load(self, record: ModelVersion) -> bytes: ...


class BlobArtifacts:
    """Model versions in a blob store: ``put("<name>/v<version>", data)`` → the blob's URI."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store

    @classmethod
    def open(cls, url: str) -> BlobArtifacts:
        return cls(open_blob_store(url))

    def put(self, key: str, data: bytes) -> str:
        name = MODEL_BLOB_PREFIX + key.replace("/", "-")  # names are [A-Za-z0-9_.-]: "-v<n>" ends it unambiguously
        try:
            return self.store.put_new(name, data).uri
        except BlobExists:
            raise ArtifactExists(f"model artifact {key!r} already exists; versions are immutable") from None
        except (BlobStoreError, ValueError) as exc:
            raise ModelError(f"model artifact {key!r} could not be stored: {exc}") from exc

    def load(self, record: ModelVersion) -> bytes:
        """The version's bytes, checked against the record's size and SHA-256 as they stream in."""
        try:
            return bytes(self.store.get(record.uri, record.size, record.sha256))
        except BlobStoreError as exc:
            where = f"model {record.name!r} version {record.version}"
            if exc.kind == "BlobMissing":
                raise ModelNotFound(f"{where}: artifact {record.uri} is missing", record.name, record.version) from None
            if exc.kind == "BlobCorrupt":
                raise ModelArtifactCorrupt(f"{where}: {exc}", record.name, record.version) from None
            raise ModelError(f"{where}: {exc}", record.name, record.version) from exc


def DirectoryArtifacts(root: str | os.PathLike[str]) -> BlobArtifacts:  # noqa: N802 - kept by its old name
    """A directory as the model store (``--model-dir``): the directory blob store at ``root``."""
    return BlobArtifacts.open(Path(root).resolve().as_uri())


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
