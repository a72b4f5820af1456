"""The data rung's floor: bench/floor_echo.py's raw echo (request bytes back unchanged to the topic
named by the ``reply-to`` header) with librdkafka's ``message.max.bytes`` raised to 16 MiB, so that
4 MB payloads pass. ``python bench/data_floor.py --brokers B --request-topic T --group G``."""

from __future__ import annotations

import argparse
import signal

from confluent_kafka import Consumer, Producer

MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--brokers", default="127.0.0.1:9092")
    p.add_argument("--request-topic", required=True)
    p.add_argument("--group", required=True)
    a = p.parse_args()
    consumer = Consumer({
        "bootstrap.servers": a.brokers, "group.id": a.group, "auto.offset.reset": "earliest",
        "enable.auto.commit": True, "auto.commit.interval.ms": 1000, "session.timeout.ms": 10_000,
        "heartbeat.interval.ms": 1000, "fetch.wait.max.ms": 20, "fetch.min.bytes": 1,
        "enable.partition.eof": False, "socket.nagle.disable": True,
    })
    producer = Producer({
        "bootstrap.servers": a.brokers, "linger.ms": 0, "acks": "all", "enable.idempotence": True,
        "socket.nagle.disable": True, "message.max.bytes": MAX_MESSAGE_BYTES,
    })
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    ready = False

    def on_assign(c: Consumer, parts: list) -> None:  # type: ignore[type-arg]
        nonlocal ready
        if parts and not ready:
            ready = True
            print("ready", flush=True)

    consumer.subscribe([a.request_topic], on_assign=on_assign)
    try:
        while running:
            msg = consumer.poll(0.2)
            if msg is None or msg.error() is not None:
                producer.poll(0)
                continue
            reply_to = next((v.decode() for k, v in msg.headers() or () if k == "reply-to"), None)
            if reply_to is not None:
                producer.produce(reply_to, msg.value(), key=msg.key())
            producer.poll(0)
    finally:
        producer.flush(5)
        consumer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
