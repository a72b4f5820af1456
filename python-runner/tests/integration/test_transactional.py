"""``--transactional`` against the real broker: replies and offset commits are transactions."""

from typing import Iterator

import pytest

from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, unique, wait_for_lag
from .runner_process import RunnerProcess


@pytest.fixture(scope="module")
def runner(brokers: str) -> Iterator[RunnerProcess]:
    process = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--transactional", log_level="debug"
    )
    try:
        process.wait_for("runner.assigned")
        yield process
    finally:
        process.terminate()


def test_replies_are_committed_with_their_offsets(brokers, runner, caller: Caller):
    ids = [caller.send(caller.request("add", {"a": i, "b": 1})) for i in range(20)]
    assert [decode_value(caller.wait(i).result) for i in ids] == [i + 1 for i in range(20)]
    # Out of order on one partition: the quick call's reply waits for the slow one before it.
    slow = caller.send(caller.request("slow", {"seconds": 0.5, "value": "slow"}), key=b"same")
    quick = caller.send(caller.request("add", {"a": 1}), key=b"same")
    assert decode_value(caller.wait(quick).result) == 1 and decode_value(caller.wait(slow).result) == "slow"
    # Errors and dead letters go through transactions too.
    assert caller.invoke("nope").error.code == "UNKNOWN_PIPELINE"
    caller.send_raw(b"garbage")
    runner.wait_for("dlq.sent", reason="frame-too-short")
    assert wait_for_lag(brokers, runner.group, runner.request_topic, 0) == 0
    assert runner.wait_for("txn.committed")
    assert not [e for e in runner.events() if e.get("event") == "txn.aborted"]
