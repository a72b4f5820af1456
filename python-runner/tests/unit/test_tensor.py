"""ndarrays as tensors in the generic Value: layout, zero copy, and the Value version a body names."""

from __future__ import annotations

import pytest

from mlbridge_runner.codec.value import (
    VALUE_V2_REFERENCE, ExtendedValueBody, decode_value, encode_value, value_reference_of,
)
from mlbridge_runner.data import TensorData, TensorShapeMismatch
from mlbridge_runner.errors import ValueNotEncodable

np = pytest.importorskip("numpy")


def test_a_body_without_tensors_is_plain_bytes_and_names_version_1():
    body = encode_value({"a": [1, 2.5, "x"], "b": None})
    assert type(body) is bytes and value_reference_of(body) is None


def test_a_tensor_anywhere_makes_the_body_version_2():
    body = encode_value({"deep": [{"x": np.zeros(3, np.float32)}]})
    assert type(body) is ExtendedValueBody and value_reference_of(body) == VALUE_V2_REFERENCE


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float64).reshape(3, 4)[:, ::2],  # non-contiguous view
        np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)),  # Fortran order
        np.arange(5, dtype=">i4"),  # big-endian
        np.arange(6, dtype=np.int16).reshape(2, 3).T,  # transposed
        np.array(3.5, dtype=np.float32),  # 0-d
        np.zeros((2, 0, 4), dtype=np.uint8),  # empty
        np.array([True, False, True]),
        np.array([1.0, np.nan, np.inf, -np.inf, -0.0], dtype=np.float16),
    ],
    ids=["strided", "fortran", "big-endian", "transposed", "0-d", "empty", "bool", "fp16 specials"],
)
def test_round_trip_is_exact_in_value_and_layout(array):
    back = decode_value(encode_value(array))
    assert back.shape == array.shape
    assert back.dtype == array.dtype.newbyteorder("<") or back.dtype == array.dtype
    assert back.tobytes() == np.ascontiguousarray(array).astype(back.dtype).tobytes()
    assert back.flags.c_contiguous


def test_decoding_is_a_zero_copy_read_only_view_when_aligned():
    # {"a": tensor} with shape [2**20]: the data starts 20 bytes into the body, aligned for FP32.
    body = bytes(encode_value({"a": np.arange(1 << 20, dtype=np.float32)}))
    back = decode_value(body)["a"]
    assert not back.flags.writeable and back.flags.aligned
    assert np.shares_memory(back, np.frombuffer(body, np.uint8))
    assert back[(1 << 20) - 1] == (1 << 20) - 1


def test_a_misaligned_block_is_copied_to_an_aligned_array():
    # Shape [3]: a 1-byte dims varint moves the data to an odd offset inside the body.
    body = encode_value({"abc": np.arange(3, dtype=np.float64)})
    back = decode_value(body)["abc"]
    assert back.flags.aligned and not back.flags.writeable and back.tolist() == [0.0, 1.0, 2.0]
    assert not np.shares_memory(back, np.frombuffer(body, np.uint8))


def test_arrays_without_an_oip_dtype_still_go_as_lists():
    assert decode_value(encode_value(np.array(["a", "b"]))) == ["a", "b"]
    with pytest.raises(ValueNotEncodable, match=r"\$\[0\]"):
        encode_value(np.array([1 + 2j]))


def test_numpy_scalars_stay_plain_numbers():
    assert decode_value(encode_value(np.float32(1.5))) == 1.5
    assert decode_value(encode_value(np.int64(7))) == 7


def test_tensordata_checks_its_parts():
    with pytest.raises(TensorShapeMismatch, match="needs 8 bytes, has 4"):
        TensorData("FP32", (2,), b"\x00" * 4)
    with pytest.raises(TensorShapeMismatch, match="dtype 'FP8'"):
        TensorData("FP8", (1,), b"\x00")
    assert decode_value(encode_value(TensorData("INT16", (2,), b"\x01\x00\xff\xff"))).tolist() == [1, -1]


def _dispatch(args_value: object, ref: str):
    from mlbridge_runner import Registry
    from mlbridge_runner.codec.envelopes import RequestEnvelope
    from mlbridge_runner.codec.schemas import wire_schemas
    from mlbridge_runner.runner.dispatch import Dispatcher, execute

    registry = Registry()

    @registry.pipeline
    def double(x=None):
        return {"kind": type(x).__name__, "out": x * 2 if x is not None else [1.5]}

    dispatcher = Dispatcher(registry, wire_schemas().value.reference)
    req = RequestEnvelope(id="r1", pipeline="double", args=encode_value(args_value), args_schema=ref, reply_to="replies",
                          deadline_ms=0, attempt=1, sent_at_ms=0, headers={})
    return execute(dispatcher.prepare(req))


def test_the_runner_accepts_version_2_args_and_labels_a_result_with_a_tensor_version_2():
    outcome = _dispatch({"x": np.arange(3, dtype=np.int32)}, VALUE_V2_REFERENCE)
    assert outcome.error is None and outcome.result_ref == VALUE_V2_REFERENCE
    result = decode_value(outcome.result)
    assert result["kind"] == "ndarray" and result["out"].tolist() == [0, 2, 4]


def test_a_result_without_tensors_keeps_the_version_1_ref():
    from mlbridge_runner.codec.schemas import wire_schemas

    outcome = _dispatch({}, wire_schemas().value.reference)
    assert outcome.error is None and outcome.result_ref is None  # the reply names value.avsc
    assert decode_value(outcome.result) == {"kind": "NoneType", "out": [1.5]}


def test_without_numpy_installed_a_runner_process_still_reads_and_writes_tensors():
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['numpy'] = None\n"  # import numpy now raises ImportError
        "from mlbridge_runner.codec.value import decode_value, encode_value, value_reference_of\n"
        "from mlbridge_runner.data import TensorData\n"
        "body = bytes.fromhex(sys.argv[1])\n"
        "v = decode_value(body)\n"
        "assert v['x'] == TensorData('FP32', (2,), bytes.fromhex('0000803f00000040')), v\n"
        "again = encode_value(v)\n"
        "assert again == body and value_reference_of(again) is not None\n"
        "assert value_reference_of(encode_value({'n': 1})) is None\n"
        "print('ok')\n"
    )
    body = encode_value({"x": np.array([1, 2], dtype=np.float32)}).hex()
    done = subprocess.run([sys.executable, "-c", script, body], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
