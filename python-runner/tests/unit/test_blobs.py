"""The claim-check stores (twin of test/unit/blobs.test.ts). The S3 store's logic against an
in-memory fake of its four calls here; against a real S3 API (moto's server, through boto3) in
test_blobs_s3.py."""

from __future__ import annotations

import hashlib
import mmap
import os
import time
from pathlib import Path
from typing import Iterable

import pytest

from mlbridge_runner.blobs import (
    BLOB_REF_REFERENCE,
    BlobRef,
    BlobStoreError,
    decode_blob_ref,
    encode_blob_ref,
    open_blob_store,
)
from mlbridge_runner.blobs.file_store import MAP_AT, FileBlobStore
from mlbridge_runner.blobs.s3_store import S3BlobStore


def test_the_reference_round_trips_and_has_the_ts_ref() -> None:
    ref = BlobRef("file:///x/y", 3, "a" * 64, "crc64:071d3e746c3ca3bc")
    assert decode_blob_ref(encode_blob_ref(ref)) == ref
    assert BLOB_REF_REFERENCE.startswith("crc64:") and len(BLOB_REF_REFERENCE) == 22
    with pytest.raises(ValueError, match="malformed"):
        decode_blob_ref(encode_blob_ref(BlobRef("u", 3, "xyz", "s")))
    with pytest.raises(ValueError, match="malformed"):
        decode_blob_ref(b"\x01")


def test_the_directory_store_streams_and_verifies(tmp_path: Path) -> None:
    store = open_blob_store(tmp_path.as_uri())
    body = os.urandom(20 * 1024 * 1024 + 7)
    stored = store.put("r-1.args", body)
    assert stored.size == len(body) and stored.sha256 == hashlib.sha256(body).hexdigest()
    assert not list(tmp_path.glob("*.partial"))
    assert store.get(stored.uri, stored.size, stored.sha256) == body
    store.delete(stored.uri)
    store.delete(stored.uri)
    with pytest.raises(BlobStoreError) as missing:
        store.get(stored.uri, stored.size, stored.sha256)
    assert missing.value.kind == "BlobMissing"


