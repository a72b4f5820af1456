from types import SimpleNamespace

from mlbridge_runner.runner.flow import FlowControl
from mlbridge_runner.runner.pool import Job
from mlbridge_runner.runner.time_limits import TimeLimits


class FakeConsumer:
    def __init__(self):
        self.calls = []
        self._assignment = ["p0", "p1"]

    def assignment(self):
        return list(self._assignment)

    def pause(self, partitions):
        self.calls.append(("pause", list(partitions)))

    def resume(self, partitions):
        self.calls.append(("resume", list(partitions)))


def pool(queued, queued_bytes=0, running=0):
    return SimpleNamespace(queued=queued, queued_bytes=queued_bytes, running=running)


def test_pauses_at_the_limit_and_resumes_at_half():
    consumer = FakeConsumer()
    flow = FlowControl(consumer, max_queued=10, max_queued_bytes=1000)
    flow.update(pool(9), stopping=False)
    assert not flow.paused and consumer.calls == []
    flow.update(pool(10), stopping=False)
    assert flow.paused and consumer.calls == [("pause", ["p0", "p1"])]
    flow.update(pool(6), stopping=False)
    assert flow.paused  # hysteresis: not yet
    flow.update(pool(5), stopping=False)
    assert not flow.paused and consumer.calls[-1] == ("resume", ["p0", "p1"])


def test_bytes_limit_and_no_resume_while_stopping():
    consumer = FakeConsumer()
    flow = FlowControl(consumer, max_queued=10, max_queued_bytes=1000)
    flow.update(pool(1, 1000), stopping=False)
    assert flow.paused
    flow.update(pool(0, 0), stopping=True)
    assert flow.paused


def test_new_partitions_join_a_pause():
    consumer = FakeConsumer()
    flow = FlowControl(consumer, max_queued=1, max_queued_bytes=1000)
    flow.assigned(["p2"])
    assert consumer.calls == []
    flow.pause_all()
    flow.assigned(["p2"])
    assert consumer.calls == [("pause", ["p0", "p1"]), ("pause", ["p2"])]


def job(timeout, started=None):
    call = SimpleNamespace(pipeline=SimpleNamespace(timeout=timeout))
    j = Job(call, None)  # type: ignore[arg-type]
    j.started_monotonic = started
    return j


def test_time_limits():
    limits = TimeLimits()
    no_limit, queued, early, late, done = job(None, 0.0), job(1.0), job(5.0, 0.0), job(1.0, 0.0), job(1.0, 0.0)
    done.finished = True
    for j in (no_limit, queued, early, late, done):
        limits.watch(j)
    assert limits.expired(now=2.0) == [late]
    assert limits.expired(now=2.0) == []  # reported once
    limits.forget(queued)
    assert limits.expired(now=10.0) == [early]
    assert not limits
