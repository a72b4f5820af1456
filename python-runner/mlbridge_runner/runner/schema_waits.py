"""Calls parked until the catalogue brings the schema their arguments were written with.

A typed call from a client newer than this runner's view of the catalogue names a writer schema
the runner has not seen. Waiting for it on the consume thread would stall every other call, and the
delivery reports and offset commits behind them, for seconds; instead the call waits here, its
offset still open, and the loop dispatches it once the schema has arrived or the wait is over.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from ..codec.envelopes import RequestEnvelope
from .offsets import Ticket

#: Calls parked at most; past that, calls are dispatched at once (refused unless the schema came).
MAX_PARKED = 1000


class _Store(Protocol):
    def get(self, ref: str) -> Any | None: ...


class Parked:
    __slots__ = ("request", "ticket", "size", "ref", "until", "record")

    def __init__(
        self, request: RequestEnvelope, ticket: Ticket, size: int, ref: str, until: float, record: Any = None
    ) -> None:
        self.request, self.ticket, self.size, self.ref, self.until = request, ticket, size, ref, until
        #: The Kafka record it came in (a refusal after the wait may still hand it on: runner/handoff.py).
        self.record = record


class SchemaWaits:
    """The parked calls; loop thread only."""

    def __init__(self, store: _Store, limit: int = MAX_PARKED) -> None:
        self._store = store
        self._limit = limit
        self._parked: list[Parked] = []

    def __bool__(self) -> bool:
        return bool(self._parked)

    def __len__(self) -> int:
        return len(self._parked)

    def park(
        self, request: RequestEnvelope, ticket: Ticket, size: int, ref: str, until: float, record: Any = None
    ) -> bool:
        """Park a call until ``until`` (monotonic); ``False`` when full (dispatch it now instead)."""
        if len(self._parked) >= self._limit:
            return False
        self._parked.append(Parked(request, ticket, size, ref, until, record))
        return True

    def due(self, now: float) -> list[Parked]:
        """Take the calls whose schema has arrived or whose wait ended by ``now``, oldest first."""
        ready = [p for p in self._parked if p.until <= now or self._store.get(p.ref) is not None]
        if ready:
            taken = {id(p) for p in ready}
            self._parked = [p for p in self._parked if id(p) not in taken]
        return ready

    def drop(self, predicate: Callable[[Ticket], bool]) -> list[Ticket]:
        """Forget the calls whose ticket matches (their partition was revoked, or the runner stops)."""
        dropped = [p.ticket for p in self._parked if predicate(p.ticket)]
        if dropped:
            self._parked = [p for p in self._parked if not predicate(p.ticket)]
        return dropped
