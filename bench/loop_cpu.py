"""CPU time per call of the runner's consume-loop path, without Kafka: from a consumed message to
its offset stored.

``.venv/bin/python bench/loop_cpu.py [--calls 20000] [--repeat 7] [--batch 128]``

Feeds the real :class:`~mlbridge_runner.runner.loop.Runner` batches of pre-built messages (a stand-in
with confluent-kafka's ``Message`` accessors) of no-op ``echo`` calls through ``_iterate``, with
stand-in producers whose ``produce_batch`` reports delivery at the next ``poll`` and a stand-in
consumer that stores offsets nowhere. What is left is the runner's own Python per call: the same
figure as the Python thread of ``bench/runner_cpu.py`` minus librdkafka's share, and steady enough
(thread CPU time, no broker, no other process) to compare two trees a few tenths of a µs apart:
``PYTHONPATH=/tmp/base/python-runner .venv/bin/python bench/loop_cpu.py`` runs another tree.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable

if not any(p.endswith("python-runner") for p in sys.path):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python-runner"))

from mlbridge_runner import cli  # noqa: E402
from mlbridge_runner.codec.envelopes import RequestEnvelope, encode_request  # noqa: E402
from mlbridge_runner.codec.schemas import wire_schemas  # noqa: E402
from mlbridge_runner.codec.value import encode_value  # noqa: E402
from mlbridge_runner.config import RunnerConfig  # noqa: E402
from mlbridge_runner.registry import Registry  # noqa: E402
from mlbridge_runner.runner import loop  # noqa: E402


class FakeMessage:
    __slots__ = ("_value", "_offset")

    def __init__(self, value: bytes, offset: int) -> None:
        self._value, self._offset = value, offset

    def error(self) -> None:
        return None

    def value(self) -> bytes:
        return self._value

    def topic(self) -> str:
        return "bench.loop"

    def partition(self) -> int:
        return 0

    def offset(self) -> int:
        return self._offset


class FakeConsumer:
    """Hands out one prepared batch per poll/consume pair."""

    def __init__(self) -> None:
        self.batches: list[list[FakeMessage]] = []

    def poll(self, timeout: float) -> FakeMessage | None:
        return self.batches[-1][0] if self.batches else None

    def consume(self, num_messages: int, timeout: float) -> list[FakeMessage]:
        return self.batches.pop()[1:]

    def store_offsets(self, offsets: list[Any]) -> None:
        pass

    def pause(self, partitions: list[Any]) -> None:
        pass

    def resume(self, partitions: list[Any]) -> None:
        pass

    def assignment(self) -> list[Any]:
        return []


class FakeProducer:
    """Delivery reported (successfully) at the next poll, as librdkafka does from ``poll``."""

    def __init__(self) -> None:
        self._pending: list[Callable[[Any, Any], None]] = []

    def produce_batch(self, topic: str, messages: list[dict[str, Any]]) -> int:
        self._pending.extend(m["callback"] for m in messages)
        return len(messages)

    def produce(self, topic: str, value: bytes, key: bytes, on_delivery: Callable[[Any, Any], None]) -> None:
        self._pending.append(on_delivery)

    def poll(self, timeout: float) -> int:
        pending, self._pending = self._pending, []
        for callback in pending:
            callback(None, None)
        return len(pending)

    def __len__(self) -> int:
        return len(self._pending)


def build_runner() -> tuple[loop.Runner, FakeConsumer]:
    registry = Registry()
    registry.register(lambda payload=None: payload, "echo")
    runner = loop.Runner(RunnerConfig(request_topic="bench.loop"), registry, identity="bench/1/loop")
    consumer = FakeConsumer()
    runner.wire(consumer, FakeProducer(), bulk_producer=FakeProducer())  # type: ignore[arg-type]
    runner._tracker.assign([("bench.loop", 0)])
    return runner, consumer


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--payload", type=int, default=100, help="bytes of payload per call")
    a = p.parse_args()

    runner, consumer = build_runner()
    ref = wire_schemas().value.reference
    args = encode_value({"payload": b"x" * a.payload} if a.payload else {})
    frames = [
        encode_request(RequestEnvelope(
            id=str(uuid.uuid4()), pipeline="echo", args=args, args_schema=ref, reply_to="bench.loop.reply",
            deadline_ms=int(time.time() * 1000) + 3_600_000, sent_at_ms=1,
            headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
        ))
        for _ in range(a.batch)
    ]
    offset = 0

    def run(calls: int) -> None:
        nonlocal offset
        for _ in range(calls // a.batch):
            batch = [FakeMessage(frame, offset + i) for i, frame in enumerate(frames)]
            offset += len(batch)
            consumer.batches.append(batch)
            runner._iterate()
        runner._service()  # the last batch's delivery reports and offsets

    cli._tune_gc()  # as the runner's CLI does
    run(2_000)  # warm-up: probation and trial of the inline policy, first-call paths
    served = runner._served
    runs = []
    for _ in range(a.repeat):
        t0 = time.thread_time()
        run(a.calls)
        runs.append((time.thread_time() - t0) / (a.calls // a.batch * a.batch) * 1e6)
    deadline = time.monotonic() + 30
    while runner._pool.active and time.monotonic() < deadline:  # calls handed to workers (see below)
        time.sleep(0.01)
        runner._service()
    runner._service()
    assert runner._served - served == a.repeat * (a.calls // a.batch * a.batch), "not every call was served"
    assert runner._tracker.pending_count() == 0, "offsets left behind"
    inline = runner._inline.allows(runner.registry["echo"])
    print(
        f"loop CPU µs per call (thread_time, {a.repeat} x {a.calls}, batches of {a.batch}, payload {a.payload} B): "
        f"median {statistics.median(runs):.2f}  min {min(runs):.2f}  [{', '.join(f'{x:.2f}' for x in runs)}]"
        + ("" if inline else "  — echo was sent back to the worker pool (slow inline runs: a busy machine); not comparable")
    )
    runner._pool.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
