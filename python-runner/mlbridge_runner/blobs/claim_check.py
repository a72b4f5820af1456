"""The runner's side of the claim check: args passed by reference are fetched and verified before
dispatch; results above the threshold are written to the store and replaced by a reference.

Configured by the environment, like the other settings runner processes and their workers share:
``MLBRIDGE_BLOB_STORE`` (a store URL; unset: the claim check is off: results travel inline and a
reference in a request is answered ``BLOB_UNAVAILABLE``) and ``MLBRIDGE_BLOB_THRESHOLD_BYTES``
(default 900 KiB). The same env reaches worker processes.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import uuid
from typing import Mapping

from ..codec.envelope_types import RequestEnvelope
from .blob_ref import BLOB_REF_REFERENCE, BlobRef, decode_blob_ref, encode_blob_ref
from .errors import BlobStoreError
from .store import DEFAULT_BLOB_THRESHOLD_BYTES, BlobStore, Body, open_blob_store


class ClaimCheck:
    def __init__(self, store_url: str | None, threshold_bytes: int = DEFAULT_BLOB_THRESHOLD_BYTES) -> None:
        self.store_url = store_url
        self.threshold_bytes = threshold_bytes
        self._store: BlobStore | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ClaimCheck:
        threshold = environ.get("MLBRIDGE_BLOB_THRESHOLD_BYTES")
        return cls(environ.get("MLBRIDGE_BLOB_STORE") or None, int(threshold) if threshold else DEFAULT_BLOB_THRESHOLD_BYTES)

    def store(self, uri: str = "") -> BlobStore:
        if self.store_url is None:
            raise BlobStoreError("BlobStoreUnreachable", uri, "this runner has no blob store (set MLBRIDGE_BLOB_STORE)")
        if self._store is None:
            self._store = open_blob_store(self.store_url)
        return self._store

    def resolve(self, request: RequestEnvelope) -> RequestEnvelope:
        """``request`` with its args fetched when they were passed by reference (unchanged otherwise).
        Raises :class:`BlobStoreError`; ``ValueError`` for a malformed reference."""
        if request.args_schema != BLOB_REF_REFERENCE:
            return request
        ref = decode_blob_ref(request.args)
        body = self.store(ref.uri).get(ref.uri, ref.size, ref.sha256)
        return dataclasses.replace(request, args=body, args_schema=ref.schema)  # type: ignore[arg-type]

    def offload(self, result: Body, schema: str, name: str | None = None) -> tuple[Body, str]:
        """(body, schema) to put in the reply: a reference when ``result`` is above the threshold and
        a store is configured (``name``: the blob's, default ``<uuid>.result``). Raises
        :class:`BlobStoreError` when the store refuses it."""
        if self.store_url is None or len(result) <= self.threshold_bytes:
            return result, schema
        stored = self.store().put(name or f"{uuid.uuid4().hex}.result", result)
        return encode_blob_ref(BlobRef(stored.uri, stored.size, stored.sha256, schema)), BLOB_REF_REFERENCE


@functools.lru_cache(maxsize=1)
def claim_check() -> ClaimCheck:
    """The process's claim check, read from the environment once (like ``wire_schemas()``)."""
    return ClaimCheck.from_env()