def test_a_large_blob_is_mapped_not_copied_and_still_verified(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path.as_uri())
    body = os.urandom(1024) * (MAP_AT // 1024 + 1)
    stored = store.put("r-9.args", body)
    got = store.get(stored.uri, stored.size, stored.sha256)
    assert isinstance(got, mmap.mmap), "mapped, not read into the heap"
    assert got[:] == body
    got.close()
    with open(tmp_path / "r-9.args", "r+b") as file:
        file.seek(MAP_AT // 2)
        file.write(b"\xff" * 8)
    with pytest.raises(BlobStoreError, match="SHA-256") as altered:
        store.get(stored.uri, stored.size, stored.sha256)
    assert altered.value.kind == "BlobCorrupt"


def test_truncated_altered_and_foreign_blobs_are_refused(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path.as_uri())
    stored = store.put("r-2.result", b"x" * 1000)
    path = tmp_path / "r-2.result"
    path.write_bytes(b"y" * 1000)
    with pytest.raises(BlobStoreError, match="SHA-256") as altered:
        store.get(stored.uri, stored.size, stored.sha256)
    assert altered.value.kind == "BlobCorrupt"
    path.write_bytes(b"y" * 10)
    with pytest.raises(BlobStoreError, match="10 bytes, the reference says 1000"):
        store.get(stored.uri, stored.size, stored.sha256)
    for foreign in ("file:///etc/passwd", tmp_path.as_uri() + "/../x", "http://x/y"):
        with pytest.raises(BlobStoreError) as refused:
            store.get(foreign, 1, "a" * 64)
        assert refused.value.kind == "BlobMissing"


def test_an_unreachable_directory_fails_the_write(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    store = FileBlobStore((tmp_path / "file" / "sub").as_uri())
    with pytest.raises(BlobStoreError) as failed:
        store.put("r-3.args", b"a")
    assert failed.value.kind == "BlobStoreUnreachable"


def test_the_sweep_deletes_only_old_blobs(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path.as_uri())
    old = store.put("old", b"a")
    fresh = store.put("fresh", b"b")
    hour_ago = time.time() - 3600
    os.utime(tmp_path / "old", (hour_ago, hour_ago))
    assert store.sweep(60) == 1
    assert not (tmp_path / "old").exists() and (tmp_path / "fresh").exists()
    assert old.uri != fresh.uri


class FakeS3:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, float]] = {}
        self.down = False

    def put(self, bucket: str, key: str, body: bytes | bytearray | memoryview) -> None:
        if self.down:
            raise ConnectionError("connect ECONNREFUSED")
        self.objects[f"{bucket}/{key}"] = (bytes(body), time.time())

    def get(self, bucket: str, key: str) -> Iterable[bytes] | None:
        if self.down:
            raise ConnectionError("connect ECONNREFUSED")
        found = self.objects.get(f"{bucket}/{key}")
        if found is None:
            return None
        return (found[0][i:i + 4] for i in range(0, len(found[0]), 4))

    def delete(self, bucket: str, key: str) -> None:
        self.objects.pop(f"{bucket}/{key}", None)

    def list(self, bucket: str, prefix: str) -> list[tuple[str, float]]:
        return [(k[len(bucket) + 1:], at) for k, (_, at) in self.objects.items() if k.startswith(f"{bucket}/{prefix}")]


def test_the_s3_store_against_a_fake() -> None:
    s3 = FakeS3()
    store = S3BlobStore("s3://bucket/mlbridge", s3)
    body = b"hello, claim check"
    stored = store.put("r-4.args", body)
    assert stored.uri == "s3://bucket/mlbridge/r-4.args"
    assert store.get(stored.uri, stored.size, stored.sha256) == body
    s3.objects["bucket/mlbridge/r-4.args"] = (b"hello, claim checK", time.time())
    with pytest.raises(BlobStoreError) as corrupt:
        store.get(stored.uri, stored.size, stored.sha256)
    assert corrupt.value.kind == "BlobCorrupt"
    s3.objects["bucket/mlbridge/r-4.args"] = (b"hello", time.time() - 3600)
    with pytest.raises(BlobStoreError, match="ends after 5 of 18"):
        store.get(stored.uri, stored.size, stored.sha256)
    assert store.sweep(60) == 1
    with pytest.raises(BlobStoreError) as missing:
        store.get(stored.uri, stored.size, stored.sha256)
    assert missing.value.kind == "BlobMissing"
    s3.down = True
    for attempt in (lambda: store.get(stored.uri, 1, "a" * 64), lambda: store.put("r-5", body)):
        with pytest.raises(BlobStoreError) as down:
            attempt()
        assert down.value.kind == "BlobStoreUnreachable"


def test_the_gc_command_deletes_old_blobs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mlbridge_runner.blobs.__main__ import main

    store = FileBlobStore(tmp_path.as_uri())
    store.put("old", b"a")
    store.put("fresh", b"b")
    hour_ago = time.time() - 3600
    os.utime(tmp_path / "old", (hour_ago, hour_ago))
    assert main(["gc", "--store", tmp_path.as_uri(), "--older-than", "60"]) == 0
    assert "deleted 1 blob(s)" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh"]


def test_an_s3_url_without_boto3_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from mlbridge_runner.blobs import BlobStorePackageMissing

    monkeypatch.setitem(sys.modules, "boto3", None)  # what an import of a package not installed meets
    with pytest.raises(BlobStorePackageMissing, match="boto3"):
        open_blob_store("s3://bucket/prefix")


def test_put_new_is_create_if_absent_and_models_are_never_swept(tmp_path: Path) -> None:
    from mlbridge_runner.blobs import BlobExists

    store = open_blob_store(tmp_path.as_uri())
    first = store.put_new("model-m-v1", b"first")
    with pytest.raises(BlobExists):
        store.put_new("model-m-v1", b"second")
    assert store.get(first.uri, first.size, first.sha256) == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model-m-v1"], "no temporary file left behind"
    store.put("job-j-0000abcd.result", b"job")
    store.put("r-1.args", b"call")
    (tmp_path / "model-m-v2.0badc0de.partial").write_bytes(b"a model write whose process died")
    old = time.time() - 30 * 24 * 3600
    for path in tmp_path.iterdir():
        os.utime(path, (old, old))
    assert store.sweep(60) == 3, "the call's, the job's (past 7 days), a dead write's; never the model version"
    assert [p.name for p in tmp_path.iterdir()] == ["model-m-v1"]


def test_a_store_whose_directory_is_a_file_is_unreachable_not_exists(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the store directory should be")
    store = open_blob_store(blocker.as_uri())
    for write in (store.put, store.put_new):
        with pytest.raises(BlobStoreError) as failed:
            write("model-m-v9", b"x")
        assert failed.value.kind == "BlobStoreUnreachable"
