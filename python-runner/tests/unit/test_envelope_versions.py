"""Envelope versions (schemas/versions/) on the runner side: the index against the schema files,
schemas/vectors/envelope-versions.json read by resolution through the runner's decoders, and the
answer to an unknown version (UNSUPPORTED_ENVELOPE at the address the frame's prefix gives)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from fastavro import schemaless_writer

from mlbridge_devtools.envelope_vectors import find_vectors_dir
from mlbridge_runner import error_codes
from mlbridge_runner.codec import envelope_versions as versions_module
from mlbridge_runner.codec.envelope_versions import UnsupportedEnvelope, envelope_versions
from mlbridge_runner.codec.envelopes import (
    decode_reply,
    decode_request,
    encode_reply,
    encode_request,
    peek_request_address,
    reply_from_wire,
    request_from_wire,
)
from mlbridge_runner.codec.schemas import find_schema_dir, wire_schemas
from mlbridge_runner.errors import BodyDecodeError, UnknownFingerprint
from mlbridge_runner.runner.undecodable import undecodable_answer

VECTORS = json.loads((find_vectors_dir() / "envelope-versions.json").read_text(encoding="utf-8"))
INDEX = json.loads((find_schema_dir() / "versions" / "index.json").read_text(encoding="utf-8"))


def _bytes_fields(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    field = "args" if kind == "request" else "result"
    return {**record, field: bytes.fromhex(record[field])}


def test_the_index_matches_the_files_and_the_current_versions() -> None:
    known = envelope_versions()
    for kind in ("request", "reply"):
        assert [(v["version"], v["fingerprint"]) for v in INDEX[kind]["versions"]] == sorted(
            (v.version, v.fingerprint.hex()) for v in known[kind].by_fingerprint.values()
        )
        assert known[kind].current.version == INDEX[kind]["current"]
    assert known["request"].current.fingerprint == wire_schemas().request.fingerprint
    assert known["reply"].current.fingerprint == wire_schemas().reply.fingerprint


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_older_and_newer_frames_read_as_todays_envelope(case: dict[str, Any]) -> None:
    kind = case["schema"]
    data = bytes.fromhex(case["hex"])
    assert data[2:10].hex() == case["fingerprint"]
    writer = next(v for v in envelope_versions()[kind].by_fingerprint.values() if v.version == case["version"])
    buf = io.BytesIO()
    schemaless_writer(buf, writer.parsed, _bytes_fields(kind, case["written"]))
    assert data[10:] == buf.getvalue(), "the written record encodes to the vector's body"
    expected = _bytes_fields(kind, case["value"])
    if kind == "request":
        request = decode_request(data)
        assert request == request_from_wire(expected)
        assert decode_request(encode_request(request)) == request
        assert peek_request_address(data) is not None
    else:
        reply = decode_reply(data)
        assert reply == reply_from_wire(expected)
        assert decode_reply(encode_reply(reply)) == reply


def test_vectors_hold_an_older_and_a_newer_version_of_both_envelopes() -> None:
    current = {kind: envelope_versions()[kind].current.version for kind in ("request", "reply")}
    for kind in ("request", "reply"):
        found = {c["version"] for c in VECTORS["cases"] if c["schema"] == kind}
        assert any(v < current[kind] for v in found) and any(v > current[kind] for v in found), kind


def test_the_current_version_keeps_the_hand_written_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_here(*_: Any) -> Any:
        raise AssertionError("the current version went through resolution")

    monkeypatch.setattr("mlbridge_runner.codec.envelopes.read_other_version", not_here)
    older = next(c for c in VECTORS["cases"] if c["schema"] == "request")
    current = encode_request(request_from_wire(_bytes_fields("request", older["value"])))
    assert decode_request(current).id == older["value"]["id"]
    with pytest.raises(AssertionError, match="went through resolution"):
        decode_request(bytes.fromhex(older["hex"]))


@pytest.mark.parametrize("case", VECTORS["unknown"], ids=lambda c: c["name"])
def test_an_unknown_version_is_refused_and_answered_where_its_address_reads(case: dict[str, Any]) -> None:
    data = bytes.fromhex(case["hex"])
    with pytest.raises(UnsupportedEnvelope) as info:
        decode_request(data)
    problem = info.value
    assert isinstance(problem, UnknownFingerprint) and problem.reason == "unknown-fingerprint"
    assert problem.fingerprint.hex() == case["fingerprint"]
    for version in envelope_versions()["request"].by_fingerprint.values():
        assert f"v{version.version} {version.fingerprint.hex()}" in str(problem)
    answer = undecodable_answer(data, problem, peek_request_address)
    if case["address"] is None:
        assert answer is None
        return
    assert answer is not None
    address, error = answer
    assert (address.id, address.pipeline, address.reply_to) == (
        case["address"]["id"],
        case["address"]["pipeline"],
        case["address"]["replyTo"],
    )
    assert error.code == error_codes.UNSUPPORTED_ENVELOPE
    assert case["fingerprint"] in error.message and "(current)" in error.message
    assert not error.retryable


def test_a_broken_body_of_a_known_version_is_undecodable_and_still_answered() -> None:
    older = next(c for c in VECTORS["cases"] if c["schema"] == "request" and c["version"] == 0)
    data = bytes.fromhex(older["hex"])[:-3]
    with pytest.raises(BodyDecodeError) as info:
        decode_request(data)
    answer = undecodable_answer(data, info.value, peek_request_address)
    assert answer is not None and answer[1].code == error_codes.UNDECODABLE_REQUEST
    assert answer[0].reply_to == older["value"]["replyTo"]


def test_frames_of_other_schemas_give_no_address() -> None:
    reply = next(c for c in VECTORS["cases"] if c["schema"] == "reply")
    data = bytes.fromhex(reply["hex"])
    with pytest.raises(UnsupportedEnvelope):
        decode_request(data)
    assert peek_request_address(data) is None
    value_frame = b"\xc3\x01" + wire_schemas().value.fingerprint + b"\x00"
    assert peek_request_address(value_frame) is None
    assert undecodable_answer(b"\x00\x01", UnknownFingerprint("x"), peek_request_address) is None


def test_an_index_that_contradicts_its_files_is_refused(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    schemas = wire_schemas()
    directory = tmp_path / "versions"
    directory.mkdir()
    for item in INDEX["request"]["versions"] + INDEX["reply"]["versions"]:
        (directory / item["file"]).write_text((schemas.directory / "versions" / item["file"]).read_text())
    broken = json.loads(json.dumps(INDEX))
    broken["request"]["versions"][0]["fingerprint"] = "0" * 16
    (directory / "index.json").write_text(json.dumps(broken))

    class Moved:
        def __getattr__(self, name: str) -> Any:
            return tmp_path if name == "directory" else getattr(schemas, name)

    monkeypatch.setattr(versions_module, "wire_schemas", lambda: Moved())
    versions_module.envelope_versions.cache_clear()
    try:
        with pytest.raises(versions_module.EnvelopeIndexError, match="index.json says fingerprint 0000000000000000"):
            versions_module.envelope_versions()
    finally:
        monkeypatch.undo()
        versions_module.envelope_versions.cache_clear()
