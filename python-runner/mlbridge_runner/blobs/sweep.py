"""How old a blob must be before the TTL sweep deletes it (twin of ``src/blobs/sweep.ts``): a call's
blobs once its caller has surely given up, a job's (``job-…`` names) once its record is gone."""

from __future__ import annotations

from typing import Final

#: The jobs' default retention (7 days): any client may read a job's args and result while its
#: record lives, so its blobs are kept that long unless told otherwise.
DEFAULT_JOB_BLOB_AGE_S: Final = 7 * 24 * 3600.0
JOB_BLOB_PREFIX: Final = "job-"
#: Model versions (``model-…`` names) are never swept: a record on the model topic names them.
MODEL_BLOB_PREFIX: Final = "model-"


def sweep_age(name: str, older_than_s: float, job_older_than_s: float | None) -> float:
    """The age past which the blob ``name`` is swept (infinite for model versions; a write left
    half done by a process that died, ``….partial``, goes with the calls' age whatever its name)."""
    if name.endswith(".partial"):
        return older_than_s
    if name.startswith(MODEL_BLOB_PREFIX):
        return float("inf")
    if name.startswith(JOB_BLOB_PREFIX):
        return max(older_than_s, DEFAULT_JOB_BLOB_AGE_S if job_older_than_s is None else job_older_than_s)
    return older_than_s
