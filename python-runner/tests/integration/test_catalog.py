"""The catalogue against the real broker and real runner processes: publish on start, refusal of
incompatible versions (exit 2), retirement, bad records, concurrent starts, the live view."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from mlbridge_runner.catalog import CatalogView, decode_record, encode_entry, publish_entries, schema_entry
from mlbridge_runner.catalog.entries import entry_from_wire
from mlbridge_runner.catalog.publisher import publisher_settings
from mlbridge_runner.catalog.view import view_settings
from mlbridge_runner.codec.envelopes import RequestEnvelope, encode_request
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import decode_value
from mlbridge_runner.contract import SchemaStore, schema_ref
from mlbridge_runner.transport.topics import ensure_catalog_topic

from .kafka_client import Caller, read_all, unique, wait_for_lag
from .runner_process import FIXTURES, PACKAGE_ROOT, RunnerProcess

TYPED = PACKAGE_ROOT.parent / "test" / "fixtures" / "typed_pipelines.py"
TYPED_V2 = PACKAGE_ROOT.parent / "test" / "fixtures" / "typed_pipelines_v2.py"
ADD_V2_REQUIRED = FIXTURES / "catalog_add_v2_required.py"
ADD_V1_CHANGED = FIXTURES / "catalog_add_v1_changed.py"


def catalog_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "mlbridge_runner", "catalog", *args], capture_output=True, text=True, env=env, timeout=60
    )


def seed(brokers: str, topic: str, pipelines: Path) -> list[str]:
    """Publish what a runner of ``pipelines`` would (the ``catalog --json`` dump); returns the keys."""
    done = catalog_cli("--pipelines", str(pipelines), "--json")
    assert done.returncode == 0, done.stderr
    entries = [entry_from_wire({k: v for k, v in shown.items() if k != "key"}) for shown in json.loads(done.stdout)]
    ensure_catalog_topic({"bootstrap.servers": brokers}, topic)
    publish_entries(publisher_settings(brokers, "catalog-test", 10), topic, entries)
    return [e.key for e in entries]


def live_keys(brokers: str, topic: str) -> set[str]:
    done = catalog_cli("list", "--brokers", brokers, "--catalog-topic", topic, "--json")
    assert done.returncode == 0, done.stderr
    return {shown["key"] for shown in json.loads(done.stdout)}


def start(brokers: str, catalog: str, *pipelines: Path, request_topic: str | None = None, group: str | None = None) -> RunnerProcess:
    extra: list[str] = ["--catalog-topic", catalog, "--grace-seconds", "2"]
    for path in pipelines:
        extra += ["--pipelines", str(path)]
    return RunnerProcess(brokers, request_topic or unique("mlbt.requests"), group or unique("mlbt.group"), *extra)


def refused(process: RunnerProcess, timeout: float = 40.0) -> dict[str, Any]:
    """Wait for the runner to exit; it must exit 2 having logged catalog.refused (returned)."""
    try:
        code = process.proc.wait(timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        raise AssertionError(f"the runner did not refuse to start:\n{process.log_text()}") from None
    assert code == 2, process.log_text()
    events = [e for e in process.events() if e.get("event") == "catalog.refused"]
    assert len(events) == 1, process.log_text()
    assert not any(e.get("event") == "runner.started" for e in process.events())
    return events[0]


#: typed_add's args as an older client wrote them (no ``b``): a schema the runner does not know.
OLDER_ADD_ARGS: dict[str, Any] = {
    "type": "record",
    "name": "Args",
    "namespace": "mlbridge.pipeline.typed_add",
    "fields": [{"name": "a", "type": "long"}],
}


def older_add_request(caller: Caller, a: int) -> RequestEnvelope:
    """A typed_add request whose args were written with :data:`OLDER_ADD_ARGS`."""
    body = io.BytesIO()
    schemaless_writer(body, parse_schema(OLDER_ADD_ARGS), {"a": a})
    return dataclasses.replace(caller.request("typed_add"), args=body.getvalue(), args_schema=schema_ref(OLDER_ADD_ARGS))


def long_result(reply: Any) -> int:
    return int(schemaless_reader(io.BytesIO(reply.result), "long", None))


@pytest.fixture
def catalog() -> str:
    return unique("mlbt.catalog")


def test_runner_publishes_its_entries_before_it_serves(brokers, catalog):
    runner = start(brokers, catalog, TYPED)
    try:
        started = runner.wait_for("runner.assigned")
        names = [e["event"] for e in runner.events()]
        assert names.index("catalog.loaded") < names.index("catalog.published") < names.index("runner.started")
        identity = runner.wait_for("runner.started")["runner"]
        published = runner.wait_for("catalog.published")["keys"]
        messages = read_all(brokers, catalog, 0, lambda got: len(got) >= len(published))
    finally:
        runner.terminate()
    assert started
    entries = {}
    for msg in messages:
        key, entry = decode_record(msg.key(), msg.value())
        assert entry is not None
        entries[entry.key] = entry
    assert {"pipeline/typed_add/1", "pipeline/typed_train/1", "pipeline/echo/1", "pipeline/slow/1"} <= set(entries)
    add = entries["pipeline/typed_add/1"]
    assert add.typed and add.runner == identity and add.doc == "Add two integers."
    assert add.args_ref == schema_ref(json.loads(add.args_schema))
    assert add.published_at_ms > time.time() * 1000 - 120_000
    echo = entries["pipeline/echo/1"]  # untyped pipelines are listed too
    assert not echo.typed and echo.args_ref == wire_schemas().value.reference and echo.args_schema == ""
    assert entries["pipeline/slow/1"].timeout_ms == 60_000
    assert set(entries) == set(published) == live_keys(brokers, catalog)


def test_incompatible_v2_is_refused_with_exit_2(brokers, catalog):
    seed(brokers, catalog, TYPED)
    event = refused(start(brokers, catalog, ADD_V2_REQUIRED))
    message = event["message"]
    assert "pipeline 'typed_add' version 2 cannot read the arguments of version 1 callers" in message
    assert "'c'" in message
    assert event["conflicts"] == [
        {"pipeline": "typed_add", "version": 2, "published_version": 1, "problem": event["conflicts"][0]["problem"]}
    ]
    assert "pipeline/typed_add/2" not in live_keys(brokers, catalog)  # a refused runner publishes nothing


def test_compatible_v2_starts_next_to_v1(brokers, catalog):
    seed(brokers, catalog, TYPED)
    runner = start(brokers, catalog, TYPED_V2)
    try:
        runner.wait_for("runner.assigned")
    finally:
        assert runner.terminate() == 0
    keys = live_keys(brokers, catalog)
    assert {"pipeline/typed_add/1", "pipeline/typed_add/2", "pipeline/typed_train/2"} <= keys


def test_same_version_with_other_schemas_is_refused(brokers, catalog):
    seed(brokers, catalog, TYPED)
    message = refused(start(brokers, catalog, ADD_V1_CHANGED))["message"]
    assert "pipeline 'typed_add' version 1 is already published with other schemas" in message
    assert "bump the version" in message


def test_retire_writes_a_tombstone(brokers, catalog):
    seed(brokers, catalog, TYPED)
    unknown = catalog_cli("retire", "typed_add", "7", "--brokers", brokers, "--catalog-topic", catalog)
    assert unknown.returncode == 2
    assert "no entry 'pipeline/typed_add/7'" in unknown.stderr and "published versions of 'typed_add': 1" in unknown.stderr

    done = catalog_cli("retire", "typed_add", "1", "--brokers", brokers, "--catalog-topic", catalog)
    assert done.returncode == 0, done.stderr
    assert f"retired pipeline/typed_add/1 on {catalog}" in done.stdout
    tombstones = read_all(brokers, catalog, 0, lambda got: any(m.value() is None for m in got))
    assert [m.key() for m in tombstones if m.value() is None] == [b"pipeline/typed_add/1"]
    keys = live_keys(brokers, catalog)
    assert "pipeline/typed_add/1" not in keys and "pipeline/typed_train/1" in keys

    # With version 1 retired, the changed version 1 may start (and publishes itself).
    runner = start(brokers, catalog, ADD_V1_CHANGED)
    try:
        runner.wait_for("runner.assigned")
    finally:
        runner.terminate()
    assert "pipeline/typed_add/1" in live_keys(brokers, catalog)


def test_bad_catalogue_records_are_skipped(brokers, catalog):
    ensure_catalog_topic({"bootstrap.servers": brokers}, catalog)
    producer = Producer({"bootstrap.servers": brokers})
    request = encode_request(RequestEnvelope("id", "add", b"", wire_schemas().value.reference, "replies"))
    good = schema_entry(schema_ref("long"), "long")

    bad = [
        (b"pipeline/typed_add/1", b"garbage"),  # not a frame
        (b"pipeline/typed_add/1", request),  # another schema
        (b"no-such-kind/x", encode_entry(good)),  # bad key
        (b"pipeline/typed_add/9", encode_entry(good)),  # key and value disagree
        (b"schema/crc64:0011223344556677", b""),  # empty value (not a tombstone)
    ]  # (a record without a key cannot exist here: a compacted topic refuses it)
    failed: list[Any] = []
    for key, value in bad:
        producer.produce(catalog, key=key, value=value, on_delivery=lambda err, _msg: err and failed.append(err))
    producer.flush(10)
    assert failed == []

    runner = start(brokers, catalog, TYPED)
    try:
        runner.wait_for("runner.assigned")
        loaded = runner.wait_for("catalog.loaded")
        assert loaded["skipped"] == len(bad)
        skipped = [e for e in runner.events() if e.get("event") == "catalog.entry_skipped"]
        assert len(skipped) == len(bad) and all(e["level"] == "warn" and e["error"] for e in skipped)
        # While it runs too: the background tail warns and goes on.
        producer.produce(catalog, key=b"pipeline/x/1", value=b"\xc3\x01garbage")
        producer.flush(10)
        deadline = time.monotonic() + 15
        while len([e for e in runner.events() if e.get("event") == "catalog.entry_skipped"]) <= len(bad):
            assert time.monotonic() < deadline, runner.log_text()
            time.sleep(0.1)
        caller = Caller(brokers, runner.request_topic)
        try:
            reply = caller.invoke("add", {"a": 2, "b": 3}, timeout=30)
        finally:
            caller.close()
        assert reply.error is None, reply.error
        assert runner.proc.poll() is None
    finally:
        assert runner.terminate() == 0


def test_two_runners_of_one_version_start_together(brokers, catalog):
    topic, group = unique("mlbt.requests"), unique("mlbt.group")
    runners = [start(brokers, catalog, TYPED, request_topic=topic, group=group) for _ in range(2)]
    try:
        for runner in runners:
            runner.wait_for("catalog.published", timeout=40)
            runner.wait_for("runner.started", timeout=40)
    finally:
        codes = [runner.terminate() for runner in runners]
    assert codes == [0, 0]


def test_view_feeds_the_schema_store_and_keeps_tailing(brokers, catalog):
    ensure_catalog_topic({"bootstrap.servers": brokers}, catalog)
    settings = publisher_settings(brokers, "catalog-test", 10)
    first = {"type": "array", "items": "string"}
    later = {"type": "map", "values": "double"}
    publish_entries(settings, catalog, [schema_entry(schema_ref(first), first)])
    store = SchemaStore()
    view = CatalogView(view_settings(brokers, "catalog-test"), catalog, store)
    try:
        view.catch_up(15)
        assert schema_ref(first) in store
        view.start()
        publish_entries(settings, catalog, [schema_entry(schema_ref(later), later)])
        assert store.wait_for(schema_ref(later), 10) is not None
        assert {e.name for e in view.entries()} == {schema_ref(first), schema_ref(later)}
    finally:
        view.close()


def test_the_catalogue_topic_is_compacted_with_one_partition(brokers, catalog):
    from confluent_kafka.admin import AdminClient, ConfigResource

    assert ensure_catalog_topic({"bootstrap.servers": brokers}, catalog) is True
    assert ensure_catalog_topic({"bootstrap.servers": brokers}, catalog) is False  # exists: left as it is
    admin = AdminClient({"bootstrap.servers": brokers})
    assert len(admin.list_topics(catalog, timeout=10).topics[catalog].partitions) == 1
    resource = ConfigResource(ConfigResource.Type.TOPIC, catalog)
    configs = admin.describe_configs([resource])[resource].result(timeout=10)
    assert configs["cleanup.policy"].value == "compact"


def test_a_writer_schema_published_to_the_catalogue_is_resolved_by_the_runner(brokers, catalog):
    """A client pinned an older args schema (no ``b``) and published it as a SCHEMA entry after the
    runner started: the runner's background view hands it to the dispatcher, which resolves it."""
    runner = start(brokers, catalog, TYPED)
    caller = None
    try:
        runner.wait_for("runner.assigned")
        caller = Caller(brokers, runner.request_topic)
        ref = schema_ref(OLDER_ADD_ARGS)
        unknown = caller.wait(caller.send(older_add_request(caller, 40)), timeout=30)
        assert unknown.error is not None and unknown.error.code == "INVALID_ARGUMENTS"
        assert ref in unknown.error.message

        publish_entries(publisher_settings(brokers, "catalog-test", 10), catalog, [schema_entry(ref, OLDER_ADD_ARGS)])
        reply = caller.wait(caller.send(older_add_request(caller, 40)), timeout=30)
        assert reply.error is None, reply.error
        assert reply.result_schema == schema_ref("long")
        assert long_result(reply) == 40  # b took its default 0
    finally:
        if caller is not None:
            caller.close()
        runner.terminate()


