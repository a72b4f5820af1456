"""What a runner does with a job request, given the job's latest state: the rules of
``docs/jobs.md`` as one pure function, so they are tested without Kafka."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from .records import CANCEL_REQUESTED, QUEUED, RUNNING, JobRecord

Action = Literal["skip", "cancel", "watch", "exhausted", "run"]

#: A RUNNING job whose heartbeat is older than this is taken over (its runner is presumed dead).
DEFAULT_STALE_AFTER_MS: Final = 15_000


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    #: For "run" and "exhausted": the attempt this run would be.
    attempt: int = 0
    #: The checkpoint the previous attempt left ("run").
    checkpoint: bytes | None = None
    reason: str = ""


def decide(
    record: JobRecord | None,
    now_ms: int,
    local: bool,
    max_attempts: int,
    stale_after_ms: int = DEFAULT_STALE_AFTER_MS,
) -> Decision:
    """``record``: the job's state (``None``: none written yet, as when the client's QUEUED record
    was lost); ``local``: this runner is running the job already (a duplicate request)."""
    if local:
        return Decision("skip", reason="already running here")
    if record is None or record.state == QUEUED:
        return _next(record, 1, max_attempts)
    if record.terminal:
        return Decision("skip", reason=f"already {record.state}")
    if record.state == CANCEL_REQUESTED:
        return Decision("cancel", reason="cancel requested")
    if record.state == RUNNING:
        age = now_ms - max(record.heartbeat_at_ms, record.started_at_ms)
        if age < stale_after_ms:
            return Decision("watch", reason=f"running on {record.runner}, heartbeat {age} ms ago")
        return _next(record, record.attempt + 1, record.max_attempts or max_attempts)
    return Decision("skip", reason=f"unknown state {record.state}")


def _next(record: JobRecord | None, attempt: int, max_attempts: int) -> Decision:
    checkpoint = record.checkpoint if record is not None else None
    if attempt > max_attempts:
        return Decision("exhausted", attempt=attempt - 1, reason=f"{attempt - 1} attempts of {max_attempts} started")
    return Decision("run", attempt=attempt, checkpoint=checkpoint)
