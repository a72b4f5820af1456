"""Runner lifecycle against the real broker: requests waiting before any runner, back-pressure,
graceful SIGTERM, the grace period, a second signal, committed offsets."""

import signal
import time

from mlbridge_runner.codec.envelopes import ReplyStatus
from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, create_topics, group_lag, unique, wait_for_lag
from .runner_process import RunnerProcess


def _fresh(brokers):
    topic, group = unique("mlbt.lifecycle"), unique("mlbt.group")
    create_topics(brokers, {topic: 12, topic + ".dlq": 1})
    return topic, group, Caller(brokers, topic)


def test_waiting_requests_backpressure_graceful_stop_and_commit(brokers):
    topic, group, caller = _fresh(brokers)
    try:
        early = [caller.send(caller.request("add", {"a": i, "b": 1})) for i in range(5)]
        runner = RunnerProcess(
            brokers, topic, group, "--concurrency", "2", "--max-queued", "1", "--grace-seconds", "10", log_level="debug"
        )
        try:
            runner.wait_for("runner.started")
            # Sent before any runner existed: still served (auto.offset.reset=earliest).
            assert [decode_value(caller.wait(i).result) for i in early] == [i + 1 for i in range(5)]

            # Back-pressure: 6 slow calls through 2 workers and a queue of 1 all complete; the runner
            # paused its partitions and resumed them.
            slow = [caller.send(caller.request("slow", {"seconds": 0.3, "value": n})) for n in range(6)]
            assert [decode_value(caller.wait(i).result) for i in slow] == list(range(6))
            runner.wait_for("runner.paused")
            runner.wait_for("runner.resumed")

            # Graceful stop: the in-flight call finishes and is answered before the runner exits.
            in_flight = caller.send(caller.request("slow", {"seconds": 1.5, "value": "finished"}))
            runner.wait_for("call.received", id=in_flight)
            runner.proc.send_signal(signal.SIGTERM)
            assert runner.proc.wait(20) == 0
            reply = caller.wait(in_flight, timeout=5)
            assert reply.status is ReplyStatus.OK and decode_value(reply.result) == "finished"
            stopping = runner.wait_for("runner.stopping")
            assert stopping["in_flight"] == 1 and stopping["signal"] == signal.SIGTERM
            assert runner.wait_for("runner.stopped")["abandoned"] == 0
        finally:
            runner.terminate()
        # Every offset, including the one finished during shutdown, was committed.
        assert wait_for_lag(brokers, group, topic, 0) == 0
    finally:
        caller.close()


def test_call_past_the_grace_period_is_left_for_another_runner(brokers):
    topic, group, caller = _fresh(brokers)
    try:
        first = RunnerProcess(brokers, topic, group, "--grace-seconds", "0.2", "--concurrency", "1", log_level="debug")
        try:
            first.wait_for("runner.assigned")
            # Same key → same partition: the second call waits in the runner's queue behind the first.
            request_id = caller.send(caller.request("slow", {"seconds": 2.0, "value": "rerun"}), key=b"k")
            queued_id = caller.send(caller.request("add", {"a": 7}), key=b"k")
            first.wait_for("call.received", id=request_id)
            first.wait_for("call.received", id=queued_id)
            first.proc.send_signal(signal.SIGTERM)
            assert first.proc.wait(10) == 0
            assert first.wait_for("runner.stopping")["queued_left"] == 1
            assert first.wait_for("runner.stopped")["abandoned"] == 1
        finally:
            first.terminate()
        assert queued_id not in caller.replies
        assert group_lag(brokers, group, topic) == 2  # neither was committed

        second = RunnerProcess(brokers, topic, group)
        try:
            reply = caller.wait(request_id, timeout=30)
            assert reply.status is ReplyStatus.OK and decode_value(reply.result) == "rerun"
            assert decode_value(caller.wait(queued_id).result) == 7
        finally:
            second.terminate()
        assert wait_for_lag(brokers, group, topic, 0) == 0
    finally:
        caller.close()


def test_second_signal_exits_at_once(brokers):
    topic, group, caller = _fresh(brokers)
    try:
        runner = RunnerProcess(brokers, topic, group, "--grace-seconds", "60", log_level="debug")
        try:
            runner.wait_for("runner.assigned")
            request_id = caller.send(caller.request("slow", {"seconds": 30}))
            runner.wait_for("call.received", id=request_id)
            runner.proc.send_signal(signal.SIGTERM)
            runner.wait_for("runner.stopping")
            started = time.monotonic()
            runner.proc.send_signal(signal.SIGTERM)
            assert runner.proc.wait(5) == 128 + signal.SIGTERM
            assert time.monotonic() - started < 2
        finally:
            runner.terminate()
    finally:
        caller.close()


def test_cooperative_rebalance_moves_partitions_and_keeps_serving(brokers):
    topic, group, caller = _fresh(brokers)
    try:
        first = RunnerProcess(brokers, topic, group)
        second = None
        try:
            first.wait_for("runner.assigned")
            before = [caller.send(caller.request("add", {"a": i})) for i in range(12)]
            second = RunnerProcess(brokers, topic, group)
            revoked = first.wait_for("runner.revoked", timeout=30)
            second_assigned = second.wait_for("runner.assigned", timeout=30)
            assert set(revoked["partitions"]) == set(second_assigned["partitions"]) and revoked["partitions"]
            during = [caller.send(caller.request("add", {"a": i})) for i in range(24)]
            replies = [caller.wait(i) for i in before + during]
            assert all(r.status is ReplyStatus.OK for r in replies)
            assert {r.runner.split("/")[1] for r in replies[12:]} == {str(first.proc.pid), str(second.proc.pid)}
            assert second.terminate() == 0
            # The first runner takes the partitions back and serves everything again.
            first.wait_for("runner.assigned", timeout=30, assigned=list(range(12)))
            assert caller.invoke("add", {"a": 5}).runner.split("/")[1] == str(first.proc.pid)
        finally:
            if second is not None:
                second.terminate()
            first.terminate()
        assert wait_for_lag(brokers, group, topic, 0) == 0
    finally:
        caller.close()