def test_a_call_waiting_for_its_writer_schema_does_not_hold_up_the_calls_behind_it(brokers, catalog):
    """The runner parks a call whose writer schema the catalogue has not brought yet, off its
    consume thread: a call behind it on the same partition is answered meanwhile, the parked one
    runs once the schema is published, and both offsets are committed."""
    runner = start(brokers, catalog, TYPED)
    caller = None
    try:
        runner.wait_for("runner.assigned")
        caller = Caller(brokers, runner.request_topic)
        parked = caller.send(older_add_request(caller, 41), key=b"k")
        behind = caller.send(caller.request("typed_add", {"a": 1, "b": 2}), key=b"k")  # same partition, next offset

        answered = caller.wait(behind, timeout=30)
        assert answered.error is None, answered.error
        assert decode_value(answered.result) == 3  # a generic call: a generic reply
        assert parked not in caller.replies  # still waiting for its schema, not refused

        ref = schema_ref(OLDER_ADD_ARGS)
        publish_entries(publisher_settings(brokers, "catalog-test", 10), catalog, [schema_entry(ref, OLDER_ADD_ARGS)])
        reply = caller.wait(parked, timeout=30)
        assert reply.error is None, reply.error
        assert long_result(reply) == 41  # b took its default 0
        assert wait_for_lag(brokers, runner.group, runner.request_topic, 0) == 0
    finally:
        if caller is not None:
            caller.close()
        runner.terminate()


