"""``--isolation process`` against the real broker: calls run in worker processes, a time limit
kills its process, a dying process becomes a WorkerDied error, and the runner serves on."""

import os
import time
from typing import Iterator

import pytest

from mlbridge_runner.codec.envelopes import ReplyStatus
from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, unique
from .runner_process import RunnerProcess
from .test_progress import _all_replies


@pytest.fixture(scope="module")
def runner(brokers: str) -> Iterator[RunnerProcess]:
    process = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--isolation", "process", "--concurrency", "2",
        log_level="debug",
    )
    try:
        process.wait_for("runner.assigned")
        yield process
    finally:
        code = process.terminate()
    # A graceful stop ends every worker process the runner started.
    assert code == 0
    workers = [e["pid"] for e in process.events() if e.get("event") == "worker.started"]
    assert len(workers) >= 2
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_calls_run_in_worker_processes(runner, caller: Caller):
    pids = {decode_value(caller.invoke("whoami").result) for _ in range(4)}
    assert runner.proc.pid not in pids and len(pids) <= 2
    assert decode_value(caller.invoke("add", {"a": 2, "b": 3}).result) == 5
    failed = caller.invoke("fails", {"message": "nope"})
    assert failed.error.code == "PIPELINE_ERROR" and failed.error.type.endswith("DataError")
    assert "KeyError" in [c.type for c in failed.error.causes]
    assert caller.invoke("add", {"a": "x"}).error.code == "INVALID_ARGUMENTS"  # checked before any process


def test_time_limit_kills_the_process_and_replaces_it(runner, caller: Caller):
    started = time.monotonic()
    reply = caller.invoke("sleeps_past_limit", {"seconds": 30})
    assert time.monotonic() - started < 10
    assert reply.error.code == "PIPELINE_TIMEOUT" and "worker process was killed" in reply.error.message
    killed = runner.wait_for("call.timed_out", id=reply.id)["worker_pid"]
    assert isinstance(killed, int)
    deadline = time.monotonic() + 5
    while _alive(killed) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(killed)
    pids = {decode_value(caller.invoke("whoami").result) for _ in range(4)}
    assert killed not in pids


@pytest.mark.parametrize("how, described", [("exit", "exited with code 7"), ("segfault", "SIGSEGV")])
def test_a_dying_process_is_a_worker_died_error(runner, caller: Caller, how, described):
    reply = caller.invoke("crashes", {"how": how})
    assert reply.status is ReplyStatus.ERROR
    assert (reply.error.code, reply.error.type) == ("PIPELINE_ERROR", "WorkerDied")
    assert described in reply.error.message
    assert runner.proc.poll() is None
    assert decode_value(caller.invoke("add", {"a": 1}).result) == 1


def test_progress_from_a_worker_process(caller: Caller):
    request_id = caller.send(caller.request("reports", {"steps": 5, "pause": 0.05}))
    replies = _all_replies(caller, request_id)
    assert replies[-1].status is ReplyStatus.OK
    assert replies[-2].progress.current == 5.0 and replies[0].progress.current == 1.0


def test_worker_processes_die_with_a_killed_runner(brokers):
    import signal

    topic, group = unique("mlbt.requests"), unique("mlbt.group")
    own = RunnerProcess(brokers, topic, group, "--isolation", "process", "--concurrency", "1")
    client = None
    try:
        own.wait_for("runner.assigned")
        client = Caller(brokers, topic)
        pid = decode_value(client.invoke("whoami").result)
        assert _alive(pid)
        own.proc.send_signal(signal.SIGKILL)
        own.proc.wait(15)
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid)
    finally:
        own.terminate()
        if client is not None:
            client.close()
