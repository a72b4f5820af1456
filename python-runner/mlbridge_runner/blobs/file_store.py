"""A directory as a blob store (twin of ``src/blobs/file-store.ts``): writes go to a temporary name
renamed when complete; reads land in one buffer of the announced size, hashed as they stream in."""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import pathname2url

from ..codec.segments import Segments
from .errors import BlobExists, BlobStoreError
from .stored_blob import Body, StoredBlob
from .sweep import sweep_age

CHUNK = 8 * 1024 * 1024
#: From this size a blob is read mapped, not copied (see FileBlobStore.get).
MAP_AT = 32 * 1024 * 1024
_SAFE_NAME = re.compile(r"[A-Za-z0-9._-]{1,200}")


def _path_of_url(url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme != "file":
        raise ValueError(f"not a file:// URL: {url[:200]!r}")
    return Path(unquote(parsed.path))


class FileBlobStore:
    def __init__(self, url: str) -> None:
        self._dir = _path_of_url(url)
        self.url = "file://" + pathname2url(str(self._dir))

    def put(self, name: str, body: Body) -> StoredBlob:
        return self._write(name, body, exclusive=False)

    def put_new(self, name: str, body: Body) -> StoredBlob:
        return self._write(name, body, exclusive=True)

    def _write(self, name: str, body: Body, exclusive: bool) -> StoredBlob:
        if not _SAFE_NAME.fullmatch(name):
            raise ValueError(f"blob name {name[:200]!r} is not [A-Za-z0-9._-]{{1,200}}")
        path = self._dir / name
        uri = "file://" + pathname2url(str(path))
        # Racing writers of one name each write their own temporary file.
        temporary = path.with_name(f"{name}.{secrets.token_hex(4)}.partial" if exclusive else name + ".partial")
        digest = hashlib.sha256()
        # A body in pieces is written piece by piece, never joined (codec/segments.py).
        pieces = iter(body) if isinstance(body, Segments) else (memoryview(body).cast("B"),)
        size = 0
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as file:
                for view in pieces:
                    for offset in range(0, len(view), CHUNK):
                        chunk = view[offset:offset + CHUNK]
                        digest.update(chunk)
                        file.write(chunk)
                    size += len(view)
                if exclusive:
                    file.flush()
                    os.fsync(file.fileno())
            if exclusive:
                try:
                    os.link(temporary, path)  # fails if the name exists: link(2) is create-if-absent, also on NFS
                except FileExistsError:
                    raise BlobExists(uri) from None
                finally:
                    temporary.unlink(missing_ok=True)
            else:
                os.replace(temporary, path)
        except BlobExists:
            raise
        except OSError as exc:
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass  # the directory itself may be what failed
            raise BlobStoreError("BlobStoreUnreachable", uri, f"cannot write: {exc}") from exc
        return StoredBlob(uri, size, digest.hexdigest())

    def get(self, uri: str, size: int, sha256: str) -> bytes | mmap.mmap:
        """The blob, hashed in chunks before anything reads it. Up to :data:`MAP_AT` it is read into
        one ``bytes`` of ``size`` (not a bytearray: the codec would copy that into bytes again);
        larger, it is mapped read-only and the codecs decode it in place, so a body of hundreds of
        MB is never copied whole into the runner's heap: only its decoded leaves are (the mapped
        pages are the page cache's, shared and reclaimable). Blobs are written under a temporary
        name and renamed complete, so a mapped file never changes under its reader."""
        path = self._path_of(uri)
        try:
            file = open(path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise BlobStoreError("BlobMissing", uri, "no such blob") from None
        except OSError as exc:
            raise BlobStoreError("BlobStoreUnreachable", uri, str(exc)) from exc
        body: bytes | mmap.mmap
        with file:
            try:
                actual = os.fstat(file.fileno()).st_size
                if actual != size:
                    raise BlobStoreError("BlobCorrupt", uri, f"{actual} bytes, the reference says {size}")
                if size >= MAP_AT:
                    body = mmap.mmap(file.fileno(), size, access=mmap.ACCESS_READ)
                else:
                    body = file.read(size)  # a buffered read of n bytes fills one bytes object of n
            except OSError as exc:
                raise BlobStoreError("BlobStoreUnreachable", uri, str(exc)) from exc
        if len(body) != size:
            raise BlobStoreError("BlobCorrupt", uri, f"ends after {len(body)} of {size} bytes")
        digest = hashlib.sha256()
        with memoryview(body) as view:
            for offset in range(0, size, CHUNK):
                digest.update(view[offset:offset + CHUNK])
        found = digest.hexdigest()
        if found != sha256:
            if isinstance(body, mmap.mmap):
                body.close()
            raise BlobStoreError("BlobCorrupt", uri, f"SHA-256 {found}, the reference says {sha256}")
        return body

    def delete(self, uri: str) -> None:
        self._path_of(uri).unlink(missing_ok=True)

    def sweep(self, older_than_s: float, job_older_than_s: float | None = None) -> int:
        now = time.time()
        deleted = 0
        try:
            entries = list(os.scandir(self._dir))
        except FileNotFoundError:
            return 0
        for entry in entries:
            try:
                if entry.is_file() and entry.stat().st_mtime < now - sweep_age(entry.name, older_than_s, job_older_than_s):
                    os.unlink(entry.path)
                    deleted += 1
            except FileNotFoundError:
                pass  # deleted meanwhile by its reader
        return deleted

    def _path_of(self, uri: str) -> Path:
        """Only blobs inside this store's directory: a reference cannot name /etc/passwd."""
        try:
            path = _path_of_url(uri)
        except ValueError:
            raise BlobStoreError("BlobMissing", uri, "not a file:// URI") from None
        if path.parent != self._dir or not _SAFE_NAME.fullmatch(path.name):
            raise BlobStoreError("BlobMissing", uri, f"not a blob of the store {self.url}")
        return path