def test_a_call_parked_for_its_schema_when_the_runner_stops_is_answered_by_the_next(brokers, catalog):
    """A graceful stop leaves a parked call uncommitted (like a queued one): the next runner of the
    group, which finds the schema published meanwhile, answers it. Nothing is lost or refused."""
    first = start(brokers, catalog, TYPED)
    caller = None
    second = None
    try:
        first.wait_for("runner.assigned")
        caller = Caller(brokers, first.request_topic)
        parked = caller.send(older_add_request(caller, 7))
        assert caller.wait(caller.send(caller.request("typed_add", {"a": 0})), 30).error is None
        first.terminate()  # graceful: the parked call is left to the group
        assert parked not in caller.replies
        ref = schema_ref(OLDER_ADD_ARGS)
        publish_entries(publisher_settings(brokers, "catalog-test", 10), catalog, [schema_entry(ref, OLDER_ADD_ARGS)])
        second = start(brokers, catalog, TYPED, request_topic=first.request_topic, group=first.group)
        reply = caller.wait(parked, timeout=60)
        assert reply.error is None, reply.error
        assert long_result(reply) == 7
    finally:
        if caller is not None:
            caller.close()
        first.terminate()
        if second is not None:
            second.terminate()


def test_list_and_retire_from_the_command_line(brokers, catalog):
    missing = catalog_cli("list", "--brokers", brokers, "--catalog-topic", catalog, "--timeout", "3")
    assert missing.returncode == 1 and f"catalogue topic '{catalog}' cannot be read" in missing.stderr

    seed(brokers, catalog, TYPED)
    shown = catalog_cli("list", "--brokers", brokers, "--catalog-topic", catalog)
    assert shown.returncode == 0, shown.stderr
    assert "pipeline  typed_add v1  typed  args crc64:" in shown.stdout and "Add two integers." in shown.stdout

    forced = catalog_cli("retire", "typed_add", "9", "--force", "--brokers", brokers, "--catalog-topic", catalog)
    assert forced.returncode == 0 and "retired pipeline/typed_add/9" in forced.stdout
    assert "pipeline/typed_add/1" in live_keys(brokers, catalog)


