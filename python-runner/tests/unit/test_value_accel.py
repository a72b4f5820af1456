"""The C fast path of the Value codec (``mlbridge_runner_value_accel``, ``codec/_value_accel.c``)
against the pure-Python codec it shadows.

Its contract (see ``_value_accel.c``): answer the common case exactly as the Python code does,
answer ``None`` for anything else, and never accept what the Python code refuses.
"""

import enum
import importlib.util
import math
import mmap
import os
import random
import struct
import sys

import pytest

from mlbridge_runner.codec import value as value_codec
from mlbridge_runner.codec.binary import long_bytes
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import MAX_DEPTH, decode_value_python, encode_value_python
from mlbridge_runner.errors import ValueNotDecodable, ValueNotEncodable

try:
    import mlbridge_runner_value_accel as accel  # type: ignore[import-not-found]
except ImportError:
    accel = None

needs_accel = pytest.mark.skipif(accel is None, reason="the C extension is not built (no compiler at install)")


def test_the_codecs_implement_the_loaded_value_schema():
    assert value_codec.VALUE_FINGERPRINT == wire_schemas().value.fingerprint
    if accel is None:
        pytest.skip("the C extension is not built")
    assert accel.FINGERPRINT == value_codec.VALUE_FINGERPRINT
    assert accel.MAX_DEPTH == MAX_DEPTH
    assert value_codec.ACCELERATED or os.environ.get("MLBRIDGE_PURE_PYTHON")


def test_the_extension_is_installed_next_to_the_envelope_one():
    if importlib.util.find_spec("mlbridge_runner_accel") is None:
        pytest.skip("no C extensions here: the pure-Python codecs are the ones in use")
    assert accel is not None, "python-runner was installed without its Value extension: rerun npm run python:setup"


# ------------------------------------------------------------------------------------------ helpers


def _python_encode(value):
    try:
        return encode_value_python(value)
    except ValueNotEncodable:
        return None


def _python_decode(data):
    try:
        return (decode_value_python(data),)
    except ValueNotDecodable:
        return None


def _typed(value):
    """A structure comparable with ==, carrying every type (True == 1 and 1 == 1.0 otherwise) and NaN."""
    if isinstance(value, float):
        return ("float", struct.pack("<d", value))
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    return (type(value).__name__, value)


def _assert_same_reading(data):
    expected = _python_decode(data)
    got = accel.decode_value(data)
    if got is None:
        return  # left to Python: always allowed
    assert expected is not None, f"C accepted what Python refuses: {data!r}"
    assert _typed(got[0]) == _typed(expected[0])


def _assert_same_writing(value):
    expected = _python_encode(value)
    got = accel.encode_value(value)
    if got is None:
        return
    assert expected is not None, f"C wrote what Python refuses: {value!r}"
    assert got == expected


def _random_value(rng, depth=0):
    kind = rng.randrange(10 if depth < 4 else 7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice([0, 1, -1, 63, -64, 64, 2**31, -(2**63), 2**63 - 1, rng.randint(-(2**63), 2**63 - 1)])
    if kind == 3:
        return rng.choice([0.0, -0.0, 1.5, math.inf, -math.inf, math.nan, rng.uniform(-1e300, 1e300)])
    if kind == 4:
        return "".join(rng.choice("aé漢😀\x00 ") for _ in range(rng.randrange(20)))
    if kind == 5:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(300)))
    if kind == 6:
        return "k" * rng.randrange(200)
    if kind == 7:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(20))]
    if kind == 8:
        return tuple(_random_value(rng, depth + 1) for _ in range(rng.randrange(5)))
    return {f"k{rng.randrange(1000)}é": _random_value(rng, depth + 1) for _ in range(rng.randrange(8))}


# ------------------------------------------------------------------------------------------- values


@needs_accel
@pytest.mark.parametrize("seed", range(300))
def test_a_value_is_written_and_read_as_in_python(seed):
    rng = random.Random(seed)
    value = _random_value(rng)
    encoded = encode_value_python(value)
    assert accel.encode_value(value) == encoded  # exact built-in types: always C's common case
    got = accel.decode_value(encoded)
    assert got is not None
    assert _typed(got[0]) == _typed(decode_value_python(encoded))


