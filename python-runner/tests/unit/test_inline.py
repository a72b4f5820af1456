"""Which pipelines run on the loop thread: earned by measurement, lost when slow."""

import asyncio

import pytest

from mlbridge_runner import events
from mlbridge_runner.progress import Progress
from mlbridge_runner.registry import Registry
from mlbridge_runner.runner import inline
from mlbridge_runner.runner.inline import InlinePolicy

FAST = inline.FAST_SECONDS / 2
SLOW_PROBATION = inline.FAST_SECONDS * 2
SLOW_INLINE = inline.SLOW_SECONDS * 2


def _pipelines():
    registry = Registry()

    def echo(value=None):
        return value

    def limited():
        return None

    def reporting(progress: Progress):
        return None

    async def coroutine():
        await asyncio.sleep(0)

    registry.register(echo, "echo")
    registry.register(limited, "limited", timeout=5)
    registry.register(reporting, "reporting")
    registry.register(coroutine, "coroutine")
    return registry


def _promote(policy, pipeline):
    assert not policy.allows(pipeline)
    for _ in range(inline.PROBATION):
        policy.measured(pipeline, FAST, inline=False)
    assert policy.allows(pipeline)


def test_a_fast_pipeline_runs_inline_only_after_its_probation():
    policy = InlinePolicy()
    echo = _pipelines()["echo"]
    assert not policy.allows(echo)
    for _ in range(inline.PROBATION - 1):
        policy.measured(echo, FAST, inline=False)
        assert not policy.allows(echo)
    policy.measured(echo, FAST, inline=False)
    assert policy.allows(echo)


def test_a_few_slow_probation_runs_are_tolerated_more_are_not():
    policy = InlinePolicy()
    echo = _pipelines()["echo"]
    policy.allows(echo)
    for i in range(inline.PROBATION):
        policy.measured(echo, SLOW_PROBATION if i < inline.PROBATION - inline.PROBATION_FAST else FAST, inline=False)
    assert policy.allows(echo)

    other = InlinePolicy()
    other.allows(echo)
    for _ in range(inline.PROBATION - inline.PROBATION_FAST + 1):
        other.measured(echo, SLOW_PROBATION, inline=False)
    for _ in range(inline.PROBATION):
        other.measured(echo, FAST, inline=False)
    assert not other.allows(echo)  # for good


@pytest.mark.parametrize("name", ["limited", "reporting", "coroutine"])
def test_never_inline_with_a_time_limit_a_progress_reporter_or_async(name):
    policy = InlinePolicy()
    pipeline = _pipelines()[name]
    assert not policy.allows(pipeline)
    for _ in range(inline.PROBATION * 2):
        policy.measured(pipeline, FAST, inline=False)
    assert not policy.allows(pipeline)


def test_disabled_for_process_isolation():
    policy = InlinePolicy(enabled=False)
    echo = _pipelines()["echo"]
    policy.allows(echo)
    for _ in range(inline.PROBATION * 2):
        policy.measured(echo, FAST, inline=False)
    assert not policy.allows(echo)


def _inline_echo():
    """A policy whose ``echo`` passed probation and its trial."""
    policy = InlinePolicy()
    echo = _pipelines()["echo"]
    _promote(policy, echo)
    _finish_trial(policy, echo)
    return policy, echo


@pytest.fixture
def logged(monkeypatch):
    """The policy's log events, as (event, fields)."""
    events_seen: list = []
    monkeypatch.setattr(inline, "log_event", lambda level, event, **fields: events_seen.append((event, fields)))
    return events_seen


def _finish_trial(policy, pipeline):
    for _ in range(inline.PROBATION):
        policy.measured(pipeline, FAST, inline=True)


def test_strikes_in_a_row_demote_for_good_and_are_logged(logged):
    policy, echo = _inline_echo()
    for _ in range(inline.STRIKES_IN_A_ROW - 1):
        policy.measured(echo, SLOW_INLINE, inline=True)
        assert policy.allows(echo)
    policy.measured(echo, SLOW_INLINE, inline=True)
    assert not policy.allows(echo)
    assert logged == [
        (events.INLINE_PROMOTED, {"pipeline": "echo"}),
        (events.INLINE_DEMOTED, {"pipeline": "echo", "run_ms": round(SLOW_INLINE * 1000, 3), "reason": "slow"}),
    ]
    for _ in range(inline.PROBATION * 2):
        policy.measured(echo, FAST, inline=False)
    assert not policy.allows(echo)


def test_scattered_strikes_demote_only_past_their_share_of_a_window():
    """A preempted no-op now and then (busy machine) is not a slow pipeline; slow runs often are."""
    policy, echo = _inline_echo()
    for _ in range(inline.STRIKES - 1):
        policy.measured(echo, SLOW_INLINE, inline=True)
        policy.measured(echo, FAST, inline=True)
    assert policy.allows(echo)
    policy.measured(echo, SLOW_INLINE, inline=True)
    assert not policy.allows(echo)