FORWARD_V2 = '''
from mlbridge_runner import pipeline


@pipeline("typed_add", version=2)
def typed_add(b: int = 0) -> int:
    """Version 2 drops the required 'a': version 1 runners cannot read its calls."""
    return b


@pipeline("forgot_return")
def forgot_return(a: int):
    return a
'''


def test_forward_incompatible_v2_starts_with_one_warning_per_problem(brokers, catalog, tmp_path):
    seed(brokers, catalog, TYPED)
    fixture = tmp_path / "forward_v2.py"
    fixture.write_text(FORWARD_V2)
    runner = start(brokers, catalog, fixture)
    try:
        runner.wait_for("runner.assigned")
        logged = runner.events()
    finally:
        assert runner.terminate() == 0
    warned = [e for e in logged if e.get("event") == "catalog.forward_incompatible"]
    assert len(warned) == 1, runner.log_text()
    warning = warned[0]
    assert warning["level"] == "warn"
    assert (warning["pipeline"], warning["version"], warning["published_version"], warning["direction"]) == (
        "typed_add", 2, 1, "arguments"
    )
    assert warning["message"].startswith(
        "pipeline 'typed_add': version 2 calls that reach a runner still at version 1 fail: field 'a'"
    )
    assert "finish the rollout of version 2 runners before clients use version 2" in warning["message"]
    names = [e.get("event") for e in logged]
    assert names.index("catalog.forward_incompatible") < names.index("catalog.published") < names.index("runner.started")
    # The untyped pipeline says why it has no types, once, after runner.started.
    untyped = [e for e in logged if e.get("event") == "pipeline.untyped"]
    mine = [(e["reason"], e["level"]) for e in untyped if e["pipeline"] == "forgot_return"]
    assert mine == [("no return annotation", "info")], runner.log_text()
    assert len({e["pipeline"] for e in untyped}) == len(untyped)  # one line per pipeline
    assert "typed_add" not in {e["pipeline"] for e in untyped}
    assert names.index("runner.started") < names.index("pipeline.untyped")
    assert "pipeline/typed_add/2" in live_keys(brokers, catalog)
