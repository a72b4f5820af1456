"""ReplySender: replies produced at once, or held by the loop thread and released in one batch."""

import threading

import pytest
from confluent_kafka import KafkaError, KafkaException

from mlbridge_runner import error_codes
from mlbridge_runner.codec.envelopes import ReplyEnvelope, ReplyStatus, Timings, decode_reply, encode_reply
from mlbridge_runner.runner.offsets import Ticket
from mlbridge_runner.runner.replies import ReplySender


class FakeProducer:
    def __init__(self):
        self.produced = []  # (topic, value, key, callback)
        self.batches = []  # (topic, [values])
        self.batch_errors = {}  # index in the next batch -> KafkaError code
        self.batch_raises = False
        self.refuse = None  # KafkaError code raised by produce()

    def produce(self, topic, value=None, key=None, on_delivery=None):
        if self.refuse is not None:
            code, self.refuse = self.refuse, None
            raise KafkaException(KafkaError(code))
        self.produced.append((topic, value, key, on_delivery))

    def produce_batch(self, topic, messages):
        if self.batch_raises:
            raise TypeError("boom")
        queued = 0
        for i, message in enumerate(messages):
            if i in self.batch_errors:
                message["_error"] = KafkaError(self.batch_errors[i])
                continue
            self.produced.append((topic, message["value"], message["key"], message["callback"]))
            queued += 1
        self.batches.append((topic, [m["value"] for m in messages if "_error" not in m]))
        self.batch_errors = {}
        return queued

    def deliver_all(self, error=None):
        produced, self.produced = self.produced, []
        for _, _, _, callback in produced:
            callback(error, None)


def _reply(i, status=ReplyStatus.OK):
    return ReplyEnvelope(f"id-{i}", status, result=b"\x00", result_schema="crc64:00", runner="r", timings=Timings(1, 2, 3))


def _ticket(i):
    return Ticket("requests", 0, i, 1)


@pytest.fixture
def sender():
    producer = FakeProducer()
    settled = []
    return ReplySender(producer, settled.append, threading.current_thread()), producer, settled


def test_without_hold_a_reply_is_produced_at_once(sender):
    replies, producer, settled = sender
    replies.send(_reply(1), "replies.a", _ticket(1))
    assert [(t, decode_reply(v).id, k) for t, v, k, _ in producer.produced] == [("replies.a", "id-1", b"id-1")]
    producer.deliver_all()
    assert settled == [_ticket(1)]


def test_held_replies_leave_in_one_batch_per_topic_in_order(sender):
    replies, producer, settled = sender
    replies.hold()
    for i, topic in enumerate(["replies.a", "replies.b", "replies.a", "replies.a"]):
        replies.send(_reply(i), topic, _ticket(i))
    assert producer.produced == [] and producer.batches == []
    replies.release()
    assert [(t, [decode_reply(v).id for v in values]) for t, values in producer.batches] == [
        ("replies.a", ["id-0", "id-2", "id-3"]),
        ("replies.b", ["id-1"]),
    ]
    producer.deliver_all()
    assert sorted(settled) == [_ticket(i) for i in range(4)]
    replies.send(_reply(9), "replies.a", _ticket(9))  # released: back to one by one
    assert len(producer.produced) == 1 and len(producer.batches) == 2


def test_releases_of_several_replies_go_to_the_bulk_producer_and_lone_ones_to_the_plain():
    plain, bulk, settled = FakeProducer(), FakeProducer(), []
    replies = ReplySender(plain, settled.append, threading.current_thread(), bulk=bulk)
    replies.hold()
    for i, topic in enumerate(["replies.a", "replies.b", "replies.a"]):
        replies.send(_reply(i), topic, _ticket(i))
    replies.release()
    # Two for replies.a: the lingering producer; one for replies.b: the plain one, not delayed.
    assert [(t, [decode_reply(v).id for v in values]) for t, values in bulk.batches] == [("replies.a", ["id-0", "id-2"])]
    assert [(t, [decode_reply(v).id for v in values]) for t, values in plain.batches] == [("replies.b", ["id-1"])]
    replies.send(_reply(3), "replies.a", _ticket(3))  # not held: at once, on the plain producer
    assert [decode_reply(v).id for _, v, _, _ in plain.produced] == ["id-1", "id-3"]
    bulk.deliver_all()
    plain.deliver_all()
    assert sorted(settled) == [_ticket(i) for i in range(4)]


