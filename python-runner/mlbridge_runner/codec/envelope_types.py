"""The request and reply envelopes as Python sees them: snake_case dataclasses.

The schema's camelCase field names appear only in ``envelopes.py`` (dict form for fastavro and the
vectors) and ``envelope_codec.py`` (field order of the hand-written bodies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ReplyStatus(str, Enum):
    OK = "OK"
    ERROR = "ERROR"
    PROGRESS = "PROGRESS"


@dataclass(frozen=True, slots=True)
class RequestEnvelope:
    id: str
    pipeline: str
    args: bytes
    args_schema: str
    reply_to: str
    deadline_ms: int = 0
    attempt: int = 1
    sent_at_ms: int = 0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteCause:
    type: str
    message: str


@dataclass(frozen=True, slots=True)
class RemoteError:
    code: str
    type: str
    message: str
    traceback: str = ""
    retryable: bool = False
    causes: tuple[RemoteCause, ...] = ()


@dataclass(frozen=True, slots=True)
class Progress:
    current: float
    total: float | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class Timings:
    received_at_ms: int = 0
    started_at_ms: int = 0
    finished_at_ms: int = 0


@dataclass(frozen=True, slots=True)
class ReplyEnvelope:
    id: str
    status: ReplyStatus
    result: bytes = b""
    result_schema: str = ""
    error: RemoteError | None = None
    progress: Progress | None = None
    runner: str = ""
    timings: Timings = Timings()


@dataclass(frozen=True, slots=True)
class RequestAddress:
    """What could be read from the front of a request body that failed to decode whole."""

    id: str
    pipeline: str
    reply_to: str
