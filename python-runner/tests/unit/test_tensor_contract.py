"""Typed pipelines with numpy / pyarrow / pandas hints: derived schemas, the bodies of
schemas/vectors/data-typed.json, and dtype/shape refusals naming the path."""

from __future__ import annotations

import inspect
import json

import pytest

from mlbridge_devtools.data_vectors import build_data_typed_vectors
from mlbridge_devtools.envelope_vectors import find_vectors_dir
from mlbridge_runner.contract.convert import ConversionError
from mlbridge_runner.contract.errors import UnsupportedType
from mlbridge_runner.contract.hints import derive
from mlbridge_runner.contract.typed_codec import TypedCodec
from mlbridge_runner.data.tensor import ndarray_parts

np = pytest.importorskip("numpy")
npt = pytest.importorskip("numpy.typing")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
VECTORS = json.loads((find_vectors_dir() / "data-typed.json").read_text(encoding="utf-8"))


def test_committed_vectors_are_what_the_runner_derives_and_writes_today():
    assert build_data_typed_vectors() == VECTORS


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_bodies_decode_to_arrays_and_tables_and_encode_back(case):
    codec = TypedCodec(case["schema"])
    value = codec.decode(bytes.fromhex(case["hex"]), "value")
    if isinstance(case["value"], list):
        assert [dict(zip(("dtype", "shape", "data"), (p[0], list(p[1]), bytes(p[2]).hex()))) for p in map(ndarray_parts, value)] == case["value"]
    elif "rows" in case["value"]:
        rows = value.to_pylist() if isinstance(value, pa.Table) else value.to_dict("records")
        assert rows == case["value"]["rows"]
    else:
        dtype, shape, data = ndarray_parts(value)
        assert {"dtype": dtype, "shape": list(shape), "data": bytes(data).hex()} == case["value"]
        assert codec.encode(value, "value").hex() == case["hex"]


def _pipeline(x: npt.NDArray[np.float32], frame: pd.DataFrame, tables: dict[str, pa.Table]) -> npt.NDArray[np.int64]:
    raise NotImplementedError


def test_hints_become_tensor_and_table_records_defined_once():
    derived = derive("p", _pipeline, inspect.signature(_pipeline), None)
    fields = {f["name"]: f["type"] for f in derived.args_schema["fields"]}
    assert fields["x"]["name"] == "Tensor_FP32" and fields["x"]["dtype"] == "FP32"
    assert fields["x"]["logicalType"] == "mlbridge-tensor"
    assert fields["frame"]["name"] == "DataFrame" and fields["frame"]["logicalType"] == "mlbridge-arrow-table"
    assert fields["tables"] == {"type": "map", "values": {"type": "record", "name": "Table", "namespace": "mlbridge.data",
                                                         "logicalType": "mlbridge-arrow-table", "fields": [{"name": "arrowStream", "type": "bytes"}]}}
    assert derived.result_schema["dtype"] == "INT64"


def test_wrong_dtype_is_refused_naming_the_path_both_ways():
    derived = derive("p", _pipeline, inspect.signature(_pipeline), None)
    args = TypedCodec(derived.args_schema, derived.classes)
    good = {"x": np.zeros(2, np.float32), "frame": pd.DataFrame({"a": [1]}), "tables": {"t": pa.table({"b": [1]})}}
    assert args.decode(args.encode(good, "args"), "args")["frame"].equals(good["frame"])
    with pytest.raises(ConversionError, match=r"args\.x: expected a FP32 tensor, got an array of FP64"):
        args.encode({**good, "x": np.zeros(2)}, "args")
    with pytest.raises(ConversionError, match=r"args\.x: expected a FP32 tensor, got a tensor of INT32"):
        args.from_generic({**good, "x": np.zeros(2, np.int32)}, "args")
    with pytest.raises(ConversionError, match=r"args\.tables\.t: expected a pyarrow.Table or pandas.DataFrame, got int"):
        args.encode({**good, "tables": {"t": 5}}, "args")
    result = TypedCodec(derived.result_schema, derived.classes)
    with pytest.raises(ConversionError, match=r"result: expected a INT64 tensor, got an array of FP32"):
        result.encode(np.zeros(1, np.float32), "result")


def test_a_schema_with_a_shape_checks_it():
    schema = {"type": "record", "name": "Tensor_FP32_n_3", "namespace": "mlbridge.data", "logicalType": "mlbridge-tensor",
              "dtype": "FP32", "shape": [-1, 3], "fields": [{"name": "dtype", "type": "string"},
              {"name": "shape", "type": {"type": "array", "items": "long"}}, {"name": "data", "type": "bytes"}]}
    codec = TypedCodec(schema)
    assert codec.decode(codec.encode(np.zeros((4, 3), np.float32), "x"), "x").shape == (4, 3)
    with pytest.raises(ConversionError, match=r"x: expected a FP32 tensor of shape \[-1, 3\], got an array of shape \[3, 4\]"):
        codec.encode(np.zeros((3, 4), np.float32), "x")


def test_a_dtype_without_a_tensor_datatype_is_an_unsupported_hint():
    def bad(x: npt.NDArray[np.complex64]) -> None: ...

    with pytest.raises(UnsupportedType, match="complex64 has no tensor datatype"):
        derive("bad", bad, inspect.signature(bad), None)
