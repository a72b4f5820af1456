"""Job state records: the shared vectors (jobs.json) both ways, and what a view keeps."""

from __future__ import annotations

import json

import pytest

from mlbridge_runner.jobs.records import (
    BadJobRecord,
    decode_record,
    encode_record,
    job_state_topic_for,
    job_topic_for,
)
from mlbridge_devtools.job_vectors import job_cases, record_to_json
from mlbridge_devtools.envelope_vectors import find_vectors_dir

CASES = json.loads((find_vectors_dir() / "jobs.json").read_text(encoding="utf-8"))["cases"]


def test_the_file_is_up_to_date():
    assert [c["name"] for c in CASES] == [name for name, _ in job_cases()]
    assert [c["hex"] for c in CASES] == [encode_record(record).hex() for _, record in job_cases()]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_vector_decodes_to_its_value(case):
    assert record_to_json(decode_record(bytes.fromhex(case["hex"]))) == case["value"]


def test_round_trip_keeps_every_field():
    for _, record in job_cases():
        assert decode_record(encode_record(record)) == record


@pytest.mark.parametrize("data", [b"", b"\xc3\x01" + b"\x00" * 8, b"not a record"])
def test_garbage_is_a_typed_error(data):
    with pytest.raises(BadJobRecord):
        decode_record(data)


def test_truncated_body_is_a_typed_error():
    encoded = encode_record(job_cases()[1][1])
    with pytest.raises(BadJobRecord, match="does not decode"):
        decode_record(encoded[:-5])


def test_topic_names_follow_the_request_topic():
    assert job_topic_for("ml.pipeline.input") == "ml.pipeline.input.jobs"
    assert job_state_topic_for("ml.pipeline.input") == "ml.pipeline.input.jobs.state"
