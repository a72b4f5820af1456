"""Idempotency keys against the real broker: a repeat is answered from the first call's outcome,
also while the first call still runs, and the pipeline runs once."""

import time
import uuid
from pathlib import Path

from mlbridge_runner.codec.envelopes import ReplyStatus
from mlbridge_runner.codec.value import decode_value


def _send(caller, key, args, pipeline="counted"):
    request = caller.request(pipeline, args, headers={"idempotency-key": key})
    return caller.send(request, key=key.encode())


def test_repeats_run_once_and_get_the_same_outcome(caller, tmp_path: Path):
    log = tmp_path / "runs.txt"
    key = f"order-{uuid.uuid4()}"
    first = _send(caller, key, {"path": str(log), "seconds": 0.8})
    time.sleep(0.2)
    during = _send(caller, key, {"path": str(log), "seconds": 0.8})  # while the first still runs
    replies = [caller.wait(first), caller.wait(during)]
    after = caller.wait(_send(caller, key, {"path": str(log)}))  # from the store
    replies.append(after)
    assert [r.status for r in replies] == [ReplyStatus.OK] * 3
    tokens = {decode_value(r.result) for r in replies}
    assert len(tokens) == 1
    assert log.read_text().split() == list(tokens)  # executed exactly once
    assert len({r.id for r in replies}) == 3  # each reply carries its own request id

    # Another key, or no key, runs again.
    other = caller.wait(_send(caller, f"order-{uuid.uuid4()}", {"path": str(log)}))
    plain = caller.invoke("counted", {"path": str(log)})
    assert decode_value(other.result) not in tokens and decode_value(plain.result) not in tokens
    assert len(log.read_text().split()) == 3


def test_a_stored_error_is_answered_again(caller, tmp_path: Path):
    log = tmp_path / "runs.txt"
    key = f"fail-{uuid.uuid4()}"
    first = caller.wait(_send(caller, key, {"path": str(log), "fail": True}))
    again = caller.wait(_send(caller, key, {"path": str(log), "fail": True}))
    assert first.status is again.status is ReplyStatus.ERROR
    assert (first.error.code, first.error.type, first.error.message) == (
        again.error.code,
        again.error.type,
        again.error.message,
    )
    assert len(log.read_text().split()) == 1
