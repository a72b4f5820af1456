"""CPU time per call of each step of the runner's per-call path, without Kafka.

``.venv/bin/python bench/stages_cpu.py [--calls 20000] [--repeat 7]``

Like ``python -m mlbridge_devtools.overhead`` (from python-runner/) but timed with ``time.thread_time`` (CPU time of
this thread, so other processes on a busy machine barely move it) and split by step. The request
is a no-op ``echo`` call with empty arguments and a ``traceparent`` header, as the bench sends.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python-runner"))

from mlbridge_runner.codec.envelopes import RequestEnvelope, decode_request, encode_reply, encode_request  # noqa: E402
from mlbridge_runner.codec.schemas import wire_schemas  # noqa: E402
from mlbridge_runner.codec.value import encode_value  # noqa: E402
from mlbridge_runner.registry import Registry  # noqa: E402
from mlbridge_runner.runner.dispatch import Dispatcher, execute  # noqa: E402
from mlbridge_runner.runner.replies import outcome_reply  # noqa: E402


def cpu_us(fn: Callable[[], Any], calls: int, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.thread_time()
        for _ in range(calls):
            fn()
        runs.append((time.thread_time() - t0) / calls * 1e6)
    return statistics.median(runs)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=7)
    a = p.parse_args()

    registry = Registry()
    registry.register(lambda payload=None: payload, "echo")
    ref = wire_schemas().value.reference
    dispatcher = Dispatcher(registry, ref)
    frame = encode_request(RequestEnvelope(
        id="6f1c0b52-8a77-4c47-9f0e-2f3b7b1e9a10", pipeline="echo", args=encode_value({}), args_schema=ref,
        reply_to="bench.mlbridge.reply.6f1c0b52", deadline_ms=int(time.time() * 1000) + 3_600_000, sent_at_ms=1,
        headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    ))
    request = decode_request(frame)
    call = dispatcher.prepare(request)
    outcome = execute(call)
    reply = outcome_reply(request, outcome, ref, "host/1/abcdef01", call.received_at_ms)

    def whole() -> bytes:
        req = decode_request(frame)
        c = dispatcher.prepare(req)
        return encode_reply(outcome_reply(req, execute(c), ref, "host/1/abcdef01", c.received_at_ms))

    steps: dict[str, Callable[[], Any]] = {
        "decode_request": lambda: decode_request(frame),
        "prepare (lookup, args, bind)": lambda: dispatcher.prepare(request),
        "execute (no-op + encode result)": lambda: execute(call),
        "outcome_reply": lambda: outcome_reply(request, outcome, ref, "host/1/abcdef01", 1),
        "encode_reply": lambda: encode_reply(reply),
        "whole path": whole,
    }
    print(f"CPU µs per call (thread_time, median of {a.repeat} x {a.calls}), Python {sys.version.split()[0]}")
    for label, fn in steps.items():
        print(f"  {label:<34} {cpu_us(fn, a.calls, a.repeat):7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
