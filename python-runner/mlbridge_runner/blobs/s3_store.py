"""An S3-compatible store (twin of ``src/blobs/s3-store.ts``): ``s3://bucket/prefix``. boto3 (optional,
``pip install boto3``) is imported only when such a URL is opened; credentials and endpoint come from its
usual environment (``AWS_ENDPOINT_URL`` for MinIO). The store talks to S3 through :class:`S3Api`."""

from __future__ import annotations

import hashlib
import importlib
import io
import re
import time
from typing import Any, Iterable, Protocol

from ..codec.segments import Segments
from .errors import BlobExists, BlobStoreError, BlobStorePackageMissing
from .stored_blob import Body, StoredBlob
from .sweep import sweep_age


class S3Api(Protocol):
    def put(self, bucket: str, key: str, body: bytes | bytearray | memoryview, if_absent: bool = False) -> None:
        """Write the object; ``if_absent``: only if there is none (raises :class:`BlobExists`)."""
        ...
    def get(self, bucket: str, key: str) -> Iterable[bytes] | None:
        """The object's chunks, or None when there is no such key."""
        ...
    def delete(self, bucket: str, key: str) -> None: ...
    def list(self, bucket: str, prefix: str) -> list[tuple[str, float]]:
        """(key, last-modified epoch seconds) under ``prefix``."""
        ...


class _Reader(io.RawIOBase):
    """A read-only file over the body: boto3 streams it without the copy ``bytes(body)`` made."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._at = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: len(self._view)}[whence]
        self._at = max(0, base + offset)
        return self._at

    def readinto(self, buffer: Any) -> int:
        chunk = self._view[self._at:self._at + len(buffer)]
        memoryview(buffer).cast("B")[:len(chunk)] = chunk
        self._at += len(chunk)
        return len(chunk)

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._at + size
        chunk = bytes(self._view[self._at:end])
        self._at += len(chunk)
        return chunk


class _Boto3Api:
    def __init__(self, client: Any) -> None:
        self._client = client

    def put(self, bucket: str, key: str, body: bytes | bytearray | memoryview, if_absent: bool = False) -> None:
        # If-None-Match: * is S3's conditional write (AWS since 2024, MinIO): 412 when the key exists.
        extra = {"IfNoneMatch": "*"} if if_absent else {}
        try:
            self._client.put_object(Bucket=bucket, Key=key, Body=_Reader(memoryview(body).cast("B")), **extra)
        except self._client.exceptions.ClientError as exc:
            if if_absent and exc.response.get("Error", {}).get("Code") == "PreconditionFailed":
                raise BlobExists(f"s3://{bucket}/{key}") from None
            raise

    def get(self, bucket: str, key: str) -> Iterable[bytes] | None:
        try:
            return self._client.get_object(Bucket=bucket, Key=key)["Body"].iter_chunks(1 << 20)  # type: ignore[no-any-return]
        except self._client.exceptions.NoSuchKey:
            return None

    def delete(self, bucket: str, key: str) -> None:
        self._client.delete_object(Bucket=bucket, Key=key)

    def list(self, bucket: str, prefix: str) -> list[tuple[str, float]]:
        found = []
        for page in self._client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.extend((item["Key"], item["LastModified"].timestamp()) for item in page.get("Contents", []))
        return found


class S3BlobStore:
    def __init__(self, url: str, api: S3Api) -> None:
        match = re.fullmatch(r"s3://([^/]+)/?(.*)", url)
        if match is None:
            raise ValueError(f"not an s3://bucket/prefix URL: {url[:200]!r}")
        self._bucket = match.group(1)
        prefix = match.group(2)
        self._prefix = prefix if prefix == "" or prefix.endswith("/") else prefix + "/"
        self._api = api
        self.url = url

    @classmethod
    def open(cls, url: str) -> S3BlobStore:
        try:
            boto3 = importlib.import_module("boto3")
        except ImportError:
            raise BlobStorePackageMissing("boto3") from None
        return cls(url, _Boto3Api(boto3.client("s3")))

    def put(self, name: str, body: Body) -> StoredBlob:
        return self._write(name, body, False)

    def put_new(self, name: str, body: Body) -> StoredBlob:
        return self._write(name, body, True)

    def _write(self, name: str, body: Body, if_absent: bool) -> StoredBlob:
        if isinstance(body, Segments):
            # S3 takes one stream: a body in pieces is joined here (one copy; the directory store
            # writes the pieces as they are).
            body = body.join()
        key = self._prefix + name
        uri = f"s3://{self._bucket}/{key}"
        digest = hashlib.sha256(body).hexdigest()
        try:
            if if_absent:
                self._api.put(self._bucket, key, body, if_absent=True)
            else:
                self._api.put(self._bucket, key, body)
        except BlobExists:
            raise
        except Exception as exc:  # noqa: BLE001 - any client failure is the store being unreachable
            raise BlobStoreError("BlobStoreUnreachable", uri, f"cannot write: {exc}") from exc
        return StoredBlob(uri, len(memoryview(body).cast("B")), digest)

    def get(self, uri: str, size: int, sha256: str) -> bytearray:
        key = self._key_of(uri)
        body = bytearray(size)
        digest = hashlib.sha256()
        offset = 0
        try:
            chunks = self._api.get(self._bucket, key)
            if chunks is None:
                raise BlobStoreError("BlobMissing", uri, "no such object")
            for chunk in chunks:
                if offset + len(chunk) > size:
                    raise BlobStoreError("BlobCorrupt", uri, f"longer than the {size} bytes the reference says")
                body[offset:offset + len(chunk)] = chunk
                digest.update(chunk)
                offset += len(chunk)
        except BlobStoreError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise BlobStoreError("BlobStoreUnreachable", uri, str(exc)) from exc
        if offset != size:
            raise BlobStoreError("BlobCorrupt", uri, f"ends after {offset} of {size} bytes")
        found = digest.hexdigest()
        if found != sha256:
            raise BlobStoreError("BlobCorrupt", uri, f"SHA-256 {found}, the reference says {sha256}")
        return body

    def delete(self, uri: str) -> None:
        self._api.delete(self._bucket, self._key_of(uri))

    def sweep(self, older_than_s: float, job_older_than_s: float | None = None) -> int:
        now = time.time()
        start = len(self._prefix)
        old = [
            key for key, modified in self._api.list(self._bucket, self._prefix)
            if modified < now - sweep_age(key[start:], older_than_s, job_older_than_s)
        ]
        for key in old:
            self._api.delete(self._bucket, key)
        return len(old)

    def _key_of(self, uri: str) -> str:
        start = f"s3://{self._bucket}/{self._prefix}"
        if not uri.startswith(start) or len(uri) == len(start):
            raise BlobStoreError("BlobMissing", uri, f"not a blob of the store {self.url}")
        return uri[len(f"s3://{self._bucket}/"):]
