"""The runner presence record (schemas/presence.avsc) and its single-object framed encoding.

Python code sees the snake_case :class:`PresenceRecord`; the schema's camelCase names appear only
in :func:`_to_wire` / :func:`_from_wire`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ..codec.envelopes import read_framed, write_framed
from ..codec.schemas import wire_schemas
from ..errors import BodyDecodeError, CodecError, FramingError

#: Publish period when none is configured; readers call a runner live for 3 periods.
DEFAULT_INTERVAL_MS: Final = 5000
#: A record older than this many periods means its runner is gone (killed, frozen, cut off).
LIVE_PERIODS: Final = 3


def presence_topic_for(request_topic: str) -> str:
    return f"{request_topic}.runners"


class BadPresenceRecord(CodecError):
    """A presence record that cannot be read."""


@dataclass(frozen=True, slots=True)
class PresenceRecord:
    id: str
    client_id: str
    host: str
    pid: int
    version: str
    group: str
    request_topic: str
    pipelines: tuple[str, ...] = ()
    call_partitions: tuple[int, ...] = ()
    job_partitions: tuple[int, ...] = ()
    in_flight: int = 0
    queued: int = 0
    jobs_running: int = 0
    served: int = 0
    started_at_ms: int = 0
    updated_at_ms: int = 0
    interval_ms: int = DEFAULT_INTERVAL_MS
    metrics_url: str = ""

    def live(self, now_ms: int) -> bool:
        return now_ms - self.updated_at_ms < LIVE_PERIODS * self.interval_ms


def _to_wire(r: PresenceRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "clientId": r.client_id,
        "host": r.host,
        "pid": r.pid,
        "version": r.version,
        "group": r.group,
        "requestTopic": r.request_topic,
        "pipelines": list(r.pipelines),
        "callPartitions": list(r.call_partitions),
        "jobPartitions": list(r.job_partitions),
        "inFlight": r.in_flight,
        "queued": r.queued,
        "jobsRunning": r.jobs_running,
        "served": r.served,
        "startedAtMs": r.started_at_ms,
        "updatedAtMs": r.updated_at_ms,
        "intervalMs": r.interval_ms,
        "metricsUrl": r.metrics_url,
    }


def _from_wire(d: dict[str, Any]) -> PresenceRecord:
    return PresenceRecord(
        id=d["id"],
        client_id=d["clientId"],
        host=d["host"],
        pid=d["pid"],
        version=d["version"],
        group=d["group"],
        request_topic=d["requestTopic"],
        pipelines=tuple(d["pipelines"]),
        call_partitions=tuple(d["callPartitions"]),
        job_partitions=tuple(d["jobPartitions"]),
        in_flight=d["inFlight"],
        queued=d["queued"],
        jobs_running=d["jobsRunning"],
        served=d["served"],
        started_at_ms=d["startedAtMs"],
        updated_at_ms=d["updatedAtMs"],
        interval_ms=d["intervalMs"],
        metrics_url=d["metricsUrl"],
    )


def encode_presence(record: PresenceRecord) -> bytes:
    return write_framed(wire_schemas().presence, _to_wire(record))


def decode_presence(data: bytes) -> PresenceRecord:
    """Unframe and decode; raises :class:`BadPresenceRecord` naming the problem."""
    try:
        return _from_wire(read_framed(wire_schemas().presence, data))
    except FramingError as exc:
        raise BadPresenceRecord(f"not a presence record ({exc.reason}): {exc}") from None
    except BodyDecodeError as exc:
        raise BadPresenceRecord(f"presence record body does not decode: {exc}") from None


__all__ = [
    "DEFAULT_INTERVAL_MS",
    "LIVE_PERIODS",
    "BadPresenceRecord",
    "PresenceRecord",
    "decode_presence",
    "encode_presence",
    "presence_topic_for",
]
