"""A result's large leaves kept apart (codec/segments.py, codec/value_result.py,
contract/large_leaves.py) and written to the blob store piece by piece: the pieces joined are,
byte for byte, what the one-buffer encoders write, and the blob holds exactly those bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mlbridge_runner.blobs.file_store import FileBlobStore
from mlbridge_runner.blobs.s3_store import S3BlobStore
from mlbridge_runner.codec.segments import SEGMENT_AT, Segments, as_bytes
from mlbridge_runner.codec.value import VALUE_V2_REFERENCE, decode_value, encode_value, value_reference_of
from mlbridge_runner.codec.value_result import encode_result_value
from mlbridge_runner.contract.data_types import data_schema
from mlbridge_runner.contract.typed_codec import TypedCodec

from .test_blobs import FakeS3

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

BIG = b"\x5a" * (SEGMENT_AT + 3)


def _leaves(segments: Segments) -> list[object]:
    """The parts that are leaves themselves, not slices of the written body."""
    return [part for part in segments.parts if not isinstance(part, (memoryview, bytearray))]


@pytest.mark.parametrize(
    "value",
    [
        None,
        {"a": 1, "b": [1.5, "x", b"small"]},
        b"\x00" * (SEGMENT_AT - 1),
    ],
    ids=["none", "small-map", "just-under"],
)
def test_a_result_without_a_large_leaf_is_the_same_one_buffer(value: object) -> None:
    encoded = encode_result_value(value)
    assert type(encoded) is bytes
    assert encoded == encode_value(value)


def test_large_bytes_leaves_are_kept_apart_and_join_to_the_same_body() -> None:
    value = {"head": 1, "blob": BIG, "rest": [b"tail", BIG]}
    encoded = encode_result_value(value)
    assert isinstance(encoded, Segments)
    assert [leaf is BIG for leaf in _leaves(encoded)] == [True, True], "the leaves themselves, not copies"
    assert len(encoded) == len(encode_value(value))
    assert encoded.join() == encode_value(value)
    assert decode_value(encoded.join()) == value
    assert value_reference_of(encoded) is None


def test_a_large_tensor_is_written_from_its_own_memory_and_keeps_the_v2_reference() -> None:
    array = np.arange(SEGMENT_AT // 4 + 10, dtype=np.float32).reshape(2, -1)
    encoded = encode_result_value({"scores": array})
    assert isinstance(encoded, Segments)
    assert encoded.extended and value_reference_of(encoded) == VALUE_V2_REFERENCE
    [leaf] = _leaves(encoded) or [part for part in encoded.parts if memoryview(part).nbytes == array.nbytes]
    assert memoryview(leaf).nbytes == array.nbytes
    assert encoded.join() == encode_value({"scores": array})
    assert np.array_equal(decode_value(encoded.join())["scores"], array)


def test_as_bytes_joins_pieces_and_leaves_bytes_alone() -> None:
    body = b"abc"
    assert as_bytes(body) is body
    assert as_bytes(bytearray(b"abc")) == b"abc"
    assert as_bytes(Segments([b"a", memoryview(b"bc")], extended=False)) == b"abc"


TYPED = {
    "type": "record",
    "name": "Out",
    "fields": [
        {"name": "n", "type": "long"},
        {"name": "data", "type": "bytes"},
        {"name": "more", "type": {"type": "array", "items": "bytes"}},
    ],
}


def test_a_typed_result_keeps_its_large_leaves_apart_and_joins_to_fastavros_body() -> None:
    codec = TypedCodec(TYPED)
    value = {"n": 7, "data": BIG, "more": [b"x", BIG + b"!"]}
    whole = codec.encode(value, "result")
    assert type(whole) is bytes
    kept = codec.encode(value, "result", keep_large=True)
    assert isinstance(kept, Segments)
    assert len(_leaves(kept)) == 2
    assert kept.join() == whole
    assert codec.decode(kept.join(), "result") == value
    small = {"n": 7, "data": b"d", "more": []}
    assert codec.encode(small, "result", keep_large=True) == codec.encode(small, "result")


def test_a_typed_tensor_and_table_are_spliced_in_from_where_they_lie() -> None:
    defined: set[str] = set()
    schema = {
        "type": "record",
        "name": "Data",
        "fields": [
            {"name": "t", "type": data_schema(np.ndarray, defined)},
            {"name": "table", "type": data_schema(pa.Table, defined)},
        ],
    }
    codec = TypedCodec(schema)
    array = np.ones((SEGMENT_AT // 8 + 1,), dtype=np.float64)
    table = pa.table({"x": np.arange(SEGMENT_AT // 8 + 1, dtype=np.int64)})
    value = {"t": array, "table": table}
    kept = codec.encode(value, "result", keep_large=True)
    assert isinstance(kept, Segments)
    assert len(_leaves(kept)) == 0 and sum(memoryview(p).nbytes >= SEGMENT_AT for p in kept.parts) == 2
    assert kept.join() == codec.encode(value, "result")
    back = codec.decode(kept.join(), "result")
    assert np.array_equal(back["t"], array) and back["table"].equals(table)


def test_the_directory_store_writes_pieces_as_the_joined_body(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path.as_uri())
    pieces = Segments([b"head", BIG, memoryview(bytearray(b"middle")), BIG, b""], extended=False)
    joined = pieces.join()
    stored = store.put("r-5.result", pieces)
    assert stored.size == len(joined)
    assert stored.sha256 == hashlib.sha256(joined).hexdigest()
    assert (tmp_path / "r-5.result").read_bytes() == joined


def test_the_s3_store_joins_pieces_into_its_one_stream() -> None:
    s3 = FakeS3()
    store = S3BlobStore("s3://bucket/p", s3)
    pieces = Segments([b"a", BIG, b"z"], extended=False)
    stored = store.put("r-6.result", pieces)
    assert stored.size == len(pieces) and s3.objects["bucket/p/r-6.result"][0] == pieces.join()