@needs_accel
@pytest.mark.parametrize("seed", range(100))
def test_a_damaged_value_is_read_as_in_python_or_left_to_python(seed):
    rng = random.Random(seed)
    encoded = encode_value_python(_random_value(rng))
    for _ in range(60):
        data = bytearray(encoded)
        action = rng.randrange(4)
        if action == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif action == 1 and data:
            del data[rng.randrange(len(data)) :]
        elif action == 2:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        else:
            data += bytes([rng.randrange(256)])
        _assert_same_reading(bytes(data))


def _nested(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


EDGE_READS = [
    b"",
    b"\x00",
    b"\x00\x00",  # a trailing byte
    b"\x01",  # union index -1
    b"\x10",  # union index 8
    b"\x80\x00",  # index 0, non-canonical varint: Python reads it, C leaves it
    b"\x02\x01",
    b"\x02\x02",  # boolean byte 2
    b"\x02",
    b"\x04" + b"\xff" * 9 + b"\x01",  # the 10-byte maximum
    b"\x04" + b"\xff" * 9 + b"\x02",  # past 64 bits
    b"\x04" + b"\xff" * 10 + b"\x01",  # 11 bytes
    b"\x04\x80",  # truncated varint
    b"\x06" + b"\x00" * 7,  # truncated double
    b"\x08\x04\xc3\x28",  # invalid UTF-8
    b"\x08\x06\xed\xa0\x80",  # an encoded surrogate
    b"\x08\x01",  # negative length
    b"\x08\x0a abc",  # declared length past the end
    b"\x0a\x00",
    b"\x0c\x00",
    b"\x0c\x01\x02\x00\x00",  # negative block count with its byte size
    b"\x0c\x04\x00",  # two items announced, one byte left
    b"\x0c\x02\x00\x00",
    b"\x0e\x02\x02a\x00\x00",
    b"\x0e\x04\x02a\x00\x02a\x04\x02\x00",  # a repeated key: the last one wins
    b"\x0e\x02\x02a\x00",  # missing end of blocks
    b"\x0e\x06\x02a\x00",  # three entries cannot fit
    b"\x0e\x02\x02\xff\x00\x00",  # key not UTF-8
    encode_value_python(_nested(MAX_DEPTH - 1)),
    encode_value_python(_nested(MAX_DEPTH)),
    b"\x0c\x02" * (MAX_DEPTH + 1) + b"\x00" + b"\x00" * (MAX_DEPTH + 1),  # deeper than Python writes
    encode_value_python([1.5] * 40),  # the packed-doubles path in Python
    encode_value_python([1.5] * 39 + [2]),
]


@needs_accel
@pytest.mark.parametrize("data", EDGE_READS, ids=lambda d: d[:12].hex())
def test_edge_cases_read_as_in_python_or_left_to_python(data):
    _assert_same_reading(data)


@needs_accel
def test_any_buffer_is_read_in_c_and_a_non_buffer_is_left_to_python(tmp_path):
    body = encode_value_python({"a": 1, "b": b"\x00" * 100})
    assert accel.decode_value(body) == ({"a": 1, "b": b"\x00" * 100},)
    assert accel.decode_value(bytearray(body)) == ({"a": 1, "b": b"\x00" * 100},)
    assert accel.decode_value(memoryview(body)) == ({"a": 1, "b": b"\x00" * 100},)
    # A large blob arrives mapped (blobs/file_store.py): decoded in place, leaves copied out.
    path = tmp_path / "body"
    path.write_bytes(body)
    with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        decoded = accel.decode_value(mapped)
        assert decoded == ({"a": 1, "b": b"\x00" * 100},)
        assert type(decoded[0]["b"]) is bytes
    assert accel.decode_value(bytearray(body) + b"\x00") is None, "trailing bytes: left to Python, which words the error"
    assert accel.decode_value("not a buffer") is None
    assert value_codec.decode_value(memoryview(body)) == {"a": 1, "b": b"\x00" * 100}


class Colour(enum.IntEnum):
    RED = 1


class Text(str):
    pass


class Number(float):
    pass


class Array:
    def tolist(self):
        return [1, 2]


EDGE_WRITES = [
    None,
    True,
    False,
    Colour.RED,  # an int subclass: Python writes it, C leaves it
    Number(1.5),
    Text("x"),
    {Text("k"): 1},
    {1: "x"},  # a non-str key: Python refuses it
    2**63 - 1,
    -(2**63),
    2**63,
    -(2**63) - 1,
    2**200,
    "\ud800",  # a lone surrogate: Python refuses it
    {"\udfff": 1},
    bytearray(b"ab"),
    memoryview(b"ab"),
    Array(),
    object(),
    [object()],
    {"a": [1, {"b": set()}]},
    (),
    [],
    {},
    _nested(MAX_DEPTH - 1),
    _nested(MAX_DEPTH),
    [1.5] * 40,
    math.nan,
]


@needs_accel
@pytest.mark.parametrize("value", EDGE_WRITES, ids=lambda v: repr(v)[:30])
def test_edge_cases_written_as_in_python_or_left_to_python(value):
    _assert_same_writing(value)


@needs_accel
def test_a_cycle_is_left_to_python_which_refuses_it():
    cycle: list = []
    cycle.append(cycle)
    assert accel.encode_value(cycle) is None
    with pytest.raises(ValueNotEncodable, match="nested deeper"):
        value_codec.encode_value(cycle)


@needs_accel
@pytest.mark.parametrize("size", [0, 1, 511, 512, 513, 100_000, 500_000])
def test_values_of_any_size_are_written_and_read_as_in_python(size):
    value = {"payload": b"x" * size, "text": "é" * (size // 4), "floats": [0.5] * (size // 1000)}
    encoded = accel.encode_value(value)
    assert encoded == encode_value_python(value)
    assert accel.decode_value(encoded) == (value,)


@needs_accel
def test_large_block_lengths_never_allocate_before_checking():
    assert accel.decode_value(b"\x0c" + long_bytes(2**40) + b"\x00") is None
    assert accel.decode_value(b"\x0a" + long_bytes(2**40)) is None


@needs_accel
def test_no_path_leaks_objects():
    """Every exit of the C code drops what it built: allocated blocks stay flat over many calls."""
    good = {"a": [1, 2.5, "x" * 600, b"y", None, True, {"q": -5}], "b": "é"}
    encoded = encode_value_python(good)
    late_failure = encoded + b"\x00"  # everything built, then the trailing byte refuses it
    middle_failure = encoded[: len(encoded) // 2]
    bad_late = {"a": [1, 2, 3], "b": [{"c": 2**64}]}

    def exercise() -> None:
        for _ in range(3000):
            accel.decode_value(encoded)
            accel.decode_value(late_failure)
            accel.decode_value(middle_failure)
            accel.encode_value(good)
            accel.encode_value(bad_late)
            accel.encode_value(_nested(MAX_DEPTH))

    exercise()  # warm caches and free lists
    before = sys.getallocatedblocks()
    exercise()
    assert sys.getallocatedblocks() - before < 200


@needs_accel
@pytest.mark.parametrize("size", [0, 1, 100, 4 << 20])
def test_extended_body_is_the_subclass_built_with_one_copy(size):
    from mlbridge_runner.codec.value_data import ExtendedValueBody

    source = bytearray(os.urandom(size))
    body = accel.extended_body(ExtendedValueBody, source)
    expected = ExtendedValueBody(source)
    assert type(body) is ExtendedValueBody
    assert body == expected and len(body) == size
    assert hash(body) == hash(bytes(source))  # not a stale cached hash
    source[:1] = b"z"  # a copy, not a view
    assert body == expected
    assert accel.extended_body(ExtendedValueBody, memoryview(expected)) == expected


@needs_accel
def test_extended_body_refuses_what_it_cannot_build():
    class WithDict(bytes):  # a subclass with an instance dict: not the layout of bytes
        pass

    with pytest.raises(TypeError):
        accel.extended_body(WithDict, b"abc")
    with pytest.raises(TypeError):
        accel.extended_body(str, b"abc")
    with pytest.raises(TypeError):
        accel.extended_body(bytes)
    with pytest.raises(TypeError):
        accel.extended_body(bytes, 5)


@needs_accel
def test_extended_body_does_not_leak():
    from mlbridge_runner.codec.value_data import ExtendedValueBody

    source = bytearray(b"q" * 1000)
    for _ in range(2000):
        accel.extended_body(ExtendedValueBody, source)
    before = sys.getallocatedblocks()
    for _ in range(2000):
        accel.extended_body(ExtendedValueBody, source)
        try:
            accel.extended_body(bytes, 5)  # not a buffer: refused after the type checks
        except TypeError:
            pass
    assert sys.getallocatedblocks() - before < 200
