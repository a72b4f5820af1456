"""Which pipelines may run on the consume loop's own thread, skipping the hand-off to a worker.

Handing a call to a worker thread and back costs two GIL hand-offs, a condition variable and a
few locks: for a pipeline that returns in microseconds, more than the call itself (bench/README.md
has the figures). A pipeline earns the loop thread only by being measured, twice:

1. Probation, on the pool: its first :data:`PROBATION` runs go through the workers, timed in the
   worker's own CPU time (wall clock there counts the GIL waits of a busy runner: a no-op measured
   by wall clock under load looked slow and never got promoted). At least :data:`PROBATION_FAST`
   of them within :data:`FAST_SECONDS` promotes it.
2. Trial, on the loop thread: CPU time cannot see a pipeline that sleeps or waits on I/O, so its
   first :data:`PROBATION` inline runs are timed by wall clock, and more than
   ``PROBATION - PROBATION_FAST`` of them over :data:`FAST_SECONDS` send it back to the pool for
   good (a 1 ms sleep run inline would serialise calls that eight workers run side by side).

After that, an inline run slower than :data:`SLOW_SECONDS` is a strike; :data:`STRIKES_IN_A_ROW`
strikes in a row, or :data:`STRIKES` within :data:`STRIKE_WINDOW` inline runs, send the pipeline
back to the pool for good — a slow call
on the loop thread holds up every other call, delivery reports and offset commits behind it.

A single inline run slower than :data:`DEMOTE_AT_ONCE_SECONDS` demotes at once.

Never inline, whatever their speed: pipelines declared ``job=True``, pipelines with a time limit (the loop cannot abandon itself),
with a progress reporter, ``async`` ones, and every pipeline under process isolation.
"""

from __future__ import annotations

from typing import Final

from .. import events
from ..logging import INFO, log_event
from ..registry import Pipeline

#: Runs measured in probation (worker CPU time) and in the trial (wall clock on the loop thread),
#: and how many of them must have taken at most FAST_SECONDS (the function and its result's
#: encoding). Not all: a thread switch or a page fault now and then is not the pipeline's doing.
PROBATION: Final = 32
PROBATION_FAST: Final = 24
FAST_SECONDS: Final = 0.0002
#: Inline runs slower than SLOW_SECONDS (wall clock): STRIKES_IN_A_ROW of them in a row, or STRIKES
#: within STRIKE_WINDOW runs, demote. Not three in a thousand: on a busy machine the OS preempts
#: the loop thread mid-call now and then, and three such no-op calls in a thousand demoted a no-op
#: (timing each inline run in thread CPU time instead would cost ~1 µs of syscalls per call).
SLOW_SECONDS: Final = 0.002
STRIKES_IN_A_ROW: Final = 3
#: One inline run this slow demotes at once: no preemption of a busy machine takes this long, so the
#: pipeline itself turned slow, and every call behind it waited the whole time.
DEMOTE_AT_ONCE_SECONDS: Final = 0.05
STRIKES: Final = 20
STRIKE_WINDOW: Final = 1000


class _Record:
    __slots__ = ("state", "runs", "fast", "strikes", "in_a_row")

    def __init__(self, state: int) -> None:
        self.state = state
        self.runs = 0  # probation / trial: runs measured; inline: runs since the strike window began
        self.fast = 0  # probation / trial: of them within FAST_SECONDS
        self.strikes = 0
        self.in_a_row = 0


_PROBATION, _TRIAL, _INLINE, _POOL = range(4)


def _judge(record: _Record, cost: float) -> bool | None:
    """Count one probation or trial run (``record.runs`` already includes it): ``False`` once too
    many were slower than FAST_SECONDS, ``True`` once PROBATION runs passed, else ``None``."""
    if cost <= FAST_SECONDS:
        record.fast += 1
    if record.runs - record.fast > PROBATION - PROBATION_FAST:
        return False
    return True if record.runs >= PROBATION else None


class InlinePolicy:
    """Per pipeline: probation on the pool, a trial inline, then inline while it stays fast, else
    the pool for good.

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
        return record.state == _INLINE or record.state == _TRIAL

    def on_probation(self, pipeline: Pipeline) -> bool:
        """Whether runs of ``pipeline`` on the pool are still being judged: only then does a worker
        time them (reading the thread's CPU clock is two syscalls per run)."""
        record = self._records.get(pipeline.name)
        return record is not None and record.state == _PROBATION

    def measured(self, pipeline: Pipeline, seconds: float, inline: bool, cpu_seconds: float | None = None) -> None:
        """A run of ``pipeline`` took ``seconds`` of wall clock (``inline``: on the loop thread);
        ``cpu_seconds``, the running thread's CPU time, judges probation runs when given."""
        record = self._records.get(pipeline.name)
        if record is None or record.state == _POOL:
            return
        if record.state == _PROBATION:
            if not inline:
                self._probation_run(pipeline, record, seconds if cpu_seconds is None else cpu_seconds)
            return
        if not inline:
            return  # queued before it was promoted
        record.runs += 1
        if seconds > DEMOTE_AT_ONCE_SECONDS:
            self._demote(pipeline, record, seconds, "slow")
            return
        if seconds > SLOW_SECONDS:
            record.strikes += 1
            record.in_a_row += 1
            if record.in_a_row >= STRIKES_IN_A_ROW or record.strikes >= STRIKES:
                self._demote(pipeline, record, seconds, "slow")
                return
        else:
            record.in_a_row = 0
        if record.state == _TRIAL:
            verdict = _judge(record, seconds)
            if verdict is False:
                self._demote(pipeline, record, seconds, "trial")
            elif verdict:
                record.state = _INLINE
            return
        if record.runs >= STRIKE_WINDOW:
            record.runs = record.strikes = 0

    @staticmethod
    def _probation_run(pipeline: Pipeline, record: _Record, cost: float) -> None:
        record.runs += 1
        verdict = _judge(record, cost)
        if verdict is False:
            record.state = _POOL
        elif verdict:
            record.state, record.runs, record.fast = _TRIAL, 0, 0
            log_event(INFO, events.INLINE_PROMOTED, pipeline=pipeline.name)

    @staticmethod
    def _demote(pipeline: Pipeline, record: _Record, seconds: float, reason: str) -> None:
        record.state = _POOL
        log_event(INFO, events.INLINE_DEMOTED, pipeline=pipeline.name, run_ms=round(seconds * 1000, 3), reason=reason)

    @staticmethod
    def _may_ever(pipeline: Pipeline) -> bool:
        return pipeline.timeout is None and pipeline.progress_param is None and not pipeline.is_async and not pipeline.job
