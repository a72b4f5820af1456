"""Where a call this runner cannot serve goes next: the hand-on decision, free of Kafka.

A runner that lacks a request's pipeline (or whose version would drop one of its arguments) looks
at the live runners of its group (the presence topic) and picks one that lists the pipeline, has
not refused this call already, and owns request partitions this runner does not (a presence
record claiming one of *our* partitions is stale: its runner died or a rebalance moved it). The
call is re-produced to one of that runner's partitions (:mod:`.handoff`).

- **Forward** when such a runner exists; the one the catalogue names for the call's version is
  preferred (it has the right schema), else one chosen by the record key (repeats go alike).
- **Hold** (wait and decide again) while a live runner lists the pipeline but owns no partition
  we could reach (a rebalance in flight), or one just published it to the catalogue and has not
  announced itself yet, or the presence topic is not read yet.
- **Answer** the refusal otherwise: nobody live has it, every holder refused already, or the
  call has made :data:`MAX_HOPS` hops.

The hop state travels in Kafka record headers of the re-produced request (clients never set them).
Both lanes decide alike: calls go to a runner's request partitions (``callPartitions``), jobs to
its job request partitions (``jobPartitions``, jobs/lane.py) — :class:`Lane` says which, and how its
log events are named.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence, Union

from .. import events
from ..presence.records import PresenceRecord

#: Record headers of a handed-on request.
HOPS_HEADER = "mlbridge-handoff-hops"
REFUSED_BY_HEADER = "mlbridge-handoff-refused-by"
TARGET_HEADER = "mlbridge-handoff-to"
OWN_HEADERS = frozenset({HOPS_HEADER, REFUSED_BY_HEADER, TARGET_HEADER})
#: Hand-ons of one call at most; then the refusal is answered.
MAX_HOPS = 4

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Lane:
    """What differs between handing on a call and a job: which of a live runner's partitions it may
    go to, and the names of the log events (held, handed on, refusal answered)."""

    name: str
    partitions: Callable[[PresenceRecord], Sequence[int]]
    held_event: str
    handed_on_event: str
    not_handed_on_event: str


CALL_LANE = Lane("call", lambda r: r.call_partitions, events.CALL_HELD, events.CALL_HANDED_ON, events.CALL_NOT_HANDED_ON)
JOB_LANE = Lane("job", lambda r: r.job_partitions, events.JOB_HELD, events.JOB_HANDED_ON, events.JOB_NOT_HANDED_ON)


@dataclass(frozen=True, slots=True)
class Hops:
    """The hop state of a request: hand-ons so far, runners that refused it, whom it was sent to."""

    count: int = 0
    refused_by: tuple[str, ...] = ()
    target: str = ""

    @classmethod
    def of(cls, headers: Sequence[tuple[str, bytes | None]] | None) -> Hops:
        if not headers:
            return _NONE
        count, refused, target = 0, (), ""
        for key, value in headers:
            if key not in OWN_HEADERS or value is None:
                continue
            text = value.decode("utf-8", "replace")
            if key == HOPS_HEADER:
                count = int(text) if text.isdigit() else MAX_HOPS
            elif key == REFUSED_BY_HEADER:
                refused = tuple(part for part in text.split(",") if part)
            else:
                target = text
        return cls(count, refused, target) if count or refused or target else _NONE

    def onward(self, me: str, target: str, headers: Sequence[tuple[str, bytes | None]] | None) -> Headers:
        """The record headers of the request handed on by ``me`` to ``target``: the caller's own
        headers as they were, then the hop state."""
        kept = [(k, v if v is not None else b"") for k, v in (headers or ()) if k not in OWN_HEADERS]
        refused = self.refused_by if me in self.refused_by else (*self.refused_by, me)
        return kept + [
            (HOPS_HEADER, str(self.count + 1).encode()),
            (REFUSED_BY_HEADER, ",".join(refused).encode("utf-8")),
            (TARGET_HEADER, target.encode("utf-8")),
        ]


_NONE = Hops()


@dataclass(frozen=True, slots=True)
class Forward:
    runner: str
    partition: int


@dataclass(frozen=True, slots=True)
class Hold:
    reason: str


@dataclass(frozen=True, slots=True)
class Answer:
    reason: str


Decision = Union[Forward, Hold, Answer]


def route(
    pipeline: str,
    me: str,
    group: str,
    my_partitions: Iterable[int],
    hops: Hops,
    runners: Iterable[PresenceRecord],
    now_ms: int,
    key: bytes,
    *,
    preferred: str | None = None,
    announcing: Iterable[str] = (),
    presence_ready: bool = True,
    avoid: Iterable[str] = (),
    max_hops: int = MAX_HOPS,
    lane: Lane = CALL_LANE,
) -> Decision:
    """The decision for a request to ``pipeline`` that ``me`` cannot serve.

    ``runners``: presence records (any liveness); ``preferred``: the runner the catalogue names for
    the call's version; ``announcing``: runners that published the pipeline to the catalogue moments
    ago and may not have announced their presence yet; ``avoid``: runners whose presence is known to
    be stale (a request sent to them reached us); ``lane``: whose partitions ``my_partitions`` are and
    which of the other runners' partitions the request may go to."""
    if hops.count >= max_hops:
        return Answer(f"handed on {hops.count} times without finding a runner that can serve it")
    mine = set(my_partitions)
    avoided = set(avoid)
    refused = set(hops.refused_by) | {me}
    holders: list[PresenceRecord] = []
    reachable: list[tuple[PresenceRecord, list[int]]] = []
    for record in runners:
        if record.id in refused or record.group != group or pipeline not in record.pipelines or not record.live(now_ms):
            continue
        holders.append(record)
        partitions = [p for p in lane.partitions(record) if p not in mine]
        if partitions and record.id not in avoided:
            reachable.append((record, partitions))
    if reachable:
        spread = zlib.crc32(key)
        chosen = next((entry for entry in reachable if entry[0].id == preferred), None)
        if chosen is None:
            reachable.sort(key=lambda entry: entry[0].id)
            chosen = reachable[spread % len(reachable)]
        record, partitions = chosen
        return Forward(record.id, sorted(partitions)[spread % len(partitions)])
    if holders:
        return Hold(f"runners {', '.join(r.id for r in holders)} have it but own no partition reachable now")
    known = {r.id for r in runners}
    if any(runner not in known and runner not in refused for runner in announcing):
        return Hold("a runner just published it to the catalogue and has not announced itself yet")
    if not presence_ready:
        return Hold("the presence topic is not read yet")
    if hops.refused_by:
        return Answer("every live runner that has it refused it")
    return Answer("no live runner has it")


__all__ = ["Answer", "CALL_LANE", "Decision", "Forward", "Hold", "Hops", "JOB_LANE", "Lane", "MAX_HOPS", "route"]
