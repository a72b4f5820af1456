"""``Runner.wire``: the one place that connects the loop to its Kafka clients (run() and the tests
and benchmarks that drive the loop with stand-ins all go through it)."""

from __future__ import annotations

import pytest

from mlbridge_runner.config import RunnerConfig
from mlbridge_runner.registry import Registry
from mlbridge_runner.runner import loop
from mlbridge_runner.runner.dlq import DeadLetters
from mlbridge_runner.runner.replies import ReplySender
from mlbridge_runner.runner.transactions import TransactionalDeadLetters, TransactionalReplies


class Stand:
    """A consumer or producer nobody calls while wiring."""

    def pause(self, partitions):
        pass

    def resume(self, partitions):
        pass


def _runner(**config):
    registry = Registry()
    registry.register(lambda: None, "noop")
    return loop.Runner(RunnerConfig(request_topic="t", **config), registry, identity="test/1/wire")


def test_plain_wiring_sends_replies_and_progress_through_the_given_producers():
    runner = _runner()
    consumer, producer, bulk = Stand(), Stand(), Stand()
    runner.wire(consumer, producer, bulk_producer=bulk)
    try:
        assert runner._consumer is consumer and runner._producer is producer and runner._bulk_producer is bulk
        assert type(runner._replies) is ReplySender and runner._replies._producer is producer
        assert runner._replies._bulk is bulk
        assert type(runner._dlq) is DeadLetters and runner._outbox is None
        assert runner._progress.sender is runner._replies and runner._progress_producer is producer
        assert runner._processes is None and runner._flow is not None
    finally:
        runner._pool.close()


def test_transactional_wiring_puts_replies_in_the_outbox_and_progress_outside():
    runner = _runner(transactional=True)
    consumer, producer, progress = Stand(), Stand(), Stand()
    with pytest.raises(ValueError, match="progress producer"):
        runner.wire(consumer, producer)
    runner.wire(consumer, producer, progress_producer=progress)
    try:
        assert runner._outbox is not None and runner._bulk_producer is None
        assert type(runner._replies) is TransactionalReplies and type(runner._dlq) is TransactionalDeadLetters
        assert runner._progress_producer is progress and runner._progress.sender._producer is progress
    finally:
        runner._pool.close()
