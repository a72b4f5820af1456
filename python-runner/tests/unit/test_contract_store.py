"""SchemaStore: add/get by reference, waiting for a schema another thread adds."""

from __future__ import annotations

import json
import threading
import time

import pytest

from mlbridge_runner.contract import SchemaStore, schema_ref

SCHEMA = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}


def test_add_and_get():
    store = SchemaStore()
    ref = store.add(SCHEMA)
    assert ref == schema_ref(SCHEMA)
    assert store.get(ref)["name"] == "R"
    assert store.get(ref.upper().replace("CRC64", "crc64")) is not None
    assert store.raw(ref) == SCHEMA
    assert store.refs() == [ref] and ref in store and len(store) == 1


def test_add_json_text_and_primitives():
    store = SchemaStore()
    assert store.add(json.dumps(SCHEMA)) == schema_ref(SCHEMA)
    assert store.add("long") == schema_ref("long")
    assert store.add('"long"') == schema_ref("long")
    assert len(store) == 2


def test_adding_twice_is_harmless():
    store = SchemaStore()
    assert store.add(SCHEMA) == store.add(dict(SCHEMA))
    assert len(store) == 1


def test_invalid_schema_is_refused_and_not_stored():
    store = SchemaStore()
    with pytest.raises(Exception):
        store.add({"type": "record", "name": "R", "fields": [{"name": "a", "type": "nope"}]})
    assert len(store) == 0


def test_unknown_ref():
    store = SchemaStore()
    assert store.get("crc64:0000000000000000") is None
    started = time.monotonic()
    assert store.wait_for("crc64:0000000000000000", 0.1) is None
    assert 0.09 <= time.monotonic() - started < 2


def test_wait_for_wakes_when_added():
    store = SchemaStore()
    ref = schema_ref(SCHEMA)
    timer = threading.Timer(0.1, store.add, args=(SCHEMA,))
    timer.start()
    started = time.monotonic()
    try:
        assert store.wait_for(ref, 5)["name"] == "R"
    finally:
        timer.cancel()
    assert time.monotonic() - started < 2


def test_wait_for_zero_does_not_block():
    assert SchemaStore().wait_for("crc64:00", 0) is None