def test_a_bulk_message_refused_for_a_full_queue_is_retried_on_the_plain_producer():
    plain, bulk, settled = FakeProducer(), FakeProducer(), []
    replies = ReplySender(plain, settled.append, threading.current_thread(), bulk=bulk)
    replies.hold()
    for i in range(3):
        replies.send(_reply(i), "replies.a", _ticket(i))
    bulk.batch_errors = {2: KafkaError._QUEUE_FULL}
    replies.release()
    assert [decode_reply(v).id for _, v, _, _ in bulk.produced] == ["id-0", "id-1"]
    assert [decode_reply(v).id for _, v, _, _ in plain.produced] == ["id-2"]
    bulk.deliver_all()
    plain.deliver_all()
    assert sorted(settled) == [_ticket(i) for i in range(3)]


def test_other_threads_are_not_held(sender):
    replies, producer, _ = sender
    replies.hold()
    worker = threading.Thread(target=replies.send, args=(_reply(1), "replies.a", _ticket(1)))
    worker.start()
    worker.join()
    assert len(producer.produced) == 1
    replies.release()
    assert producer.batches == []


def test_release_without_replies_does_nothing(sender):
    replies, producer, _ = sender
    replies.hold()
    replies.release()
    replies.release()
    assert producer.batches == [] and producer.produced == []


def test_a_message_refused_for_a_full_queue_is_produced_alone(sender):
    replies, producer, settled = sender
    replies.hold()
    for i in range(3):
        replies.send(_reply(i), "replies.a", _ticket(i))
    producer.batch_errors = {1: KafkaError._QUEUE_FULL}
    replies.release()
    assert sorted(decode_reply(v).id for _, v, _, _ in producer.produced) == ["id-0", "id-1", "id-2"]
    producer.deliver_all()
    assert sorted(settled) == [_ticket(i) for i in range(3)]


def test_a_result_too_large_for_the_broker_becomes_an_error_reply(sender):
    replies, producer, settled = sender
    replies.hold()
    replies.send(_reply(1), "replies.a", _ticket(1))
    producer.batch_errors = {0: KafkaError.MSG_SIZE_TOO_LARGE}
    replies.release()
    [(_, value, _, _)] = producer.produced
    reply = decode_reply(value)
    assert reply.status is ReplyStatus.ERROR and reply.error.code == error_codes.RESULT_TOO_LARGE
    size = len(encode_reply(_reply(1)))
    assert f"the reply is {size} bytes encoded; the limit is 1000000 bytes" in reply.error.message
    producer.deliver_all()
    assert settled == [_ticket(1)]


def test_a_result_the_broker_refuses_for_its_size_becomes_result_too_large_without_a_made_up_limit(sender):
    replies, producer, settled = sender
    replies.send(_reply(1), "replies.a", _ticket(1))
    producer.deliver_all(KafkaError(KafkaError.MSG_SIZE_TOO_LARGE))
    [(_, value, _, _)] = producer.produced
    reply = decode_reply(value)
    assert reply.status is ReplyStatus.ERROR and reply.error.code == error_codes.RESULT_TOO_LARGE
    size = len(encode_reply(_reply(1)))
    assert f"the reply is {size} bytes encoded; the broker refused it" in reply.error.message
    assert "the limit is" not in reply.error.message  # the topic's limit is not known to the runner
    producer.deliver_all()
    assert settled == [_ticket(1)]


def test_any_other_refusal_settles_the_ticket(sender):
    replies, producer, settled = sender
    replies.hold()
    replies.send(_reply(1, ReplyStatus.ERROR), "replies.a", _ticket(1))
    producer.batch_errors = {0: KafkaError._UNKNOWN_TOPIC}
    replies.release()
    assert producer.produced == [] and settled == [_ticket(1)]


def test_a_batch_call_that_raises_falls_back_to_one_by_one(sender):
    replies, producer, settled = sender
    replies.hold()
    for i in range(2):
        replies.send(_reply(i), "replies.a", _ticket(i))
    producer.batch_raises = True
    replies.release()
    assert [decode_reply(v).id for _, v, _, _ in producer.produced] == ["id-0", "id-1"]
    producer.deliver_all()
    assert sorted(settled) == [_ticket(0), _ticket(1)]


def test_a_failed_delivery_of_a_batched_reply_is_retried_then_settled(sender):
    replies, producer, settled = sender
    replies.hold()
    replies.send(_reply(1), "replies.a", _ticket(1))
    replies.release()
    producer.deliver_all(KafkaError(KafkaError._MSG_TIMED_OUT))  # retried (produced again, not held)
    assert len(producer.produced) == 1 and settled == []
    producer.deliver_all()
    assert settled == [_ticket(1)]
