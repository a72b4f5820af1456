"""Print the runner's own per-call CPU cost, without Kafka: decode request → look up → bind →
run a no-op pipeline → encode result → build and encode the reply.

``python -m mlbridge_devtools.overhead [--calls N]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import timeit
from typing import Any

from mlbridge_runner.codec.envelopes import RequestEnvelope, decode_reply, decode_request, encode_reply, encode_request
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import decode_value, encode_value
from mlbridge_runner.registry import Registry
from mlbridge_runner.runner.dispatch import Dispatcher, execute
from mlbridge_runner.runner.replies import outcome_reply


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args(argv)

    registry = Registry()
    registry.register(lambda value=None: value, "echo")
    value_ref = wire_schemas().value.reference
    dispatcher = Dispatcher(registry, value_ref)
    payloads: dict[str, dict[str, Any]] = {
        "no-op {}": {},
        "small dict": {"value": {"dataset": "cpu-metrics", "epochs": 5, "lr": 0.001, "tags": ["a", "b"]}},
        "1k floats": {"value": [i * 0.5 for i in range(1000)]},
    }
    print(f"runner overhead per call (median of 5 runs x {args.calls} calls), Python {sys.version.split()[0]}")
    for label, payload in payloads.items():
        frame = encode_request(
            RequestEnvelope(
                id="6f1c0b52-8a77-4c47-9f0e-2f3b7b1e9a10", pipeline="echo", args=encode_value(payload),
                args_schema=value_ref, reply_to="replies.client", sent_at_ms=int(time.time() * 1000),
                headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
            )
        )

        def one_call(frame: bytes = frame) -> bytes:
            request = decode_request(frame)
            call = dispatcher.prepare(request)
            outcome = execute(call)
            return encode_reply(outcome_reply(request, outcome, value_ref, "host/1/abcdef01", call.received_at_ms))

        assert decode_value(decode_reply(one_call()).result) == payload.get("value")
        runs = timeit.repeat(one_call, number=args.calls, repeat=5)
        per_call_us = statistics.median(runs) / args.calls * 1e6
        print(f"  {label:<12} request {len(frame):>6} B   {per_call_us:8.1f} µs/call   ({1e6 / per_call_us:,.0f} calls/s on one core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
