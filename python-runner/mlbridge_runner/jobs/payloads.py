"""A job's result by reference (twin of ``src/jobs/job-payloads.ts``): a SUCCEEDED result above
the claim check's threshold is written to the blob store and the terminal record carries the
BlobRef, which the client's ``job.result()`` fetches and verifies. Args by reference need nothing
here: the dispatcher resolves them for the job lane as for calls.

Job blobs are named ``job-<id>-<random>.result`` and never deleted on read (any client may
reattach and read the job again while its record lives): the store's sweep removes them by the
jobs' age (``python -m mlbridge_runner.blobs gc --job-older-than``, default the jobs' retention)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from .. import error_codes
from ..blobs.claim_check import claim_check
from ..blobs.errors import BlobStoreError
from ..blobs.sweep import JOB_BLOB_PREFIX
from ..codec.segments import as_bytes
from ..runner.failures import plain_error
from .records import FAILED, SUCCEEDED

_UNSAFE = re.compile(r"[^\w.-]", re.ASCII)


def job_blob_name(job_id: str, role: str) -> str:
    return f"{JOB_BLOB_PREFIX}{_UNSAFE.sub('_', job_id)[:160]}-{secrets.token_hex(4)}.{role}"


def result_by_reference(job_id: str, state: str, fields: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(state, fields) of a terminal record with a large result stored by reference; a store that
    refuses it makes the job FAILED with ``BLOB_UNAVAILABLE`` (the work is lost either way: the
    record could not hold the result)."""
    checks = claim_check()
    result: bytes = fields.get("result") or b""
    if state != SUCCEEDED or checks.store_url is None or len(result) <= checks.threshold_bytes:
        if state == SUCCEEDED and not isinstance(result, bytes):  # a large result in pieces, under a raised threshold
            fields = {**fields, "result": as_bytes(result)}
        return state, fields
    try:
        body, schema = checks.offload(result, fields["result_schema"], job_blob_name(job_id, "result"))
    except BlobStoreError as exc:
        return FAILED, {"error": plain_error(error_codes.BLOB_UNAVAILABLE, exc.kind, str(exc))}
    return state, {"result": body, "result_schema": schema}
