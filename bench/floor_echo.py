"""The benchmark's floor: a minimal confluent-kafka echo with the runner's Kafka settings.

``python bench/floor_echo.py --mode raw|avro --brokers B --request-topic T --group G``

raw:  the request's bytes go back unchanged to the topic named by the ``reply-to`` header.
avro: the request envelope is decoded with ``mlbridge_runner.codec`` (request + Value args), the
      ``payload`` argument is encoded as the result and a reply envelope is produced — the codec
      work of the runner, without its registry, dispatch, thread pool or offset tracking.
Prints ``ready`` on stdout once it owns partitions; stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from confluent_kafka import Consumer, Producer


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["raw", "avro"], default="raw")
    p.add_argument("--brokers", default="127.0.0.1:9092")
    p.add_argument("--request-topic", required=True)
    p.add_argument("--group", required=True)
    a = p.parse_args()

    # Same as mlbridge_runner.transport.config (consumer_settings / producer_settings) with the
    # runner's defaults, except that offsets are stored automatically (no reply-then-commit order).
    consumer = Consumer({
        "bootstrap.servers": a.brokers, "group.id": a.group, "auto.offset.reset": "earliest",
        "enable.auto.commit": True, "auto.commit.interval.ms": 1000,
        "partition.assignment.strategy": "cooperative-sticky", "session.timeout.ms": 10_000,
        "heartbeat.interval.ms": 1000, "fetch.wait.max.ms": 100, "fetch.min.bytes": 1,
        "enable.partition.eof": False, "socket.nagle.disable": True,
    })
    producer = Producer({
        "bootstrap.servers": a.brokers, "linger.ms": 0, "acks": "all", "enable.idempotence": True,
        "socket.nagle.disable": True,
    })
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    ready = False

    def on_assign(c: Consumer, parts: list) -> None:  # type: ignore[type-arg]
        nonlocal ready
        if parts and not ready:
            ready = True
            print("ready", flush=True)

    consumer.subscribe([a.request_topic], on_assign=on_assign)

    if a.mode == "avro":
        from mlbridge_runner.codec.envelopes import ReplyEnvelope, ReplyStatus, Timings, decode_request, encode_reply
        from mlbridge_runner.codec.schemas import wire_schemas
        from mlbridge_runner.codec.value import decode_value, encode_value

        value_ref = wire_schemas().value.reference

        def handle(msg):  # type: ignore[no-untyped-def]
            t0 = int(time.time() * 1000)
            req = decode_request(msg.value())
            args = decode_value(req.args)
            result = encode_value(args.get("payload"))
            t1 = int(time.time() * 1000)
            reply = encode_reply(ReplyEnvelope(id=req.id, status=ReplyStatus.OK, result=result, result_schema=value_ref,
                                               runner="floor-echo", timings=Timings(t0, t0, t1)))
            producer.produce(req.reply_to, reply, key=msg.key())
    else:
        def handle(msg):  # type: ignore[no-untyped-def]
            reply_to = None
            for k, v in msg.headers() or ():
                if k == "reply-to":
                    reply_to = v.decode()
            if reply_to is not None:
                producer.produce(reply_to, msg.value(), key=msg.key())

    try:
        while running:
            first = consumer.poll(0.2)
            if first is None:
                producer.poll(0)
                continue
            batch = [first]
            batch.extend(consumer.consume(num_messages=500, timeout=0))
            for msg in batch:
                if msg.error() is None:
                    handle(msg)
            producer.poll(0)
    finally:
        producer.flush(5)
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
