"""Answer a repeated idempotency key from the first call's outcome instead of running again.

A request may carry ``headers["idempotency-key"]`` (the TypeScript client sets it from
``invoke(..., {idempotencyKey})``). Keys are scoped by pipeline name: the same key sent to two
different pipelines is two different calls.

- The first call with a key runs normally; its outcome (result or error) is stored.
- A repeat arriving while the first still runs *waits* for it (it is parked here, not on a worker)
  and is answered with the same outcome when the first finishes.
- A repeat arriving after it is answered from the store, without running.
- Stored outcomes are kept at most ``max_entries`` (least recently used dropped first), at most
  ``ttl_seconds`` after they were stored, and at most ``max_bytes`` of results in total.
- Only outcomes of calls that *ran* are stored (OK, PIPELINE_ERROR, PIPELINE_TIMEOUT,
  RESULT_NOT_ENCODABLE). A call that never ran (its deadline passed while queued, or it was left to
  Kafka on revoke/stop) releases the key: one of its waiters runs instead.

The scope is one runner process. Cross-runner dedupe would need a shared store; what makes the
per-runner cache effective is that the client uses the idempotency key as the Kafka message key,
so repeats land on the same partition and therefore on the same runner (until a rebalance moves
the partition).

Thread-safe: the loop thread begins calls, worker threads finish them.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Final, Generic, TypeVar

HEADER: Final = "idempotency-key"
#: Keys longer than this are stored as their SHA-256 (memory stays bounded by ``max_entries``).
MAX_KEY_CHARS: Final = 256

W = TypeVar("W")  # a parked repeat (the loop's job)
O = TypeVar("O")  # a stored outcome


def cache_key(pipeline: str, key: str) -> tuple[str, str]:
    if len(key) > MAX_KEY_CHARS:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return (pipeline, key)


@dataclass
class _InFlight(Generic[W]):
    waiters: list[W] = field(default_factory=list)


@dataclass(frozen=True)
class Begin(Generic[W, O]):
    """What :meth:`IdempotencyCache.begin` decided.

    ``action`` is ``"run"`` (first call: run it, then :meth:`~IdempotencyCache.finish` or
    :meth:`~IdempotencyCache.release`), ``"stored"`` (answer with ``outcome``) or ``"wait"`` (the
    waiter was parked; it comes back from ``finish``/``release`` of the running call).
    """

    action: str
    outcome: O | None = None


class IdempotencyCache(Generic[W, O]):
    def __init__(
        self,
        max_entries: int = 10_000,
        ttl_seconds: float = 3600.0,
        max_bytes: int = 256 * 1024 * 1024,
        size_of: Callable[[O], int] = lambda _outcome: 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._clock = clock
        self._lock = threading.Lock()
        self._stored: OrderedDict[tuple[str, str], tuple[float, int, O]] = OrderedDict()
        self._bytes = 0
        self._running: dict[tuple[str, str], _InFlight[W]] = {}

    def __len__(self) -> int:
        return len(self._stored)

    @property
    def stored_bytes(self) -> int:
        return self._bytes

    @property
    def running(self) -> int:
        return len(self._running)

    def begin(self, key: tuple[str, str], waiter: W) -> Begin[W, O]:
        with self._lock:
            found = self._stored.get(key)
            if found is not None:
                stored_at, _, outcome = found
                if self._clock() - stored_at <= self.ttl_seconds:
                    self._stored.move_to_end(key)
                    return Begin("stored", outcome)
                self._drop(key)
            running = self._running.get(key)
            if running is not None:
                running.waiters.append(waiter)
                return Begin("wait")
            self._running[key] = _InFlight()
            return Begin("run")

    def finish(self, key: tuple[str, str], outcome: O) -> list[W]:
        """The first call ran: store ``outcome``; returns the parked repeats to answer with it."""
        with self._lock:
            running = self._running.pop(key, None)
            if self.max_entries > 0:
                self._drop(key)
                size = self._size_of(outcome)
                if size <= self.max_bytes:
                    self._stored[key] = (self._clock(), size, outcome)
                    self._bytes += size
                    self._evict()
            return running.waiters if running is not None else []

    def release(self, key: tuple[str, str]) -> W | None:
        """The call running ``key`` did not run after all (deadline passed in the queue, or left to
        Kafka). Returns the parked repeat that must run in its place (it stays registered as the
        running call, the others stay parked on it), or ``None`` when nobody was waiting."""
        with self._lock:
            running = self._running.get(key)
            if running is None or not running.waiters:
                self._running.pop(key, None)
                return None
            return running.waiters.pop(0)

    def forget_waiters(self, predicate: Callable[[W], bool]) -> list[W]:
        """Remove parked repeats for which ``predicate`` is true (their partition was revoked)."""
        removed: list[W] = []
        with self._lock:
            for running in self._running.values():
                keep = []
                for waiter in running.waiters:
                    (removed if predicate(waiter) else keep).append(waiter)
                running.waiters = keep
        return removed

    def _drop(self, key: tuple[str, str]) -> None:
        old = self._stored.pop(key, None)
        if old is not None:
            self._bytes -= old[1]

    def _evict(self) -> None:
        now = self._clock()
        while self._stored:
            key, (stored_at, _, _) = next(iter(self._stored.items()))
            if len(self._stored) > self.max_entries or self._bytes > self.max_bytes or now - stored_at > self.ttl_seconds:
                self._drop(key)
            else:
                break
