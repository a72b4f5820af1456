"""A job's result by reference (jobs/payloads.py); end to end in test/integration/blobs-jobs.test.ts."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlbridge_runner import error_codes
from mlbridge_runner.blobs import BLOB_REF_REFERENCE, decode_blob_ref, open_blob_store
from mlbridge_runner.blobs.claim_check import ClaimCheck
from mlbridge_runner.jobs import payloads
from mlbridge_runner.jobs.records import FAILED, SUCCEEDED


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = (tmp_path / "blobs").as_uri()
    monkeypatch.setattr(payloads, "claim_check", lambda: ClaimCheck(url, threshold_bytes=100))
    return url


def test_a_result_above_the_threshold_goes_by_reference_under_a_job_name(store: str) -> None:
    body = bytes(range(256)) * 4
    state, fields = payloads.result_by_reference("train:7/a", SUCCEEDED, {"result": body, "result_schema": "crc64:0011"})
    assert state == SUCCEEDED and fields["result_schema"] == BLOB_REF_REFERENCE
    ref = decode_blob_ref(fields["result"])
    assert ref.schema == "crc64:0011" and ref.size == len(body)
    assert Path(ref.uri.removeprefix("file://")).name.startswith("job-train_7_a-")
    assert open_blob_store(store).get(ref.uri, ref.size, ref.sha256) == body


def test_small_results_and_other_states_are_left_alone(store: str) -> None:
    small = {"result": b"x" * 100, "result_schema": "crc64:0011"}
    assert payloads.result_by_reference("j", SUCCEEDED, small) == (SUCCEEDED, small)
    failed = {"error": None}
    assert payloads.result_by_reference("j", FAILED, failed) == (FAILED, failed)
    assert not (Path(store.removeprefix("file://"))).exists()


def test_without_a_store_the_result_stays_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payloads, "claim_check", lambda: ClaimCheck(None, threshold_bytes=1))
    fields = {"result": b"x" * 1000, "result_schema": "crc64:0011"}
    assert payloads.result_by_reference("j", SUCCEEDED, fields) == (SUCCEEDED, fields)


def test_a_store_that_refuses_the_result_fails_the_job_blob_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the store's directory should be")
    monkeypatch.setattr(payloads, "claim_check", lambda: ClaimCheck(blocker.as_uri(), threshold_bytes=1))
    state, fields = payloads.result_by_reference("j", SUCCEEDED, {"result": b"x" * 10, "result_schema": "crc64:0011"})
    assert state == FAILED
    assert fields["error"].code == error_codes.BLOB_UNAVAILABLE and fields["error"].type == "BlobStoreUnreachable"
