"""Integration tier: a real Kafka broker (KAFKA_BROKERS, default 127.0.0.1:9092) and real runner
processes. An unreachable broker fails the tests; it never skips them."""

from __future__ import annotations

import os
from typing import Iterator

import pytest
from confluent_kafka.admin import AdminClient

from .kafka_client import Caller, made_by_this_session, unique
from .runner_process import RunnerProcess


@pytest.fixture(scope="session")
def brokers() -> Iterator[str]:
    address = os.environ.get("KAFKA_BROKERS", "").strip() or "127.0.0.1:9092"
    admin = AdminClient({"bootstrap.servers": address, "socket.connection.setup.timeout.ms": 3000})
    try:
        admin.list_topics(timeout=8)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(
            f"Kafka broker at {address} is unreachable ({exc}); start one with `npm run broker:start` "
            "or point KAFKA_BROKERS at a cluster",
            pytrace=False,
        )
    before = set(admin.list_topics(timeout=10).topics)
    yield address
    # Leave a shared broker as we found it: drop the random-named topics this session made.
    made = [t for t in admin.list_topics(timeout=10).topics if made_by_this_session(t) and t not in before]
    if made:
        for future in admin.delete_topics(made, operation_timeout=10).values():
            try:
                future.result(timeout=15)
            except Exception:  # noqa: BLE001 - best effort
                pass


@pytest.fixture(scope="module")
def runner(brokers: str) -> Iterator[RunnerProcess]:
    """One runner per test module on its own random topic and group."""
    process = RunnerProcess(brokers, unique("mlbt.requests"), unique("mlbt.group"), "--grace-seconds", "10")
    try:
        process.wait_for("runner.assigned")
        yield process
    finally:
        process.terminate()


@pytest.fixture(scope="module")
def caller(brokers: str, runner: RunnerProcess) -> Iterator[Caller]:
    client = Caller(brokers, runner.request_topic)
    yield client
    client.close()


LONG_SCENARIOS_TEST = "test_zz_long_scenarios.py"


@pytest.fixture(scope="session", autouse=True)
def long_scenarios(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Start the waiting-heavy scenarios in background threads at the start of the session (only
    when their test is selected), so they overlap the other integration tests."""
    from concurrent.futures import ThreadPoolExecutor

    from .long_scenarios import SCENARIOS

    wanted = [item for item in request.session.items if LONG_SCENARIOS_TEST in item.nodeid]
    if not wanted:
        yield {}
        return
    address = request.getfixturevalue("brokers")
    workdir = tmp_path_factory.mktemp("long")
    pool = ThreadPoolExecutor(max_workers=len(SCENARIOS), thread_name_prefix="long-scenario")
    futures = {name: pool.submit(fn, address, workdir) for name, fn in SCENARIOS.items()}
    try:
        yield futures
    finally:
        pool.shutdown(wait=True)
