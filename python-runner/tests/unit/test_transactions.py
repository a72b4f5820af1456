"""The transactional outbox with a fake producer: what goes into which transaction."""

from confluent_kafka import KafkaError, KafkaException

from mlbridge_runner.codec.envelopes import ReplyEnvelope, ReplyStatus, Timings, decode_reply, encode_reply
from mlbridge_runner.runner.offsets import OffsetTracker
from mlbridge_runner.runner.transactions import Record, TransactionalOutbox, TransactionalReplies


class FakeConsumer:
    def consumer_group_metadata(self):
        return "group-metadata"


class FakeProducer:
    def __init__(self):
        self.transactions = []  # (records, offsets) per committed transaction
        self.aborted = 0
        self.fail_next_commit = None
        self.reject = {}  # topic -> KafkaError code raised by produce
        self.undeliverable = {}  # topic -> KafkaError code of a failed delivery (aborts the commit)
        self._open = None

    def begin_transaction(self):
        assert self._open is None
        self._open = ([], {})

    def produce(self, topic, value=None, key=None, headers=None, on_delivery=None):
        if topic in self.reject:
            raise KafkaException(KafkaError(self.reject[topic]))
        self._open[0].append((topic, value, on_delivery))

    def send_offsets_to_transaction(self, offsets, metadata, timeout):
        assert metadata == "group-metadata"
        self._open[1].update({(tp.topic, tp.partition): tp.offset for tp in offsets})

    def commit_transaction(self, timeout):
        failed = [(t, cb) for t, _, cb in self._open[0] if t in self.undeliverable]
        for topic, callback in failed:
            callback(KafkaError(self.undeliverable[topic]), None)
        if failed:
            raise KafkaException(KafkaError(KafkaError._STATE, "delivery failed", txn_requires_abort=True))
        if self.fail_next_commit is not None:
            code, self.fail_next_commit = self.fail_next_commit, None
            raise KafkaException(KafkaError(code, "boom", txn_requires_abort=True))
        self.transactions.append(([(t, v) for t, v, _ in self._open[0]], self._open[1]))
        self._open = None

    def abort_transaction(self, timeout):
        self.aborted += 1
        self._open = None

    def flush(self, timeout):
        return 0

    def poll(self, timeout):
        return 0


def _setup(partitions=1):
    tracker = OffsetTracker()
    tracker.assign(("t", p) for p in range(partitions))
    producer = FakeProducer()
    return tracker, producer, TransactionalOutbox(producer, FakeConsumer(), tracker)


def test_records_go_out_with_their_offsets_in_order_per_partition():
    tracker, producer, outbox = _setup()
    tickets = [tracker.track("t", 0, offset) for offset in range(3)]
    outbox.add(tickets[1], [Record("replies", b"r1")])
    outbox.add(tickets[2], [Record("replies", b"r2")])
    outbox.commit()
    assert producer.transactions == []  # offset 0 still running: both held
    outbox.add(tickets[0], [Record("replies", b"r0")])
    outbox.commit()
    [(records, offsets)] = producer.transactions
    assert sorted(v for _, v in records) == [b"r0", b"r1", b"r2"] and offsets == {("t", 0): 3}
    outbox.commit()
    assert len(producer.transactions) == 1  # nothing new: no empty transaction


def test_one_transaction_per_iteration_across_partitions():
    tracker, producer, outbox = _setup(2)
    for partition in range(2):
        for offset in range(5):
            outbox.add(tracker.track("t", partition, offset), [Record("replies", f"{partition}/{offset}".encode())])
    outbox.commit()
    [(records, offsets)] = producer.transactions
    assert len(records) == 10 and offsets == {("t", 0): 5, ("t", 1): 5}


def test_revoked_partitions_drop_their_records():
    tracker, producer, outbox = _setup(2)
    slow = tracker.track("t", 0, 0)
    held = tracker.track("t", 0, 1)
    outbox.add(held, [Record("replies", b"held")])
    outbox.commit()
    outbox.forget({("t", 0)})
    tracker.revoke([("t", 0)])
    outbox.add(slow, [Record("replies", b"late")])  # finished after the revoke
    outbox.add(tracker.track("t", 1, 0), [Record("replies", b"other")])
    outbox.commit()
    [(records, offsets)] = producer.transactions
    assert records == [("replies", b"other")] and offsets == {("t", 1): 1}


def test_an_aborted_transaction_is_retried_and_undeliverable_records_dropped():
    tracker, producer, outbox = _setup()
    outbox.add(tracker.track("t", 0, 0), [Record("replies", b"ok")])
    producer.fail_next_commit = KafkaError._STATE
    outbox.commit()
    assert producer.aborted == 1 and producer.transactions == []
    outbox._not_before = 0  # skip the retry backoff
    producer.undeliverable["gone"] = KafkaError.UNKNOWN_TOPIC_OR_PART
    outbox.add(tracker.track("t", 0, 1), [Record("gone", b"nobody")])
    outbox.commit()  # the failed delivery aborts this one too
    assert producer.aborted == 2 and producer.transactions == []
    outbox._not_before = 0
    outbox.commit()
    [(records, offsets)] = producer.transactions
    assert records == [("replies", b"ok")] and offsets == {("t", 0): 2}
    assert outbox.committable == 0


def test_a_refused_record_is_left_out_and_its_offset_committed():
    tracker, producer, outbox = _setup()
    producer.reject["bad"] = KafkaError.TOPIC_AUTHORIZATION_FAILED
    outbox.add(tracker.track("t", 0, 0), [Record("bad", b"x")])
    outbox.commit()
    assert producer.transactions == [([], {("t", 0): 1})]


def test_an_oversized_result_becomes_a_too_large_error_reply():
    tracker, producer, outbox = _setup()
    replies = TransactionalReplies(outbox)
    reply = ReplyEnvelope(id="r", status=ReplyStatus.OK, result=b"x" * 100, result_schema="s", timings=Timings())
    replies.send(reply, "big", tracker.track("t", 0, 0))

    def produce_once(topic, value=None, **kw):
        if topic == "big" and decode_reply(value).status is ReplyStatus.OK:
            raise KafkaException(KafkaError(KafkaError.MSG_SIZE_TOO_LARGE))
        producer._open[0].append((topic, value, kw.get("on_delivery")))

    producer.produce = produce_once
    outbox.commit()
    [(records, offsets)] = producer.transactions
    sent = decode_reply(records[0][1])
    assert sent.status is ReplyStatus.ERROR and sent.error.code == "RESULT_TOO_LARGE" and offsets == {("t", 0): 1}
    size = len(encode_reply(reply))
    assert f"{size} bytes encoded; the limit is 1000000 bytes" in sent.error.message
