"""Which pipelines may run on the consume loop's own thread, skipping the hand-off to a worker.

Handing a call to a worker thread and back costs two GIL hand-offs, a condition variable and a
few locks: for a pipeline that returns in microseconds, more than the call itself (bench/README.md
has the figures). A pipeline earns the loop thread only by being measured: its first
:data:`PROBATION` runs go through the worker pool, and only if most of them (a worker thread is
often made to wait for the GIL mid-call under load) returned within :data:`FAST_SECONDS` does it
run inline from then on. An inline run slower than :data:`SLOW_SECONDS` is a strike; :data:`STRIKES` strikes
within :data:`STRIKE_WINDOW` inline runs send the pipeline back to the pool for good — a slow call
on the loop thread holds up every other call, delivery reports and offset commits behind it.

Never inline, whatever their speed: pipelines with a time limit (the loop cannot abandon itself),
with a progress reporter, ``async`` ones, and every pipeline under process isolation.
"""

from __future__ import annotations

from typing import Final

from .. import events
from ..logging import INFO, log_event
from ..registry import Pipeline

#: Runs measured on the worker pool before a pipeline may run inline, and how many of them must
#: have returned within FAST_SECONDS (wall clock, the function and its result's encoding). Not
#: all: under load a worker is often made to wait for the GIL in the middle of a call.
PROBATION: Final = 32
PROBATION_FAST: Final = 24
FAST_SECONDS: Final = 0.0002
#: Inline runs slower than SLOW_SECONDS: STRIKES of them within STRIKE_WINDOW runs demote.
SLOW_SECONDS: Final = 0.002
STRIKES: Final = 3
STRIKE_WINDOW: Final = 1000


class _Record:
    __slots__ = ("state", "runs", "fast", "strikes")

    def __init__(self, state: int) -> None:
        self.state = state
        self.runs = 0  # probation: runs measured; inline: runs since the strike window began
        self.fast = 0  # probation: of them within FAST_SECONDS
        self.strikes = 0


_PROBATION, _INLINE, _POOL = range(3)


class InlinePolicy:
    """Per pipeline: probation on the pool, then inline while it stays fast, else the pool for good.

    :meth:`allows` runs on the loop thread; :meth:`measured` on any thread (the counters are
    advisory: an update lost to a thread switch only shifts a decision by one run).
    """

    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled
        self._records: dict[str, _Record] = {}

    def allows(self, pipeline: Pipeline) -> bool:
        record = self._records.get(pipeline.name)
        if record is None:
            may = self._enabled and self._may_ever(pipeline)
            record = self._records[pipeline.name] = _Record(_PROBATION if may else _POOL)
        return record.state == _INLINE

    def measured(self, pipeline: Pipeline, seconds: float, inline: bool) -> None:
        """A run of ``pipeline`` took ``seconds`` (``inline``: on the loop thread)."""
        record = self._records.get(pipeline.name)
        if record is None or record.state == _POOL:
            return
        record.runs += 1
        if record.state == _PROBATION:
            if inline:
                return
            if seconds <= FAST_SECONDS:
                record.fast += 1
            if record.runs - record.fast > PROBATION - PROBATION_FAST:
                record.state = _POOL
            elif record.runs >= PROBATION:
                record.state, record.runs = _INLINE, 0
                log_event(INFO, events.INLINE_PROMOTED, pipeline=pipeline.name)
            return
        if not inline:
            return  # queued before it was promoted
        if seconds > SLOW_SECONDS:
            record.strikes += 1
            if record.strikes >= STRIKES:
                record.state = _POOL
                log_event(INFO, events.INLINE_DEMOTED, pipeline=pipeline.name, run_ms=round(seconds * 1000, 3))
                return
        if record.runs >= STRIKE_WINDOW:
            record.runs = record.strikes = 0

    @staticmethod
    def _may_ever(pipeline: Pipeline) -> bool:
        return pipeline.timeout is None and pipeline.progress_param is None and not pipeline.is_async
