import threading
import time

from mlbridge_runner.runner.pool import Job, WorkerPool


class FakeCall:
    def __init__(self, seconds):
        self.seconds = seconds


def test_runs_jobs_and_counts_active():
    done = []
    release = threading.Event()

    def work(job):
        release.wait(5)
        if pool.claim(job):
            done.append(job)
            pool.release(job)

    pool = WorkerPool(2, work)
    jobs = [Job(FakeCall(0), None) for _ in range(3)]  # type: ignore[arg-type]
    for job in jobs:
        pool.submit(job)
    assert pool.active == 3
    release.set()
    deadline = time.monotonic() + 5
    while pool.active and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.active == 0 and len(done) == 3
    pool.close()


def test_abandoned_job_drops_its_result_and_is_replaced():
    stuck = threading.Event()
    finished = []

    def work(job):
        if job.call.seconds:
            stuck.wait(5)
        if pool.claim(job):
            finished.append(job)
            pool.release(job)

    pool = WorkerPool(1, work)
    slow = Job(FakeCall(1), None)  # type: ignore[arg-type]
    pool.submit(slow)
    while slow.started_monotonic is None:
        time.sleep(0.01)
    assert pool.abandon(slow) is True
    assert pool.active == 0
    quick = Job(FakeCall(0), None)  # type: ignore[arg-type]
    pool.submit(quick)  # served by the replacement worker while the stuck one still runs
    deadline = time.monotonic() + 5
    while quick not in finished and time.monotonic() < deadline:
        time.sleep(0.01)
    assert quick in finished
    stuck.set()
    time.sleep(0.1)
    assert slow not in finished  # late result dropped
    assert pool.abandon(quick) is False
    pool.close()


def test_queued_jobs_can_be_cancelled_and_are_counted():
    gate = threading.Event()

    def work(job):
        gate.wait(5)
        if pool.claim(job):
            pool.release(job)

    pool = WorkerPool(1, work)
    jobs = [Job(FakeCall(i), None, size=10) for i in range(4)]  # type: ignore[arg-type]
    for job in jobs:
        pool.submit(job)
    deadline = time.monotonic() + 5
    while pool.running != 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (pool.running, pool.queued, pool.queued_bytes, pool.active) == (1, 3, 30, 4)
    assert pool.abandon(jobs[1]) is False  # not started: cannot be abandoned, only cancelled
    cancelled = pool.cancel_queued(lambda job: job.call.seconds % 2 == 1)
    assert cancelled == [jobs[1], jobs[3]]
    assert (pool.queued, pool.queued_bytes) == (1, 10)
    assert pool.cancel_queued() == [jobs[2]]
    gate.set()
    while pool.active and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.active == 0 and jobs[2].started_monotonic is None
    pool.close()
