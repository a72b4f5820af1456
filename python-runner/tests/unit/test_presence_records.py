"""Presence records: the shared vectors (presence.json) both ways, liveness, typed errors."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from mlbridge_runner.presence.records import (
    BadPresenceRecord,
    PresenceRecord,
    _to_wire,
    decode_presence,
    encode_presence,
    presence_topic_for,
)
from mlbridge_devtools.envelope_vectors import find_vectors_dir
from mlbridge_devtools.presence_vectors import presence_cases

CASES = json.loads((find_vectors_dir() / "presence.json").read_text(encoding="utf-8"))["cases"]


def test_the_file_is_up_to_date():
    assert [c["name"] for c in CASES] == [name for name, _ in presence_cases()]
    assert [c["hex"] for c in CASES] == [encode_presence(record).hex() for _, record in presence_cases()]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_vector_decodes_to_its_value(case):
    decoded = decode_presence(bytes.fromhex(case["hex"]))
    assert _to_wire(decoded) == case["value"]
    assert decoded.id == case["key"]


def test_round_trip_keeps_every_field():
    for _, record in presence_cases():
        assert decode_presence(encode_presence(record)) == record


def test_a_long_served_count_survives():
    record = presence_cases()[1][1]
    assert record.served > 2**32
    assert decode_presence(encode_presence(record)).served == record.served


@pytest.mark.parametrize("data", [b"", b"\xc3\x01" + b"\x00" * 8, b"not a record"])
def test_garbage_is_a_typed_error(data):
    with pytest.raises(BadPresenceRecord):
        decode_presence(data)


def test_truncated_body_is_a_typed_error():
    with pytest.raises(BadPresenceRecord, match="does not decode"):
        decode_presence(encode_presence(presence_cases()[1][1])[:-3])


def test_live_for_three_intervals():
    record = replace(PresenceRecord("h/1/a", "c", "h", 1, "v", "g", "t"), updated_at_ms=10_000, interval_ms=1000)
    assert record.live(12_999)
    assert not record.live(13_000)


def test_topic_follows_the_request_topic():
    assert presence_topic_for("ml.pipeline.input") == "ml.pipeline.input.runners"
