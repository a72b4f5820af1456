"""Why a blob could not be read or written: answered to the caller as ``BLOB_UNAVAILABLE`` with
``type`` = the kind."""

from __future__ import annotations

from typing import Literal

#: ``BlobMissing``: no such blob; ``BlobCorrupt``: wrong size or SHA-256; ``BlobStoreUnreachable``: the store failed.
BlobFailureKind = Literal["BlobMissing", "BlobCorrupt", "BlobStoreUnreachable"]


class BlobStoreError(Exception):
    def __init__(self, kind: BlobFailureKind, uri: str, message: str) -> None:
        super().__init__(f"{kind}: {uri[:300]}: {message}")
        self.kind: BlobFailureKind = kind
        self.uri = uri


class BlobExists(Exception):
    """``put_new`` found a blob of that name already: blobs written that way are immutable."""

    def __init__(self, uri: str) -> None:
        super().__init__(f"{uri[:300]} already exists")
        self.uri = uri


class BlobStorePackageMissing(ImportError):
    """The chosen store needs an optional package that is not installed."""

    def __init__(self, package: str) -> None:
        super().__init__(f"the S3 blob store needs the optional package {package}: pip install boto3")
        self.package = package
