"""The runner's claim check: args by reference reach the pipeline; a missing or corrupt blob is
refused with BLOB_UNAVAILABLE; a large result leaves as a reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from mlbridge_runner import error_codes
from mlbridge_runner.blobs import BLOB_REF_REFERENCE, BlobRef, decode_blob_ref, encode_blob_ref, open_blob_store
from mlbridge_runner.blobs.claim_check import claim_check
from mlbridge_runner.codec.envelopes import RequestEnvelope
from mlbridge_runner.codec.value import decode_value, encode_value

VALUE_REFERENCE = "crc64:071d3e746c3ca3bc"
from mlbridge_runner.registry import Registry
from mlbridge_runner.runner.dispatch import Dispatcher, Rejected, execute
from mlbridge_runner.runner.replies import outcome_reply


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MLBRIDGE_BLOB_STORE", tmp_path.as_uri())
    monkeypatch.setenv("MLBRIDGE_BLOB_THRESHOLD_BYTES", "1000")
    claim_check.cache_clear()
    yield tmp_path
    claim_check.cache_clear()


def _dispatcher() -> Dispatcher:
    registry = Registry()
    registry.register(lambda data: data, name="echo")
    return Dispatcher(registry, VALUE_REFERENCE)


def _request(args: bytes, schema: str) -> RequestEnvelope:
    return RequestEnvelope(id="r-1", pipeline="echo", args=args, args_schema=schema, reply_to="t")


def test_args_by_reference_run_and_a_large_result_leaves_by_reference(store_dir: Path) -> None:
    body = encode_value({"data": b"x" * 5000})
    stored = open_blob_store(store_dir.as_uri()).put("r-1.args", body)
    request = _request(encode_blob_ref(BlobRef(stored.uri, stored.size, stored.sha256, VALUE_REFERENCE)), BLOB_REF_REFERENCE)
    call = _dispatcher().prepare(request)
    assert call.kwargs == {"data": b"x" * 5000}
    reply = outcome_reply(call.request, execute(call), VALUE_REFERENCE, "runner", 0)
    assert reply.result_schema == BLOB_REF_REFERENCE
    ref = decode_blob_ref(reply.result)
    assert ref.schema == VALUE_REFERENCE
    assert decode_value(open_blob_store(store_dir.as_uri()).get(ref.uri, ref.size, ref.sha256)) == b"x" * 5000


def test_a_small_result_stays_inline(store_dir: Path) -> None:
    call = _dispatcher().prepare(_request(encode_value({"data": 1}), VALUE_REFERENCE))
    reply = outcome_reply(call.request, execute(call), VALUE_REFERENCE, "runner", 0)
    assert reply.result_schema == VALUE_REFERENCE and decode_value(reply.result) == 1


@pytest.mark.parametrize("damage", ["missing", "truncated", "altered"])
def test_a_missing_or_corrupt_args_blob_is_refused(store_dir: Path, damage: str) -> None:
    stored = open_blob_store(store_dir.as_uri()).put("r-2.args", encode_value({"data": b"y" * 5000}))
    path = store_dir / "r-2.args"
    if damage == "missing":
        path.unlink()
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    else:
        path.write_bytes(path.read_bytes().replace(b"y", b"z", 1))
    request = _request(encode_blob_ref(BlobRef(stored.uri, stored.size, stored.sha256, VALUE_REFERENCE)), BLOB_REF_REFERENCE)
    with pytest.raises(Rejected) as rejected:
        _dispatcher().prepare(request)
    assert rejected.value.error.code == error_codes.BLOB_UNAVAILABLE
    assert rejected.value.error.type == ("BlobMissing" if damage == "missing" else "BlobCorrupt")
    assert rejected.value.dead_letter == "blob-unavailable"


def test_without_a_store_a_reference_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLBRIDGE_BLOB_STORE", raising=False)
    claim_check.cache_clear()
    try:
        request = _request(encode_blob_ref(BlobRef("file:///x/y", 1, "a" * 64, VALUE_REFERENCE)), BLOB_REF_REFERENCE)
        with pytest.raises(Rejected) as rejected:
            _dispatcher().prepare(request)
        assert rejected.value.error.code == error_codes.BLOB_UNAVAILABLE
        assert "MLBRIDGE_BLOB_STORE" in rejected.value.error.message
    finally:
        claim_check.cache_clear()


def test_a_refused_blob_is_dead_lettered_with_the_request_and_its_reference() -> None:
    """The record the consume loop sends beside its BLOB_UNAVAILABLE reply (runner/dlq.py)."""
    from mlbridge_runner.blobs import BLOB_REF_REFERENCE, BlobRef, decode_blob_ref, encode_blob_ref
    from mlbridge_runner.codec.envelopes import RequestEnvelope, decode_request
    from mlbridge_runner.runner.dlq import DeadLetters
    from mlbridge_runner.runner.offsets import Ticket

    sent: list[dict] = []

    class Producer:
        def produce(self, topic: str, **record: Any) -> None:
            sent.append({"topic": topic, **record})
            record["on_delivery"](None, None)  # delivered

    settled: list[object] = []
    ref = BlobRef("file:///blobs/r-1.args", 2_000_000, "a" * 64, "crc64:0011")
    request = RequestEnvelope("r-1", "size", encode_blob_ref(ref), BLOB_REF_REFERENCE, "replies")
    DeadLetters(Producer(), "calls.dlq", settled.append).send_refused(  # type: ignore[arg-type]
        request, Ticket("calls", 3, 41, 1), "blob-unavailable", "BlobMissing: file:///blobs/r-1.args: no such blob"
    )
    [letter] = sent
    headers = dict(letter["headers"])
    assert letter["topic"] == "calls.dlq" and letter["key"] == b"r-1"
    assert headers["mlbridge.dlq.reason"] == b"blob-unavailable"
    assert headers["mlbridge.dlq.error"].startswith(b"BlobMissing: ")
    assert headers["mlbridge.request.id"] == b"r-1"
    assert (headers["mlbridge.source.topic"], headers["mlbridge.source.partition"], headers["mlbridge.source.offset"]) == (b"calls", b"3", b"41")
    copy = decode_request(letter["value"])
    assert copy.id == "r-1" and copy.args_schema == BLOB_REF_REFERENCE and decode_blob_ref(copy.args) == ref
    assert settled == [None], "the reply settles the ticket, not the dead letter"
