"""Fast pipelines run on the loop thread (runner/inline.py): same replies, same offset guarantees."""

from pathlib import Path

import pytest

from mlbridge_runner.codec.envelopes import ReplyStatus
from mlbridge_runner.codec.value import decode_value
from mlbridge_runner.runner import inline

from collections import Counter

from mlbridge_runner.codec.envelopes import decode_reply

from .kafka_client import Caller, create_topics, read_all, unique, wait_for_lag
from .runner_process import RunnerProcess

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "inline_pipelines.py"


@pytest.fixture(scope="module")
def inline_runner(brokers):
    process = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--pipelines", str(FIXTURE), "--grace-seconds", "10"
    )
    try:
        process.wait_for("runner.assigned")
        yield process
    finally:
        process.terminate()


@pytest.fixture(scope="module")
def inline_caller(brokers, inline_runner):
    client = Caller(brokers, inline_runner.request_topic)
    yield client
    client.close()


def _value(reply):
    assert reply.status is ReplyStatus.OK, reply.error
    return decode_value(reply.result)


def test_a_fast_pipeline_is_promoted_and_answers_every_call(brokers, inline_runner, inline_caller):
    for i in range(inline.PROBATION + 2):
        assert _value(inline_caller.invoke("nap", {"value": i})) == i
    inline_runner.wait_for("pipeline.inline_promoted", pipeline="nap", timeout=10)
    ids = [inline_caller.send(inline_caller.request("nap", {"value": i})) for i in range(200)]
    assert [_value(inline_caller.wait(request_id)) for request_id in ids] == list(range(200))
    # Offsets follow the replies' delivery reports exactly as for calls run on workers.
    assert wait_for_lag(brokers, inline_runner.group, inline_runner.request_topic, 0) == 0


def test_a_promoted_pipeline_that_turns_slow_goes_back_to_the_pool(inline_runner, inline_caller):
    inline_runner.wait_for("pipeline.inline_promoted", pipeline="nap", timeout=10)  # after the test above
    for _ in range(inline.STRIKES_IN_A_ROW):
        assert _value(inline_caller.invoke("nap", {"seconds": 0.02, "value": "slow"})) == "slow"
    event = inline_runner.wait_for("pipeline.inline_demoted", pipeline="nap", timeout=10)
    assert event["run_ms"] >= 20
    assert _value(inline_caller.invoke("nap", {"value": "after"})) == "after"


def test_a_pipeline_with_a_time_limit_is_never_promoted(inline_runner, inline_caller):
    for _ in range(inline.PROBATION + 2):
        assert _value(inline_caller.invoke("slow", {"seconds": 0, "value": 1})) == 1
    assert not [e for e in inline_runner.events() if e.get("event") == "pipeline.inline_promoted" and e.get("pipeline") == "slow"]


def test_calls_answered_inline_are_not_run_again_after_a_rebalance(brokers):
    """A revoke waits for the calls its partitions answered; the loop never holds a reply across
    the poll() in which a revoke runs, so the next owner re-runs none of them."""
    topic, group = unique("mlbt.inline"), unique("mlbt.group")
    create_topics(brokers, {topic: 12, topic + ".dlq": 1})
    caller = Caller(brokers, topic)
    runners = [RunnerProcess(brokers, topic, group, "--pipelines", str(FIXTURE))]
    try:
        runners[0].wait_for("runner.assigned")
        warm = [caller.invoke("nap", {"value": i}) for i in range(inline.PROBATION + 2)]
        runners[0].wait_for("pipeline.inline_promoted", pipeline="nap", timeout=10)
        ids = [caller.send(caller.request("nap", {"value": i})) for i in range(100)]
        runners.append(RunnerProcess(brokers, topic, group, "--pipelines", str(FIXTURE)))
        ids += [caller.send(caller.request("nap", {"value": i})) for i in range(100, 300)]
        runners[0].wait_for("runner.revoked", timeout=30)
        assert [_value(caller.wait(request_id, timeout=30)) for request_id in ids] == list(range(300))
        assert wait_for_lag(brokers, group, topic, 0, timeout=30) == 0
        replies = read_all(brokers, caller.reply_topic, 0, lambda messages: False, timeout=3)
        counts = Counter(decode_reply(m.value()).id for m in replies)
        assert len(counts) == len(warm) + len(ids)
        assert [request_id for request_id, n in counts.items() if n > 1] == []
    finally:
        for runner in runners:
            runner.terminate()
        caller.close()

