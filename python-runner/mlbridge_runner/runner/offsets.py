"""Per-partition, in-order offset tracking.

Calls finish out of order; Kafka stores one position per partition. An offset may be stored only
when every message received before it on that partition is done, so that a crash re-delivers
exactly the unfinished ones (and perhaps some finished ones: at-least-once).
"""

from __future__ import annotations

from collections import deque
from typing import Iterable, NamedTuple

TopicPartitionKey = tuple[str, int]


class Ticket(NamedTuple):
    """Identifies one received message for :meth:`OffsetTracker.done`."""

    topic: str
    partition: int
    offset: int
    epoch: int


class _Partition:
    __slots__ = ("epoch", "pending", "done", "highest")

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.pending: deque[int] = deque()  # received offsets, ascending, not yet passed
        self.done: set[int] = set()  # finished offsets still behind an unfinished one
        self.highest = -1


class OffsetTracker:
    """Not thread-safe: used from the consume-loop thread only."""

    def __init__(self) -> None:
        self._partitions: dict[TopicPartitionKey, _Partition] = {}
        self._epoch = 0

    def assign(self, keys: Iterable[TopicPartitionKey]) -> None:
        """Start tracking partitions; a re-assigned partition starts afresh."""
        for key in keys:
            self._epoch += 1
            self._partitions[key] = _Partition(self._epoch)

    def revoke(self, keys: Iterable[TopicPartitionKey]) -> None:
        """Forget partitions; tickets issued for them are ignored from now on."""
        for key in keys:
            self._partitions.pop(key, None)

    def track(self, topic: str, partition: int, offset: int) -> Ticket:
        """Record a received message; returns the ticket to hand to :meth:`done`."""
        key = (topic, partition)
        part = self._partitions.get(key)
        if part is None:  # message before the assignment callback was seen: track anyway
            self.assign([key])
            part = self._partitions[key]
        if offset <= part.highest:
            # A re-delivery of something already tracked: the first copy governs the position.
            return Ticket(topic, partition, offset, -1)
        part.highest = offset
        part.pending.append(offset)
        return Ticket(topic, partition, offset, part.epoch)

    def done(self, ticket: Ticket) -> int | None:
        """Mark a message finished; return the new position to store (last contiguous done + 1),
        or ``None`` when the position did not move."""
        part = self._partitions.get((ticket.topic, ticket.partition))
        if part is None or part.epoch != ticket.epoch:
            return None
        pending = part.pending
        if not pending or ticket.offset < pending[0]:
            return None  # already passed (settled twice)
        part.done.add(ticket.offset)
        advanced = None
        while pending and pending[0] in part.done:
            advanced = pending.popleft()
            part.done.discard(advanced)
        return None if advanced is None else advanced + 1

    def owns(self, ticket: Ticket) -> bool:
        """``ticket`` belongs to a partition still assigned since it was issued (and is not a
        re-delivery)."""
        part = self._partitions.get((ticket.topic, ticket.partition))
        return part is not None and part.epoch == ticket.epoch

    def first_pending(self, key: TopicPartitionKey) -> int | None:
        """The oldest offset of ``key`` not yet done, or ``None`` when nothing is outstanding."""
        part = self._partitions.get(key)
        return part.pending[0] if part is not None and part.pending else None

    def pending_count(self) -> int:
        return sum(len(p.pending) for p in self._partitions.values())

    def partitions(self) -> list[TopicPartitionKey]:
        return sorted(self._partitions)
