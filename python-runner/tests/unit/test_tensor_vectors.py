"""schemas/vectors/data.json (written by the TS codec) against the Python codec: every dtype, 0-d,
empty and big shapes, NaN/±Inf, nested tensors, malformed bodies; with numpy and without it."""

from __future__ import annotations

import json

import pytest

from mlbridge_devtools.envelope_vectors import find_vectors_dir
from mlbridge_runner.codec import value as value_codec
from mlbridge_runner.codec.framing import frame, unframe
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import (
    VALUE_V2_FINGERPRINT, VALUE_V2_REFERENCE, decode_value, encode_value, value_reference_of,
)
from mlbridge_runner.data import tensor as tensor_module
from mlbridge_runner.data.tensor import TensorData
from mlbridge_runner.errors import ValueNotDecodable

np = pytest.importorskip("numpy")
VECTORS = json.loads((find_vectors_dir() / "data.json").read_text(encoding="utf-8"))


def _body(case: dict) -> bytes:
    fingerprint, body = unframe(bytes.fromhex(case["hex"]), {VALUE_V2_FINGERPRINT: VALUE_V2_FINGERPRINT})
    assert fingerprint == VALUE_V2_FINGERPRINT
    return bytes(body)


def test_fingerprint_and_canonical_form_agree_with_fastavro():
    schema = wire_schemas().value_v2
    assert schema.fingerprint == VALUE_V2_FINGERPRINT == bytes.fromhex(VECTORS["fingerprint"])
    assert schema.canonical_form == VECTORS["canonical"]
    assert schema.reference == VALUE_V2_REFERENCE
    assert schema.fingerprint != wire_schemas().value.fingerprint


@pytest.mark.parametrize("case", VECTORS["tensors"], ids=lambda c: c["name"])
def test_ts_tensor_reads_as_ndarray_and_writes_back(case):
    array = decode_value(_body(case))
    assert isinstance(array, np.ndarray)
    assert list(array.shape) == case["shape"]
    assert array.tobytes() == bytes.fromhex(case["data"])
    encoded = encode_value(array)
    assert value_reference_of(encoded) == VALUE_V2_REFERENCE
    assert frame(VALUE_V2_FINGERPRINT, encoded).hex() == case["hex"]


@pytest.mark.parametrize("case", VECTORS["tensors"], ids=lambda c: c["name"])
def test_without_numpy_a_tensor_is_tensordata_and_writes_back(case, monkeypatch):
    monkeypatch.setattr(tensor_module, "numpy_or_none", lambda: None)
    data = decode_value(_body(case))
    assert data == TensorData(case["dtype"], tuple(case["shape"]), bytes.fromhex(case["data"]))
    assert frame(VALUE_V2_FINGERPRINT, encode_value(data)).hex() == case["hex"]


def test_numpy_dtypes_match_the_oip_names():
    expected = {
        "BOOL": np.bool_, "UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32, "UINT64": np.uint64,
        "INT8": np.int8, "INT16": np.int16, "INT32": np.int32, "INT64": np.int64,
        "FP16": np.float16, "FP32": np.float32, "FP64": np.float64,
    }
    for case in VECTORS["tensors"]:
        assert decode_value(_body(case)).dtype == np.dtype(expected[case["dtype"]]), case["name"]


def test_nan_inf_and_negative_zero_exact():
    case = next(c for c in VECTORS["tensors"] if c["name"].startswith("FP64 NaN"))
    array = decode_value(_body(case)).ravel()
    assert np.isnan(array[0]) and array[1] == np.inf and array[2] == -np.inf
    assert array[3] == 0 and np.signbit(array[3])


def test_zero_d_and_empty_shapes():
    by_name = {c["name"]: decode_value(_body(c)) for c in VECTORS["tensors"]}
    assert by_name["FP64 0-d"].shape == () and by_name["FP64 0-d"][()] == 2.5
    assert by_name["FP32 empty [2, 0, 3]"].shape == (2, 0, 3)
    assert by_name["UINT8 empty [0, 1000000]"].shape == (0, 1_000_000)


def test_nested_tensors():
    (case,) = VECTORS["nested"]
    value = decode_value(_body(case))
    assert value["x"].tolist() == [[1.0, 2.0], [3.0, 4.0]] and value["x"].dtype == np.float32
    assert value["n"] == 5
    assert value["list"][0].dtype == np.int64 and value["list"][0].tolist() == [5] and value["list"][1] == "after"
    assert frame(VALUE_V2_FINGERPRINT, encode_value(value)).hex() == case["hex"]


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["name"])
def test_malformed_bodies_are_refused_naming_the_problem(case):
    # One vector (a truncated shape block) names no wording: the three codecs word that one apart.
    with pytest.raises(ValueNotDecodable, match=case["error"] or None):
        decode_value(bytes.fromhex(case["body"]))


def test_pure_python_and_accelerated_paths_agree():
    for case in VECTORS["tensors"]:
        body = _body(case)
        assert value_codec.decode_value_python(body).tobytes() == decode_value(body).tobytes()
