"""A minimal Python caller for the integration tests: encodes requests with the runner's own codec,
produces them, and reads replies from a private reply topic."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from mlbridge_runner.codec.envelopes import ReplyEnvelope, RequestEnvelope, decode_reply, encode_request
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import encode_value


#: Marks every name this test session makes, so its clean-up never deletes the topics of another
#: session sharing the broker (two suites at once used to delete each other's topics mid-test).
SESSION_TOKEN = uuid.uuid4().hex[:6]


def unique(prefix: str) -> str:
    return f"{prefix}.{SESSION_TOKEN}{uuid.uuid4().hex[:8]}"


def made_by_this_session(topic: str) -> bool:
    return topic.startswith("mlbt.") and f".{SESSION_TOKEN}" in topic


def create_topics(brokers: str, topics: dict[str, int]) -> None:
    admin = AdminClient({"bootstrap.servers": brokers})
    futures = admin.create_topics([NewTopic(name, num_partitions=n, replication_factor=1) for name, n in topics.items()])
    for future in futures.values():
        future.result(timeout=15)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # wait until metadata shows every partition
        meta = admin.list_topics(timeout=5).topics
        if all(name in meta and len(meta[name].partitions) == n for name, n in topics.items()):
            return
        time.sleep(0.05)


def read_all(brokers: str, topic: str, partition: int, stop: Any, timeout: float = 15.0) -> list[Any]:
    """Read ``topic``/``partition`` from the start until ``stop(messages)`` is true."""
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": unique("reader"), "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, partition, 0)])
    messages: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not stop(messages):
            msg = consumer.poll(0.1)
            if msg is not None and msg.error() is None:
                messages.append(msg)
    finally:
        consumer.close()
    return messages


@dataclass
class Caller:
    """One 'client': its own reply topic, a producer and a reply reader."""

    brokers: str
    request_topic: str
    reply_topic: str = field(default_factory=lambda: unique("mlbt.replies"))

    def __post_init__(self) -> None:
        create_topics(self.brokers, {self.reply_topic: 1})
        self.producer = Producer({"bootstrap.servers": self.brokers, "linger.ms": 0})
        self.consumer = Consumer(
            {"bootstrap.servers": self.brokers, "group.id": unique("caller"), "enable.auto.commit": False}
        )
        self.consumer.assign([TopicPartition(self.reply_topic, 0, 0)])
        self.replies: dict[str, ReplyEnvelope] = {}

    def request(self, pipeline: str, args: Any = None, **overrides: Any) -> RequestEnvelope:
        fields: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "pipeline": pipeline,
            "args": encode_value({} if args is None else args),
            "args_schema": wire_schemas().value.reference,
            "reply_to": self.reply_topic,
            "deadline_ms": 0,
            "attempt": 1,
            "sent_at_ms": int(time.time() * 1000),
            "headers": {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
        }
        fields.update(overrides)
        return RequestEnvelope(**fields)

    def send(self, request: RequestEnvelope, key: bytes | None = None) -> str:
        self.send_raw(encode_request(request), key=key or request.id.encode())
        return request.id

    def send_raw(self, value: bytes | None, key: bytes | None = None, headers: Any = None) -> None:
        self.producer.produce(self.request_topic, value=value, key=key, headers=headers)
        self.producer.flush(10)

    def wait(self, request_id: str, timeout: float = 15.0) -> ReplyEnvelope:
        deadline = time.monotonic() + timeout
        while request_id not in self.replies:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no reply for {request_id} within {timeout} s")
            msg = self.consumer.poll(0.05)
            if msg is not None and msg.error() is None:
                reply = decode_reply(msg.value())
                self.replies.setdefault(reply.id, reply)
        return self.replies[request_id]

    def invoke(self, pipeline: str, args: Any = None, timeout: float = 15.0, **overrides: Any) -> ReplyEnvelope:
        return self.wait(self.send(self.request(pipeline, args, **overrides)), timeout)

    def close(self) -> None:
        self.consumer.close()
        self.producer.flush(5)


def group_lag(brokers: str, group: str, topic: str) -> int:
    """Messages on ``topic`` not yet committed by ``group`` (reads offsets; never joins the group)."""
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        committed = consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
        lag = 0
        for tp in committed:
            low, high = consumer.get_watermark_offsets(tp, timeout=10)
            lag += high - (tp.offset if tp.offset >= 0 else low)
        return lag
    finally:
        consumer.close()


def wait_for_lag(brokers, group, topic, expected, timeout=10.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        lag = group_lag(brokers, group, topic)
        if lag == expected or time.monotonic() > deadline:
            return lag
        time.sleep(0.2)
