"""The S3 blob store against a real S3 API: moto's server (``moto[server]``, the test extra) started
here on a free port and reached over HTTP by boto3, as a MinIO or AWS endpoint would be
(``AWS_ENDPOINT_URL``). Twin of test/integration/blobs-s3.test.ts."""

from __future__ import annotations

import hashlib
import os
import time
from typing import Iterator

import pytest

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

from mlbridge_runner.blobs import BlobStoreError, open_blob_store  # noqa: E402
from mlbridge_runner.blobs.s3_store import S3BlobStore  # noqa: E402

BUCKET = "mlbridge-test"


@pytest.fixture()
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A moto S3 server with an empty bucket; yields its endpoint URL."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in {
        "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    try:
        yield endpoint
    finally:
        server.stop()


def _raw(key: str) -> bytes:
    return boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read()  # type: ignore[no-any-return]


def _put_raw(key: str, body: bytes) -> None:
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=body)


def test_a_blob_round_trips_through_a_real_s3_api(s3: str) -> None:
    store = open_blob_store(f"s3://{BUCKET}/mlbridge")
    assert isinstance(store, S3BlobStore)
    body = os.urandom(3 * 1024 * 1024 + 5)
    stored = store.put("r-1.args", body)
    assert stored.uri == f"s3://{BUCKET}/mlbridge/r-1.args"
    assert stored.size == len(body) and stored.sha256 == hashlib.sha256(body).hexdigest()
    assert _raw("mlbridge/r-1.args") == body
    assert store.get(stored.uri, stored.size, stored.sha256) == body
    store.delete(stored.uri)
    store.delete(stored.uri)  # already gone: fine
    with pytest.raises(BlobStoreError) as missing:
        store.get(stored.uri, stored.size, stored.sha256)
    assert missing.value.kind == "BlobMissing"


def test_truncated_altered_and_foreign_objects_are_refused(s3: str) -> None:
    store = open_blob_store(f"s3://{BUCKET}/mlbridge/")
    body = b"hello, claim check" * 1000
    stored = store.put("r-2.args", body)
    _put_raw("mlbridge/r-2.args", body[:-1] + b"K")
    with pytest.raises(BlobStoreError, match="SHA-256") as altered:
        store.get(stored.uri, stored.size, stored.sha256)
    assert altered.value.kind == "BlobCorrupt"
    _put_raw("mlbridge/r-2.args", body[:100])
    with pytest.raises(BlobStoreError, match=f"ends after 100 of {len(body)}") as short:
        store.get(stored.uri, stored.size, stored.sha256)
    assert short.value.kind == "BlobCorrupt"
    _put_raw("mlbridge/r-2.args", body + b"!")
    with pytest.raises(BlobStoreError, match="longer than") as long:
        store.get(stored.uri, stored.size, stored.sha256)
    assert long.value.kind == "BlobCorrupt"
    with pytest.raises(BlobStoreError) as foreign:
        store.get(f"s3://other/mlbridge/r-2.args", stored.size, stored.sha256)
    assert foreign.value.kind == "BlobMissing"


def test_the_sweep_deletes_old_call_blobs_and_keeps_jobs_until_their_age(s3: str) -> None:
    store = open_blob_store(f"s3://{BUCKET}/swept")
    store.put("r-3.args", b"call")
    store.put("job-j1-0000abcd.result", b"job")
    _put_raw("elsewhere/r-4.args", b"other prefix")
    time.sleep(1.1)  # S3 times have a resolution of one second
    assert store.sweep(3600) == 0
    assert store.sweep(0.5) == 1, "the call's blob; the job's is kept for the jobs' age (7 days)"
    assert store.sweep(0.5, job_older_than_s=0.5) == 1
    assert _raw("elsewhere/r-4.args") == b"other prefix", "only the store's prefix is swept"


def test_an_unreachable_endpoint_is_blob_store_unreachable(s3: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: refused at once
    store = open_blob_store(f"s3://{BUCKET}/mlbridge")
    with pytest.raises(BlobStoreError) as put:
        store.put("r-5.args", b"x")
    assert put.value.kind == "BlobStoreUnreachable"
    with pytest.raises(BlobStoreError) as get:
        store.get(f"s3://{BUCKET}/mlbridge/r-5.args", 1, "a" * 64)
    assert get.value.kind == "BlobStoreUnreachable"


def test_put_new_is_create_if_absent(s3: str) -> None:
    from mlbridge_runner.blobs import BlobExists

    store = open_blob_store(f"s3://{BUCKET}/once")
    first = store.put_new("model-m-v1", b"first")
    with pytest.raises(BlobExists):
        store.put_new("model-m-v1", b"second")
    assert store.get(first.uri, first.size, first.sha256) == b"first"
    store.put("r-6.result", b"a")
    store.put("r-6.result", b"b")  # plain put overwrites, as before


def test_models_are_saved_to_and_loaded_from_s3(s3: str) -> None:
    """Model versions through the same blob store: published, loaded, immutable, verified, never swept."""
    np = pytest.importorskip("numpy")
    from mlbridge_runner.models import ModelArtifactCorrupt, ModelFormats, ModelRuntime
    from mlbridge_runner.models.artifacts import BlobArtifacts

    published: list = []
    a = ModelRuntime(BlobArtifacts.open(f"s3://{BUCKET}/models"), published.append, ModelFormats(), warm=False)
    b = ModelRuntime(BlobArtifacts.open(f"s3://{BUCKET}/models"), published.append, ModelFormats(), warm=False)
    first = a.saver("job-1").save("detector", np.arange(4.0), metrics={"f1": 0.9})
    second = b.saver("job-2").save("detector", np.ones(2))  # b's view has not seen version 1
    assert (first.version, second.version) == (1, 2), "the S3 conditional write claimed distinct versions"
    assert first.uri == f"s3://{BUCKET}/models/model-detector-v1"
    for record in published:
        a.view.apply(record)
    assert np.array_equal(a.get("detector").obj, np.ones(2))
    assert np.array_equal(a.get("detector", 1).obj, np.arange(4.0))
    assert open_blob_store(f"s3://{BUCKET}/models").sweep(0, 0) == 0, "model versions are never swept"
    _put_raw("models/model-detector-v2", b"x" * second.size)
    fresh = ModelRuntime(BlobArtifacts.open(f"s3://{BUCKET}/models"), lambda _r: None, ModelFormats(), warm=False)
    fresh.view.apply(second)
    with pytest.raises(ModelArtifactCorrupt, match="SHA-256"):
        fresh.get("detector", 2)
