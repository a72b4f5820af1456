"""The catalogue view against a scripted consumer: applying entries, tombstones and bad records,
reading to the end, and the background tail."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
from confluent_kafka import KafkaError

from mlbridge_runner import logging as runner_logging
from mlbridge_runner.catalog.entries import CatalogEntry, CatalogKind, encode_entry, schema_entry
from mlbridge_runner.catalog.view import CatalogUnavailable, CatalogView
from mlbridge_runner.contract import SchemaStore, schema_ref

TOPIC = "ml.pipeline.catalog"
ARGS = {"type": "record", "name": "Args", "namespace": "mlbridge.pipeline.add", "fields": [{"name": "a", "type": "long"}]}


def add_entry(version: int = 1) -> CatalogEntry:
    return CatalogEntry(
        kind=CatalogKind.PIPELINE,
        name="add",
        version=version,
        typed=True,
        args_ref=schema_ref(ARGS),
        args_schema=json.dumps(ARGS),
        result_ref=schema_ref("long"),
        result_schema='"long"',
    )


class FakeError:
    def __init__(self, code: int) -> None:
        self._code = code

    def code(self) -> int:
        return self._code

    def str(self) -> str:
        return f"error {self._code}"

    def fatal(self) -> bool:
        return False


class FakeMessage:
    def __init__(self, offset: int, key: bytes | None, value: bytes | None, error: FakeError | None = None) -> None:
        self._offset, self._key, self._value, self._error = offset, key, value, error

    def topic(self):
        return TOPIC

    def partition(self):
        return 0

    def offset(self):
        return self._offset

    def key(self):
        return self._key

    def value(self):
        return self._value

    def error(self):
        return self._error


class FakeTopic:
    error = None
    partitions = {0: object()}


class FakeMetadata:
    topics = {TOPIC: FakeTopic()}


class FakeConsumer:
    """Delivers ``records`` (key, value) one per poll, then nothing; high watermark = len(records)."""

    def __init__(self, records: list[tuple[bytes | None, bytes | None]], eof: bool = False) -> None:
        self.records = list(records)
        self.high = len(records)
        self.next = 0
        self.eof = eof
        self.closed = False
        self.assigned = None
        self.lock = threading.Lock()

    def list_topics(self, topic, timeout):
        return FakeMetadata()

    def assign(self, partitions):
        self.assigned = partitions

    def get_watermark_offsets(self, tp, timeout):
        return 0, self.high

    def position(self, partitions):
        return partitions  # offsets unknown (-1001) before the first fetch

    def push(self, key, value):
        with self.lock:
            self.records.append((key, value))
            self.high = len(self.records)

    def poll(self, timeout):
        with self.lock:
            if self.next < len(self.records):
                key, value = self.records[self.next]
                self.next += 1
                return FakeMessage(self.next - 1, key, value)
            if self.eof:
                self.eof = False
                return FakeMessage(self.next, None, None, FakeError(KafkaError._PARTITION_EOF))
        time.sleep(min(timeout, 0.01))
        return None

    def close(self):
        self.closed = True


@pytest.fixture
def logs():
    runner_logging.configure("debug")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    logging.getLogger(runner_logging.LOGGER_NAME).addHandler(handler)
    yield records
    logging.getLogger(runner_logging.LOGGER_NAME).removeHandler(handler)


def view_of(records, store=None, **kw) -> tuple[CatalogView, FakeConsumer]:
    consumer = FakeConsumer(records, **kw)
    return CatalogView({}, TOPIC, store, consumer=consumer), consumer


def test_catch_up_reads_to_the_end_and_feeds_the_store():
    store = SchemaStore()
    schema = schema_entry(schema_ref({"type": "array", "items": "string"}), {"type": "array", "items": "string"})
    view, consumer = view_of(
        [(b"pipeline/add/1", encode_entry(add_entry(1))), (schema.key.encode(), encode_entry(schema))], store
    )
    view.catch_up(2.0)
    assert [e.key for e in view.entries()] == ["pipeline/add/1", schema.key]
    assert [e.version for e in view.pipelines()] == [1]
    assert view.get("pipeline/add/1") == add_entry(1)
    assert set(store.refs()) == {schema_ref(ARGS), schema_ref("long"), schema.name}
    assert consumer.assigned[0].offset == -2  # OFFSET_BEGINNING: the whole compacted topic


def test_tombstone_retires_and_a_later_entry_replaces():
    view, _ = view_of(
        [
            (b"pipeline/add/1", encode_entry(add_entry(1))),
            (b"pipeline/add/2", encode_entry(add_entry(2))),
            (b"pipeline/add/1", None),
        ]
    )
    view.catch_up(2.0)
    assert sorted(view.versions("add")) == [2]
    assert view.get("pipeline/add/1") is None


@pytest.mark.parametrize(
    "key, value",
    [
        (b"pipeline/add/1", b"garbage bytes"),
        (b"pipeline/add/1", b"\xc3\x01" + b"\x00" * 8 + b"body of an unknown schema"),
        (b"not-a-key", None),
        (None, b"x"),
        (b"pipeline/add/9", encode_entry(add_entry(1))),  # key and value disagree
    ],
)
def test_bad_records_are_skipped_with_a_warning(logs, key, value):
    view, _ = view_of([(key, value), (b"pipeline/add/1", encode_entry(add_entry(1)))])
    view.catch_up(2.0)
    assert view.skipped == 1
    assert [e.key for e in view.entries()] == ["pipeline/add/1"]
    skipped = [r for r in logs if getattr(r, "event", None) == "catalog.entry_skipped"]
    assert len(skipped) == 1 and skipped[0].levelno == logging.WARNING
    assert skipped[0].fields["offset"] == 0 and skipped[0].fields["error"]


def test_a_schema_the_store_refuses_is_skipped(logs):
    class Refusing:
        def add(self, schema):
            raise ValueError("no thanks")

    view, _ = view_of([(b"pipeline/add/1", encode_entry(add_entry(1)))], Refusing())
    view.catch_up(2.0)
    assert view.entries() == [] and view.skipped == 1


def test_empty_topic_is_read_at_once():
    view, _ = view_of([])
    started = time.monotonic()
    view.catch_up(2.0)
    assert view.entries() == [] and time.monotonic() - started < 0.5


def test_end_of_partition_event_ends_the_catch_up():
    view, consumer = view_of([(b"pipeline/add/1", encode_entry(add_entry(1)))], eof=True)
    consumer.high = 5  # offsets beyond the last record (compaction gaps, transaction markers)
    view.catch_up(2.0)
    assert len(view.entries()) == 1


def test_catch_up_times_out_with_a_clear_error():
    view, consumer = view_of([])
    consumer.high = 3  # records that never arrive
    with pytest.raises(CatalogUnavailable, match="not read to its end within 0.3 s"):
        view.catch_up(0.3)


def test_missing_topic_is_unavailable():
    class Missing(FakeConsumer):
        def list_topics(self, topic, timeout):
            class Meta:
                topics = {}

            return Meta()

    view = CatalogView({}, TOPIC, consumer=Missing([]))
    with pytest.raises(CatalogUnavailable, match="no partitions"):
        view.catch_up(0.5)


def test_background_tail_sees_new_entries_and_stops_on_close():
    store = SchemaStore()
    view, consumer = view_of([(b"pipeline/add/1", encode_entry(add_entry(1)))], store)
    view.catch_up(2.0)
    view.start()
    later = {"type": "map", "values": "double"}
    entry = schema_entry(schema_ref(later), later)
    consumer.push(entry.key.encode(), encode_entry(entry))
    consumer.push(b"garbage", b"garbage")
    assert store.wait_for(schema_ref(later), 5.0) is not None
    deadline = time.monotonic() + 5
    while view.skipped < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert view.skipped == 1  # the tail goes on past a bad record
    view.close()
    assert consumer.closed
    view.close()  # idempotent


def test_tail_survives_a_failing_poll(logs):
    view, consumer = view_of([])
    calls = {"n": 0}
    original = consumer.poll

    def flaky(timeout):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("poll broke")
        return original(timeout)

    consumer.poll = flaky  # type: ignore[method-assign]
    view.start()
    consumer.push(b"pipeline/add/1", encode_entry(add_entry(1)))
    deadline = time.monotonic() + 5
    while view.get("pipeline/add/1") is None and time.monotonic() < deadline:
        time.sleep(0.01)
    view.close()
    assert view.get("pipeline/add/1") is not None
    assert any(getattr(r, "event", None) == "catalog.tail_error" for r in logs)
