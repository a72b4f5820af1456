import io
import math
from collections import OrderedDict

import fastavro
import pytest

from mlbridge_runner.codec.binary import long_bytes
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import ARRAY, MAP, MAX_DEPTH, decode_value, encode_value
from mlbridge_runner.errors import ValueNotDecodable, ValueNotEncodable

VALUES = [
    None, True, False, 0, 1, -1, 63, 64, -65, 2**31, 2**53 + 1, -(2**63), 2**63 - 1,
    1.5, 1.0, -0.0, 5e-324, 1e300, math.inf, -math.inf,
    "", "ascii", "déjà vu", "🙂🚀", "机器学习", "x" * 300,
    b"", bytes(range(256)),
    [], {}, [1, "a", None, [True]], {"b": 1, "a": [2, {"c": b"\x00"}]},
    list(range(200)), {f"k{i}": i for i in range(130)},
    # packed fast paths for float arrays, and arrays that only almost qualify
    [i * 0.25 for i in range(100)], [math.nan, -0.0, math.inf] * 10, [0.5] * 20 + [1] + [0.5] * 20,
    [0.5] * 15, [[0.5] * 40, {"w": [1.5] * 40}],
]


def _with_fastavro(value):
    def wrap(x):
        if isinstance(x, list):
            return {"v": [wrap(i) for i in x]}
        if isinstance(x, dict):
            return {"v": {k: wrap(i) for k, i in x.items()}}
        return {"v": x}

    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, wire_schemas().value.parsed, wrap(value))
    return buf.getvalue()


def _fastavro_read(data):
    def unwrap(x):
        v = x["v"]
        if isinstance(v, list):
            return [unwrap(i) for i in v]
        if isinstance(v, dict):
            return {k: unwrap(i) for k, i in v.items()}
        return v

    return unwrap(fastavro.schemaless_reader(io.BytesIO(data), wire_schemas().value.parsed, None))


def same(a, b):
    """Equality that also compares exact types and NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


@pytest.mark.parametrize("value", VALUES, ids=lambda v: repr(v)[:30])
def test_round_trip_and_bytes_match_fastavro(value):
    encoded = encode_value(value)
    assert encoded == _with_fastavro(value)
    assert same(decode_value(encoded), value)
    assert same(_fastavro_read(encoded), value)


def test_nan_round_trips():
    assert math.isnan(decode_value(encode_value(math.nan)))


def test_bool_is_not_an_int_and_int_is_not_a_float():
    assert encode_value(True) != encode_value(1)
    assert decode_value(encode_value(True)) is True
    assert type(decode_value(encode_value(1))) is int
    assert type(decode_value(encode_value(1.0))) is float


def test_accepted_input_shapes():
    assert decode_value(encode_value((1, 2))) == [1, 2]
    assert decode_value(encode_value(bytearray(b"ab"))) == b"ab"
    assert decode_value(encode_value(memoryview(b"cd"))) == b"cd"
    assert decode_value(encode_value(OrderedDict(z=1, a=2))) == {"z": 1, "a": 2}


def test_map_key_order_is_kept():
    assert list(decode_value(encode_value({"z": 1, "a": 2, "m": 3}))) == ["z", "a", "m"]


class FakeArray:
    """Numpy-like: anything with tolist()."""

    def __init__(self, data):
        self.data = data

    def tolist(self):
        return self.data


def test_numpy_like_objects_use_tolist():
    assert decode_value(encode_value({"w": FakeArray([[1.0, 2.0], [3.0, 4.0]])})) == {"w": [[1.0, 2.0], [3.0, 4.0]]}


@pytest.mark.parametrize(
    ("value", "path", "words"),
    [
        (2**63, "$", "64-bit"),
        (-(2**63) - 1, "$", "64-bit"),
        ({"a": [1, 2**64]}, "$.a[1]", "65 bits"),
        ({1: "x"}, "$", "map key 1 is int"),
        ({"ok": {(1, 2): 3}}, "$.ok", "keys must be str"),
        ({1, 2}, "$", "builtins.set"),
        ({"x": object()}, "$.x", "builtins.object"),
        ({"weird key": [None, {3}]}, "$['weird key'][1]", "set"),
        ("\ud800", "$", "Unicode"),
    ],
)
def test_refusals_name_the_path(value, path, words):
    with pytest.raises(ValueNotEncodable) as info:
        encode_value(value)
    assert info.value.path == path
    assert words in str(info.value)


def test_huge_int_is_refused_not_truncated_even_past_str_limits():
    with pytest.raises(ValueNotEncodable, match="bits"):
        encode_value(10**5000)


def test_cycles_and_depth_are_refused():
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(ValueNotEncodable, match="deeper"):
        encode_value(cyclic)
    deep: object = "x"
    for _ in range(MAX_DEPTH):
        deep = [deep]
    assert decode_value(encode_value(deep)) == deep
    with pytest.raises(ValueNotEncodable, match="deeper"):
        encode_value([deep])


def test_decode_refuses_hostile_nesting_without_recursing_forever():
    data = bytes([ARRAY << 1, 2]) * 100_000
    with pytest.raises(ValueNotDecodable, match="deeper"):
        decode_value(data)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "truncated"),
        (bytes([20]), "union branch 10"),
        (bytes([1]), "union branch -1"),
        (bytes([2, 7]), "boolean byte"),
        (bytes([8]) + long_bytes(2**31) + b"abc", "exceeds"),
        (bytes([8, 4, 0xFF, 0xFE]), "UTF-8"),
        (bytes([ARRAY << 1]) + long_bytes(10**9), "cannot fit"),
        (bytes([MAP << 1]) + long_bytes(-(10**9)) + long_bytes(0), "cannot fit"),
        (bytes([4]) + b"\xff" * 11, "varint"),
        (encode_value(1) + b"\x00", "trailing"),
        (bytes([6, 1, 2]), "need 8 bytes"),
    ],
)
def test_decode_refuses_malformed_bytes(data, words):
    with pytest.raises(ValueNotDecodable, match=words):
        decode_value(data)


def test_decode_error_names_the_path():
    good = encode_value({"a": [1, "xyz"]})
    with pytest.raises(ValueNotDecodable) as info:
        decode_value(good[:-3], root="args")  # cuts into "xyz"
    assert info.value.path == "args.a[1]"


def test_negative_block_counts_are_read():
    # Avro allows a negative count followed by the block's byte size.
    item = encode_value(7)
    data = bytes([ARRAY << 1]) + long_bytes(-2) + long_bytes(2 * len(item)) + item + item + b"\x00"
    assert decode_value(data) == [7, 7]


def test_packed_float_array_truncated_inside_is_refused():
    data = encode_value([0.5] * 40)
    with pytest.raises(ValueNotDecodable):
        decode_value(data[:-5])
