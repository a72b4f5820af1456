"""Where model bytes live: a small interface, and a directory implementation.

The blob store of ``mlbridge_runner.blobs`` (claim check) is the intended backend; until it is
wired in, :class:`DirectoryArtifacts` keeps each version as one file under a directory that every
runner can read (a local path on a dev machine, an NFS/EFS mount in a cluster).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from .errors import ArtifactExists, ModelArtifactCorrupt, ModelError, ModelNotFound


class ModelArtifacts(Protocol):
    """Immutable bytes by key: ``put`` never overwrites, ``get`` returns what was put."""

    def put(self, key: str, data: bytes) -> str: ...

    def get(self, uri: str) -> bytes: ...


class DirectoryArtifacts:
    """``<root>/<key>`` files, written to a temporary name and renamed so a reader never sees half."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def put(self, key: str, data: bytes) -> str:
        target = (self.root / key).resolve()
        if self.root not in target.parents:
            raise ModelError(f"model artifact key {key!r} leaves the store directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.link(tmp, target)  # fails if the version exists: versions are immutable
        except FileExistsError:
            raise ArtifactExists(f"model artifact {key!r} already exists; versions are immutable") from None
        finally:
            os.unlink(tmp)
        return target.as_uri()

    def get(self, uri: str) -> bytes:
        parsed = urlparse(uri)
        if parsed.scheme != "file":
            raise ModelError(f"the directory model store reads file:// URIs, got {uri!r}")
        path = Path(unquote(parsed.path))
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise ModelNotFound(f"model artifact {uri} is missing") from None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verified(data: bytes, size: int, sha256: str, name: str, version: int) -> bytes:
    """``data`` if it matches the record, else :class:`ModelArtifactCorrupt`."""
    if len(data) != size:
        raise ModelArtifactCorrupt(
            f"model {name!r} version {version}: artifact has {len(data)} bytes, the record says {size}", name, version
        )
    if sha256_hex(data) != sha256:
        raise ModelArtifactCorrupt(f"model {name!r} version {version}: artifact SHA-256 mismatch", name, version)
    return data