def test_strikes_are_forgotten_after_a_window_of_inline_runs():
    policy, echo = _inline_echo()
    for _ in range(3):
        for _ in range(inline.STRIKES - 1):
            policy.measured(echo, SLOW_INLINE, inline=True)
            policy.measured(echo, FAST, inline=True)
        for _ in range(inline.STRIKE_WINDOW):
            policy.measured(echo, FAST, inline=True)
    assert policy.allows(echo)


def test_probation_is_judged_in_cpu_time_when_known():
    """Under load a worker waits for the GIL mid-call: its wall clock is not the pipeline's cost."""
    policy = InlinePolicy()
    echo = _pipelines()["echo"]
    policy.allows(echo)
    for _ in range(inline.PROBATION):
        policy.measured(echo, SLOW_INLINE, inline=False, cpu_seconds=FAST)
    assert policy.allows(echo)

    busy = InlinePolicy()
    busy.allows(echo)
    for _ in range(inline.PROBATION):
        busy.measured(echo, FAST, inline=False, cpu_seconds=SLOW_PROBATION)
    assert not busy.allows(echo)


def test_a_pipeline_that_waits_fails_its_inline_trial(logged):
    """CPU time cannot see a sleep: the first inline runs are judged by wall clock."""
    policy = InlinePolicy()
    napper = _pipelines()["echo"]
    _promote(policy, napper)
    slow_allowed = inline.PROBATION - inline.PROBATION_FAST
    for _ in range(slow_allowed):
        policy.measured(napper, SLOW_PROBATION, inline=True)
        assert policy.allows(napper)
    policy.measured(napper, SLOW_PROBATION, inline=True)
    assert not policy.allows(napper)
    assert logged[-1] == (
        events.INLINE_DEMOTED, {"pipeline": "echo", "run_ms": round(SLOW_PROBATION * 1000, 3), "reason": "trial"}
    )


def test_a_passed_trial_is_not_judged_against_fast_seconds_again():
    policy, echo = _inline_echo()
    for _ in range(inline.PROBATION):
        policy.measured(echo, SLOW_PROBATION, inline=True)  # slower than FAST, faster than SLOW
    assert policy.allows(echo)


def test_pool_runs_after_promotion_do_not_count():
    policy = InlinePolicy()
    echo = _pipelines()["echo"]
    _promote(policy, echo)
    for _ in range(inline.STRIKES * 2):
        policy.measured(echo, SLOW_INLINE, inline=False)  # queued before the promotion
    assert policy.allows(echo)


@pytest.mark.parametrize("seconds", [FAST, SLOW_INLINE], ids=["fast", "slow"])
def test_unknown_pipelines_are_ignored(seconds):
    """Runs measured before allows() has seen the pipeline count for nothing, either way."""
    policy = InlinePolicy()
    echo = _pipelines()["echo"]
    for _ in range(inline.PROBATION):  # enough to pass (fast) or fail (slow) a probation
        policy.measured(echo, seconds, inline=False)
    assert not policy.on_probation(echo)
    assert not policy.allows(echo)  # seen now: a probation of its own, from the start
    assert policy.on_probation(echo)
    for _ in range(inline.PROBATION - 1):
        policy.measured(echo, FAST, inline=False)
        assert not policy.allows(echo)
    policy.measured(echo, FAST, inline=False)
    assert policy.allows(echo)


def test_pool_runs_are_timed_only_while_on_probation():
    policy = InlinePolicy()
    pipelines = _pipelines()
    echo, limited = pipelines["echo"], pipelines["limited"]
    assert not policy.on_probation(echo)  # not seen yet: allows() decides first
    policy.allows(echo)
    policy.allows(limited)
    assert policy.on_probation(echo)
    assert not policy.on_probation(limited)  # never inline: nothing to judge
    for _ in range(inline.PROBATION):
        policy.measured(echo, FAST, inline=False)
    assert not policy.on_probation(echo)  # promoted: on trial inline, judged there by wall clock
    slow = InlinePolicy()
    slow.allows(echo)
    for _ in range(inline.PROBATION):
        slow.measured(echo, SLOW_PROBATION, inline=False)
    assert not slow.on_probation(echo) and not slow.allows(echo)  # failed: the pool for good


def test_one_inline_run_that_turned_slow_demotes_at_once(logged):
    """A pipeline that turns slow (a cache gone cold, a model reload) leaves the loop thread after
    that one run, not after STRIKES_IN_A_ROW more of them blocking every call behind it."""
    policy, echo = _inline_echo()
    policy.measured(echo, inline.DEMOTE_AT_ONCE_SECONDS * 2, inline=True)
    assert not policy.allows(echo)
    assert logged[-1][0] == events.INLINE_DEMOTED and logged[-1][1]["reason"] == "slow"


def test_job_pipelines_never_run_inline():
    registry = Registry()
    registry.register(lambda: None, "train", job=True)
    policy = InlinePolicy()
    train = registry["train"]
    for _ in range(inline.PROBATION * 3):
        policy.measured(train, FAST, inline=False)
    assert not policy.allows(train) and not policy.on_probation(train)
