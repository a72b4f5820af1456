"""Write ``schemas/vectors/jobs.json``: job state records (schemas/job.avsc) framed by the Python
codec, for both suites (the TypeScript client decodes and re-encodes them byte for byte).

Each case: ``{"name", "value": <the record with the schema's field names; bytes as hex>, "hex"}``.
Run by ``python -m mlbridge_devtools.write_vectors``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mlbridge_runner.codec.envelopes import RemoteCause, RemoteError
from mlbridge_runner.codec.value import encode_value
from mlbridge_runner.jobs.records import JobProgress, JobRecord, _to_wire, encode_record

_BYTES = ("args", "checkpoint", "result")


def record_to_json(record: JobRecord) -> dict[str, Any]:
    wire = _to_wire(record)
    for name in _BYTES:
        if wire[name] is not None:
            wire[name] = wire[name].hex()
    return wire


def job_cases() -> list[tuple[str, JobRecord]]:
    queued = JobRecord(
        id="job-1", subject="JOB", state="QUEUED", pipeline="train_model",
        args=encode_value({"epochs": 3}), args_schema="crc64:071d3e746c3ca3bc", max_attempts=3,
        submitted_by="c-0123456789abcdef", submitted_at_ms=1_796_000_000_000, updated_at_ms=1_796_000_000_000,
    )
    running = replace(
        queued, state="RUNNING", attempt=2, runner="host/123/abcd1234", started_at_ms=1_796_000_001_000,
        heartbeat_at_ms=1_796_000_004_000, updated_at_ms=1_796_000_004_000, progress_seq=7,
        progress=JobProgress(7.0, None, "épochs ✓", 1_796_000_003_999), checkpoint=encode_value({"step": 7}),
    )
    succeeded = replace(
        running, state="SUCCEEDED", result=encode_value({"accuracy": 0.9}), result_schema="crc64:071d3e746c3ca3bc",
        finished_at_ms=1_796_000_009_000, updated_at_ms=1_796_000_009_000, heartbeat_at_ms=0,
        progress=JobProgress(10.0, 10.0, "done", 1_796_000_008_000),
    )
    failed = replace(
        running, state="FAILED", finished_at_ms=1_796_000_009_000, heartbeat_at_ms=0,
        error=RemoteError("JOB_ATTEMPTS_EXHAUSTED", "JobAttemptsExhausted", "started 3 times", "", False,
                          (RemoteCause("OSError", "gone"),)),
    )
    cancel_call = JobRecord(id="6f1c0d3e-call", subject="CALL", state="CANCEL_REQUESTED", pipeline="slow_call",
                            updated_at_ms=1_796_000_000_500)
    return [("queued", queued), ("running", running), ("succeeded", succeeded), ("failed", failed),
            ("call-cancel", cancel_call)]


def build_job_vectors() -> dict[str, Any]:
    return {
        "writer": "py",
        "cases": [
            {"name": name, "value": record_to_json(record), "hex": encode_record(record).hex()}
            for name, record in job_cases()
        ],
    }
