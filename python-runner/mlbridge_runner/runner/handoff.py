"""Handing a call on to a runner that can serve it (issue 17 item 4: rolling upgrades).

During a rolling upgrade runners of two code versions share one consumer group, so a call for a
pipeline only the newer version has (or written with a version whose argument the older one would
drop) reaches a runner that cannot serve it. Instead of answering ``UNKNOWN_PIPELINE`` /
``INCOMPATIBLE_ARGUMENTS`` at once, the runner re-produces the same record — key, value and the
caller's record headers unchanged, plus the hop state (:mod:`.routing`) — to a request partition
owned by a live runner that has the pipeline, and stores the original offset only once that
produce is acknowledged (with ``--transactional``: in the same transaction as the offset). A
runner that dies before that leaves the original to the partition's next owner, which decides
again: at least once, never lost. Kafka only; any client (TypeScript, Java, …) gets this for free.

The job lane hands jobs on with an instance of its own (``lane=JOB_LANE``, jobs/lane_handoff.py).
Each instance is used from its lane's thread only (the consume loop's, or the job lane's).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Protocol

from .. import error_codes
from ..logging import DEBUG, INFO, enabled, log_event
from .dispatch import Rejected, now_ms
from .offsets import Ticket
from .routing import CALL_LANE, Answer, Forward, Headers, Hold, Hops, Lane, route

if TYPE_CHECKING:
    from confluent_kafka import Message

    from ..catalog.entries import CatalogEntry
    from ..codec.envelopes import RequestEnvelope
    from ..presence.records import PresenceRecord

#: How often a held call is decided again.
RECHECK_SECONDS = 0.2
#: How long a call may be held at most (a rebalance, a runner announcing itself, a stale record
#: expiring: a few presence intervals), whatever its deadline.
HOLD_SECONDS = 20.0
#: How long a runner whose presence proved stale (a call sent to it reached us) is not chosen.
AVOID_SECONDS = 5.0
#: A catalogue entry this recent (ms) from a runner not yet in presence: it is starting.
ANNOUNCING_MS = 15_000
#: Calls held at most; past that, refusals are answered at once.
MAX_HELD = 1000


class Presence(Protocol):
    @property
    def ready(self) -> bool: ...

    def runners(self) -> list[PresenceRecord]: ...


class Catalogue(Protocol):
    def versions(self, name: str) -> dict[int, CatalogEntry]: ...


#: Produce ``headers``/``key``/``value`` to ``partition`` of the request topic for ``ticket``: call
#: ``settled()`` once it is acknowledged (the ticket is then the sender's to settle) or
#: ``failed(reason)`` when it cannot be (the caller then answers the refusal).
Send = Callable[[int, "bytes | None", "bytes | None", Headers, Ticket, Callable[[str], None]], None]
#: Reply the refusal to the caller and settle the ticket (the consume loop's rejected path).
AnswerRefusal = Callable[[Rejected, "RequestEnvelope", Ticket], None]


@dataclass(eq=False)
class _Held:
    rejected: Rejected
    request: RequestEnvelope
    ticket: Ticket
    record: Message
    hops: Hops
    until: float
    next_at: float


class HandOn:
    def __init__(
        self,
        identity: str,
        group: str,
        presence: Presence,
        catalogue: Catalogue | None,
        partitions: Callable[[], Iterable[int]],
        send: Send,
        answer: AnswerRefusal,
        clock_ms: Callable[[], int] = now_ms,
        lane: Lane = CALL_LANE,
    ) -> None:
        """``partitions``: this runner's partitions of ``lane`` (request partitions for calls, job
        request partitions for jobs); ``send`` produces to that lane's topic."""
        self._me = identity
        self._group = group
        self._presence = presence
        self._catalogue = catalogue
        self._partitions = partitions
        self._send = send
        self._answer = answer
        self._clock_ms = clock_ms
        self._lane = lane
        self._held: list[_Held] = []
        self._avoid: dict[str, float] = {}
        #: Calls handed on and refusals answered after all (for logs and tests).
        self.forwarded = 0
        self.gave_up = 0

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def offer(self, rejected: Rejected, request: RequestEnvelope, ticket: Ticket, record: Message | None) -> bool:
        """Take a refused call to hand it on (now or once a holder can be reached): ``True``; or
        ``False``: nobody else can take it, answer the refusal now."""
        if record is None:
            return False
        hops = Hops.of(record.headers())
        now = time.monotonic()
        if hops.target and hops.target != self._me:
            self._avoid[hops.target] = now + AVOID_SECONDS  # its presence is stale: the call reached us
        return self._decide(_Held(rejected, request, ticket, record, hops, now + HOLD_SECONDS, now), now, first=True)

    def service(self) -> None:
        """Decide again for the held calls that are due."""
        now = time.monotonic()
        due = [h for h in self._held if h.next_at <= now]
        if not due:
            return
        self._held = [h for h in self._held if h.next_at > now]
        for held in due:
            if not self._decide(held, now, first=False):
                self._give_up(held, "no runner that has it could be reached in time")

    def drop(self, predicate: Callable[[Ticket], bool]) -> list[Ticket]:
        """Forget held calls whose ticket matches (revoked partitions, a stopping runner): they stay
        uncommitted and go to the partition's next owner."""
        dropped = [h.ticket for h in self._held if predicate(h.ticket)]
        if dropped:
            self._held = [h for h in self._held if not predicate(h.ticket)]
        return dropped

    # ------------------------------------------------------------------

    def _decide(self, held: _Held, now: float, first: bool) -> bool:
        request = held.request
        deadline = request.deadline_ms
        if deadline and self._clock_ms() >= deadline:
            return False
        decision = route(
            request.pipeline,
            self._me,
            self._group,
            self._partitions(),
            held.hops,
            self._presence.runners(),
            int(time.time() * 1000),
            held.record.key() or request.id.encode("utf-8"),
            preferred=self._preferred(held),
            announcing=self._announcing(request.pipeline),
            presence_ready=self._presence.ready,
            avoid=[runner for runner, until in self._avoid.items() if until > now],
            lane=self._lane,
        )
        if type(decision) is Forward:
            self._forward(held, decision)
            return True
        if type(decision) is Hold and now < held.until and len(self._held) < MAX_HELD:
            held.next_at = now + RECHECK_SECONDS
            self._held.append(held)
            if first and enabled(DEBUG):
                log_event(DEBUG, self._lane.held_event, id=request.id, pipeline=request.pipeline[:200], reason=decision.reason)
            return True
        if first:
            self._log_refused(held, decision.reason if isinstance(decision, (Answer, Hold)) else "")
        return False

    def _forward(self, held: _Held, to: Forward) -> None:
        record = held.record
        headers = held.hops.onward(self._me, to.runner, record.headers())

        def failed(reason: str) -> None:
            self._give_up(held, f"the hand-on to {to.runner} failed: {reason}")

        self._send(to.partition, record.key(), record.value(), headers, held.ticket, failed)
        self.forwarded += 1
        if enabled(DEBUG):
            log_event(
                DEBUG, self._lane.handed_on_event, id=held.request.id, pipeline=held.request.pipeline[:200],
                code=held.rejected.error.code, to=to.runner, partition=to.partition, hop=held.hops.count + 1,
            )

    def _give_up(self, held: _Held, reason: str) -> None:
        self._log_refused(held, reason)
        self._answer(held.rejected, held.request, held.ticket)

    def _log_refused(self, held: _Held, reason: str) -> None:
        self.gave_up += 1
        log_event(
            INFO if held.hops.count else DEBUG, self._lane.not_handed_on_event, id=held.request.id,
            pipeline=held.request.pipeline[:200], code=held.rejected.error.code, hops=held.hops.count, reason=reason,
        )

    def _preferred(self, held: _Held) -> str | None:
        """The runner the catalogue names for the call's version (incompatible arguments) or for
        the newest version (a pipeline this runner lacks)."""
        if self._catalogue is None:
            return None
        versions = self._catalogue.versions(held.request.pipeline)
        if not versions:
            return None
        if held.rejected.error.code == error_codes.INCOMPATIBLE_ARGUMENTS:
            ref = held.request.args_schema.lower()
            return next((e.runner for e in versions.values() if e.args_ref.lower() == ref), None)
        return versions[max(versions)].runner

    def _announcing(self, pipeline: str) -> list[str]:
        if self._catalogue is None:
            return []
        recent = int(time.time() * 1000) - ANNOUNCING_MS
        return [e.runner for e in self._catalogue.versions(pipeline).values() if e.published_at_ms > recent and e.runner]


__all__ = ["HandOn", "HOLD_SECONDS", "MAX_HELD", "RECHECK_SECONDS"]
