"""The runner's CPU time per call, measured over Kafka: robust to a loaded machine.

``.venv/bin/python bench/runner_cpu.py [--calls 20000] [--window 256] [--rounds 3] [-- RUNNER ARGS]``

Starts a real runner (``python -m mlbridge_runner --pipelines bench/pipelines.py``) on a fresh
request topic, keeps ``--window`` no-op ``echo`` calls in flight from this process (a plain
confluent-kafka producer of pre-encoded requests, a consumer counting replies), and reads the
runner's user+system CPU from ``/proc/<pid>/stat`` around each round. Wall-clock throughput moves
with whatever else the machine runs; CPU time per call moves far less, so before/after figures of
an optimisation can be compared in one session. Extra runner options go after ``--``.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "python-runner"))

from mlbridge_runner.codec.envelopes import RequestEnvelope, encode_request  # noqa: E402
from mlbridge_runner.codec.schemas import wire_schemas  # noqa: E402
from mlbridge_runner.codec.value import encode_value  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds per thread name (librdkafka names its threads ``rdk:*``; Python's are ``python``)."""
    out: dict[str, float] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                head, _, rest = f.read().rpartition(")")
        except OSError:
            continue
        name = head.split("(", 1)[1]
        name = "rdk:broker" if name.startswith("rdk:broker") else name
        fields = rest.split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / TICK
    return out


def requests(n: int, reply_to: str, payload: int) -> list[bytes]:
    args = encode_value({"payload": b"x" * payload} if payload else {})
    ref = wire_schemas().value.reference
    return [
        encode_request(RequestEnvelope(id=str(uuid.uuid4()), pipeline="echo", args=args, args_schema=ref, reply_to=reply_to))
        for _ in range(n)
    ]


def drive(producer: Producer, consumer: Consumer, topic: str, frames: list[bytes], window: int) -> float:
    """Send ``frames`` keeping ``window`` in flight; returns the wall seconds until the last reply."""
    sent = received = 0
    total = len(frames)
    start = time.perf_counter()
    deadline = start + 120
    while received < total:
        while sent < total and sent - received < window:
            producer.produce(topic, frames[sent])
            sent += 1
        producer.poll(0)
        for msg in consumer.consume(num_messages=1000, timeout=0.05):
            if msg.error() is None:
                received += 1
        if time.perf_counter() > deadline:
            raise SystemExit(f"timed out: {received}/{total} replies")
    return time.perf_counter() - start


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--brokers", default=os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092"))
    p.add_argument("--calls", type=int, default=20_000)
    p.add_argument("--window", type=int, default=256)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--payload", type=int, default=0, help="bytes of payload per call (0 = no arguments)")
    p.add_argument("--py-spy", metavar="OUT", help="also record the runner with py-spy (raw collapsed stacks) to OUT")
    p.add_argument("runner_args", nargs="*", help="extra runner options (after --)")
    a = p.parse_args()

    tag = uuid.uuid4().hex[:8]
    request_topic, reply_topic = f"bench.cpu.{tag}", f"bench.cpu.reply.{tag}"
    admin = AdminClient({"bootstrap.servers": a.brokers})
    for future in admin.create_topics([NewTopic(request_topic, 12, 1), NewTopic(reply_topic, 1, 1)]).values():
        future.result()
    producer = Producer({"bootstrap.servers": a.brokers, "linger.ms": 1, "acks": "all"})
    consumer = Consumer({
        "bootstrap.servers": a.brokers, "group.id": f"{reply_topic}.g", "auto.offset.reset": "earliest",
        "enable.auto.commit": False, "fetch.wait.max.ms": 10,
    })
    consumer.subscribe([reply_topic])
    runner = subprocess.Popen(
        [sys.executable, "-m", "mlbridge_runner", "--pipelines", str(HERE / "pipelines.py"), "--brokers", a.brokers,
         "--request-topic", request_topic, "--group", f"{request_topic}.g", "--log-level", "warning", *a.runner_args],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "python-runner")},
    )
    try:
        drive(producer, consumer, request_topic, requests(500, reply_topic, a.payload), 64)  # warm-up: assignment, JIT-free paths
        spy = None
        if a.py_spy:
            spy = subprocess.Popen(
                [str(HERE / ".venv/bin/py-spy"), "record", "--pid", str(runner.pid), "--rate", "200", "--format", "raw",
                 "--output", a.py_spy, "--threads", "--nonblocking"],
                stdout=subprocess.DEVNULL,
            )
            time.sleep(1)
        per_call, rates = [], []
        split: dict[str, float] = {}
        for _ in range(a.rounds):
            frames = requests(a.calls, reply_topic, a.payload)
            c0, t0 = cpu_seconds(runner.pid), thread_cpu(runner.pid)
            wall = drive(producer, consumer, request_topic, frames, a.window)
            per_call.append((cpu_seconds(runner.pid) - c0) / a.calls * 1e6)
            t1 = thread_cpu(runner.pid)
            for name, sec in t1.items():
                split[name] = split.get(name, 0.0) + (sec - t0.get(name, 0.0)) / a.calls * 1e6 / a.rounds
            rates.append(a.calls / wall)
        print(
            f"runner CPU per call, window {a.window}, {a.calls} calls x {a.rounds}: "
            f"median {statistics.median(per_call):.1f} µs (rounds {', '.join(f'{x:.1f}' for x in per_call)}); "
            f"wall {statistics.median(rates):,.0f} calls/s (load-dependent)"
        )
        print("  by thread (mean µs/call): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(split.items(), key=lambda kv: -kv[1]) if v >= 0.5))
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
    finally:
        runner.terminate()
        runner.wait(30)
        consumer.close()
        admin.delete_topics([request_topic, reply_topic])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
