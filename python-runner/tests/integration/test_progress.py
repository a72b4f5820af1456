"""Progress replies against the real broker."""

from mlbridge_runner.codec.envelopes import ReplyStatus, decode_reply
from mlbridge_runner.codec.value import decode_value


def _all_replies(caller, request_id, timeout=15.0):
    """Every reply for ``request_id`` in arrival order, until the final one."""
    import time

    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = caller.consumer.poll(0.05)
        if msg is None or msg.error() is not None:
            continue
        reply = decode_reply(msg.value())
        if reply.id != request_id:
            caller.replies.setdefault(reply.id, reply)
            continue
        got.append(reply)
        if reply.status is not ReplyStatus.PROGRESS:
            return got
    raise TimeoutError(got)


def test_progress_is_rate_limited_and_the_last_report_precedes_the_result(caller):
    # 30 reports over ~0.6 s: at most one per 100 ms goes out, plus the last one.
    request_id = caller.send(caller.request("reports", {"steps": 30, "pause": 0.02}))
    replies = _all_replies(caller, request_id)
    final, progress = replies[-1], replies[:-1]
    assert final.status is ReplyStatus.OK and decode_value(final.result) == 30
    assert all(r.status is ReplyStatus.PROGRESS and r.id == request_id for r in progress)
    assert 3 <= len(progress) <= 10
    assert progress[0].progress.current == 1.0
    last = progress[-1].progress
    assert (last.current, last.total, last.message) == (30.0, 30.0, "step 30")
    assert [r.progress.current for r in progress] == sorted(r.progress.current for r in progress)


def test_a_caller_cannot_pass_the_reporter(caller):
    reply = caller.invoke("reports", {"steps": 1, "report": "mine"})
    assert reply.status is ReplyStatus.ERROR and reply.error.code == "INVALID_ARGUMENTS"
    assert "'report'" in reply.error.message
