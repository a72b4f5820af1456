"""The runner's CPU time per call, measured over Kafka: robust to a loaded machine.

``.venv/bin/python bench/runner_cpu.py [--calls 5000] [--window 256] [--rounds 8] [--variant SPEC ...]``

Starts a real runner (``python -m mlbridge_runner --pipelines bench/pipelines.py``) per variant,
each on a fresh request topic, keeps ``--window`` no-op ``echo`` calls in flight from this process
(a plain confluent-kafka producer of pre-encoded requests, a consumer counting replies), and reads
the runner's user+system CPU from ``/proc/<pid>/stat`` around each round. Wall-clock throughput
moves with whatever else the machine runs; CPU time per call moves far less, and the rounds of the
variants are interleaved (A B A B ...) so that a noisy minute hits them alike. The minimum over
rounds is the least disturbed figure; the median is printed too.

A variant is ``LABEL[:TREE[:KEY=VALUE,...[:RUNNER ARGS]]]``: TREE is a python-runner folder to run
instead of this checkout's (e.g. an ``git archive`` of the commit before a change), the KEY=VALUEs
override librdkafka settings of the runner's reply producer, RUNNER ARGS are extra CLI options
(space-separated). Default: one variant, this checkout as is. The label ``floor`` runs the bench's
raw-bytes echo (``bench/floor_echo.py``) instead of a runner: the same driver, the Kafka work alone.
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


def drive(producer: Producer, consumer: Consumer, topic: str, frames: list[bytes], window: int, reply_to: str) -> float:
    """Send ``frames`` keeping ``window`` in flight; returns the wall seconds until the last reply."""
    sent = received = 0
    total = len(frames)
    start = time.perf_counter()
    deadline = start + 120
    while received < total:
        while sent < total and sent - received < window:
            producer.produce(topic, frames[sent], headers=[("reply-to", reply_to)])  # read by the floor echo only
            sent += 1
        producer.poll(0)
        first = consumer.poll(0.05)  # consume() would wait out its timeout for a full batch
        if first is not None and first.error() is None:
            received += 1
        for msg in consumer.consume(num_messages=1000, timeout=0):
            if msg.error() is None:
                received += 1
        if time.perf_counter() > deadline:
            raise SystemExit(f"timed out: {received}/{total} replies")
    return time.perf_counter() - start


class Variant:
    def __init__(self, spec: str, brokers: str, admin: AdminClient) -> None:
        parts = spec.split(":", 3) + ["", "", ""]
        self.label, tree, overrides, extra = parts[0], parts[1], parts[2], parts[3]
        tag = uuid.uuid4().hex[:8]
        self.request_topic, self.reply_topic = f"bench.cpu.{tag}", f"bench.cpu.reply.{tag}"
        for future in admin.create_topics([NewTopic(self.request_topic, 12, 1), NewTopic(self.reply_topic, 1, 1)]).values():
            future.result()
        self.producer = Producer({"bootstrap.servers": brokers, "linger.ms": 1, "acks": "all"})
        self.consumer = Consumer({
            "bootstrap.servers": brokers, "group.id": f"{self.reply_topic}.g", "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "fetch.wait.max.ms": 10,
            "max.poll.interval.ms": 3_600_000,  # idle while the other variants' rounds run
        })
        self.consumer.subscribe([self.reply_topic])
        launcher = ["-m", "mlbridge_runner"]
        if overrides:
            settings = dict(kv.split("=", 1) for kv in overrides.split(","))
            launcher = ["-c", (
                "import sys; from mlbridge_runner import cli; from mlbridge_runner.runner import loop; "
                "base = loop.producer_settings; "
                f"loop.producer_settings = lambda *x: {{**base(*x), **{settings!r}}}; "
                "sys.argv[0] = 'mlbridge-runner'; raise SystemExit(cli.main())"
            )]
        if self.label == "floor":
            command = [str(HERE / "floor_echo.py"), "--mode", "raw"]
        else:
            command = [*launcher, "--pipelines", str(HERE / "pipelines.py"), "--log-level", "warning"]
        self.runner = subprocess.Popen(
            [sys.executable, *command, "--brokers", brokers, "--request-topic", self.request_topic,
             "--group", f"{self.request_topic}.g", *extra.split()],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": tree or str(ROOT / "python-runner")}, stdout=subprocess.DEVNULL,
        )
        self.per_call: list[float] = []
        self.rates: list[float] = []
        self.split: dict[str, list[float]] = {}

    def round(self, calls: int, window: int, payload: int) -> None:
        frames = requests(calls, self.reply_topic, payload)
        c0, t0 = cpu_seconds(self.runner.pid), thread_cpu(self.runner.pid)
        wall = drive(self.producer, self.consumer, self.request_topic, frames, window, self.reply_topic)
        self.per_call.append((cpu_seconds(self.runner.pid) - c0) / calls * 1e6)
        for name, sec in thread_cpu(self.runner.pid).items():
            self.split.setdefault(name, []).append((sec - t0.get(name, 0.0)) / calls * 1e6)
        self.rates.append(calls / wall)

    def report(self) -> str:
        split = ", ".join(
            f"{name} {statistics.median(xs):.1f}" for name, xs in sorted(self.split.items(), key=lambda kv: -sum(kv[1]))
            if statistics.median(xs) >= 0.5
        )
        return (
            f"{self.label:<16} min {min(self.per_call):6.1f}  median {statistics.median(self.per_call):6.1f} µs/call"
            f"   [{', '.join(f'{x:.0f}' for x in self.per_call)}]   by thread (median): {split}"
            f"   wall {statistics.median(self.rates):,.0f}/s"
        )

    def close(self, admin: AdminClient) -> None:
        self.runner.terminate()
        self.runner.wait(30)
        self.consumer.close()
        admin.delete_topics([self.request_topic, self.reply_topic])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--brokers", default=os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092"))
    p.add_argument("--calls", type=int, default=5000, help="calls per round")
    p.add_argument("--window", type=int, default=256, help="calls kept in flight")
    p.add_argument("--rounds", type=int, default=8)
    p.add_argument("--payload", type=int, default=0, help="bytes of payload per call (0 = no arguments)")
    p.add_argument("--variant", action="append", default=[], metavar="SPEC", help="see the module doc (repeatable)")
    p.add_argument("--py-spy", metavar="OUT", help="also record the first variant's runner with py-spy (raw stacks, GIL holder only)")
    a = p.parse_args()

    admin = AdminClient({"bootstrap.servers": a.brokers})
    variants = [Variant(spec, a.brokers, admin) for spec in (a.variant or ["this checkout"])]
    spy = None
    try:
        for v in variants:  # warm-up: assignment, first-call paths
            drive(v.producer, v.consumer, v.request_topic, requests(500, v.reply_topic, a.payload), 64, v.reply_topic)
        if a.py_spy:
            spy = subprocess.Popen(
                [str(HERE / ".venv/bin/py-spy"), "record", "--pid", str(variants[0].runner.pid), "--rate", "1000",
                 "--format", "raw", "--output", a.py_spy, "--threads", "--nonblocking", "--gil"],
                stdout=subprocess.DEVNULL,
            )
            time.sleep(1)
        for r in range(a.rounds):
            for v in variants[r % len(variants):] + variants[: r % len(variants)]:
                v.round(a.calls, a.window, a.payload)
        print(f"runner CPU per call: window {a.window}, payload {a.payload} B, {a.rounds} rounds x {a.calls} calls")
        for v in variants:
            print("  " + v.report())
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
        for v in variants:
            v.close(admin)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
