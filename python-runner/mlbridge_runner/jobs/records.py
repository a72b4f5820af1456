"""The job state record (schemas/job.avsc), its states and its single-object framed encoding.

Python code sees the snake_case :class:`JobRecord`; the schema's camelCase names appear only in
:func:`_to_wire` / :func:`_from_wire`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ..codec.envelopes import RemoteError, read_framed, remote_error_from_wire, remote_error_to_wire, write_framed
from ..codec.schemas import wire_schemas
from ..errors import BodyDecodeError, CodecError, FramingError

QUEUED: Final = "QUEUED"
RUNNING: Final = "RUNNING"
CANCEL_REQUESTED: Final = "CANCEL_REQUESTED"
SUCCEEDED: Final = "SUCCEEDED"
FAILED: Final = "FAILED"
CANCELLED: Final = "CANCELLED"
TERMINAL: Final = frozenset({SUCCEEDED, FAILED, CANCELLED})

JOB: Final = "JOB"
CALL: Final = "CALL"

#: Request header carrying the job's maximum number of attempts.
MAX_ATTEMPTS_HEADER: Final = "mlbridge-max-attempts"
#: Headers a process worker receives its job's attempt and checkpoint through.
ATTEMPT_HEADER: Final = "mlbridge-attempt"


def job_topic_for(request_topic: str) -> str:
    return f"{request_topic}.jobs"


def job_state_topic_for(request_topic: str) -> str:
    return f"{request_topic}.jobs.state"


class BadJobRecord(CodecError):
    """A job state record that cannot be read."""


@dataclass(frozen=True, slots=True)
class JobProgress:
    current: float
    total: float | None
    message: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class JobRecord:
    id: str
    subject: str
    state: str
    pipeline: str
    args: bytes = b""
    args_schema: str = ""
    attempt: int = 0
    max_attempts: int = 3
    runner: str = ""
    submitted_by: str = ""
    submitted_at_ms: int = 0
    started_at_ms: int = 0
    heartbeat_at_ms: int = 0
    finished_at_ms: int = 0
    updated_at_ms: int = 0
    progress_seq: int = 0
    progress: JobProgress | None = None
    checkpoint: bytes | None = None
    result: bytes = b""
    result_schema: str = ""
    error: RemoteError | None = None

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL



def _to_wire(r: JobRecord) -> dict[str, Any]:
    p = r.progress
    return {
        "id": r.id,
        "subject": r.subject,
        "state": r.state,
        "pipeline": r.pipeline,
        "args": r.args,
        "argsSchema": r.args_schema,
        "attempt": r.attempt,
        "maxAttempts": r.max_attempts,
        "runner": r.runner,
        "submittedBy": r.submitted_by,
        "submittedAtMs": r.submitted_at_ms,
        "startedAtMs": r.started_at_ms,
        "heartbeatAtMs": r.heartbeat_at_ms,
        "finishedAtMs": r.finished_at_ms,
        "updatedAtMs": r.updated_at_ms,
        "progressSeq": r.progress_seq,
        "progress": None if p is None else {"current": p.current, "total": p.total, "message": p.message, "atMs": p.at_ms},
        "checkpoint": r.checkpoint,
        "result": r.result,
        "resultSchema": r.result_schema,
        "error": remote_error_to_wire(r.error),
    }


def _from_wire(d: dict[str, Any]) -> JobRecord:
    p = d["progress"]
    return JobRecord(
        id=d["id"],
        subject=d["subject"],
        state=d["state"],
        pipeline=d["pipeline"],
        args=d["args"],
        args_schema=d["argsSchema"],
        attempt=d["attempt"],
        max_attempts=d["maxAttempts"],
        runner=d["runner"],
        submitted_by=d["submittedBy"],
        submitted_at_ms=d["submittedAtMs"],
        started_at_ms=d["startedAtMs"],
        heartbeat_at_ms=d["heartbeatAtMs"],
        finished_at_ms=d["finishedAtMs"],
        updated_at_ms=d["updatedAtMs"],
        progress_seq=d["progressSeq"],
        progress=None if p is None else JobProgress(p["current"], p["total"], p["message"], p["atMs"]),
        checkpoint=d["checkpoint"],
        result=d["result"],
        result_schema=d["resultSchema"],
        error=remote_error_from_wire(d["error"]),
    )


def encode_record(record: JobRecord) -> bytes:
    return write_framed(wire_schemas().job, _to_wire(record))


def decode_record(data: bytes) -> JobRecord:
    """Unframe and decode; raises :class:`BadJobRecord` naming the problem."""
    try:
        return _from_wire(read_framed(wire_schemas().job, data))
    except FramingError as exc:
        raise BadJobRecord(f"not a job record ({exc.reason}): {exc}") from None
    except BodyDecodeError as exc:
        raise BadJobRecord(f"job record body does not decode: {exc}") from None
