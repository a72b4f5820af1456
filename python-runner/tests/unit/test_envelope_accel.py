"""The C fast paths (``mlbridge_runner_accel``, ``codec/_envelope_accel.c``) against the pure-Python codec they shadow.

Their contract (see ``_envelope_accel.c``): answer the common case exactly as the Python code does,
answer ``None`` for anything else, and never accept what the Python code refuses.
"""

import importlib.util
import os
import random
import shutil
import sys
import struct
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlbridge_runner.codec import envelope_codec
from mlbridge_runner.codec.binary import AvroReadError
from mlbridge_runner.codec.envelopes import (
    Progress,
    RemoteCause,
    RemoteError,
    ReplyEnvelope,
    ReplyStatus,
    RequestEnvelope,
    Timings,
    encode_reply,
)
from mlbridge_runner.codec.framing import HEADER_SIZE

from .test_envelope_codec import _fastavro_request_body, _fastavro_reply_bytes, _frame, _random_reply, _random_request

try:
    import mlbridge_runner_accel as accel  # type: ignore[import-not-found]
except ImportError:
    accel = None
else:  # bound here too, so that the tests run also under MLBRIDGE_PURE_PYTHON=1
    accel.bind(RequestEnvelope, ReplyStatus.OK, ReplyStatus.ERROR, ReplyStatus.PROGRESS)
    accel.bind_reply(ReplyEnvelope, Timings)

def test_the_extension_implements_the_schemas_the_python_codec_does():
    if accel is None:
        pytest.skip("the C extension is not built")
    assert accel.FINGERPRINTS == (envelope_codec.REQUEST_FINGERPRINT, envelope_codec.REPLY_FINGERPRINT)
    assert envelope_codec.ACCELERATED or os.environ.get("MLBRIDGE_PURE_PYTHON")


needs_accel = pytest.mark.skipif(accel is None, reason="the C extension is not built (no compiler at install)")
HEADER = _fastavro_reply_bytes(ReplyEnvelope("", ReplyStatus.OK))[:HEADER_SIZE]


def test_the_extension_is_built_where_a_compiler_and_headers_are():
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not (shutil.which("cc") or shutil.which("gcc")) or not headers.is_file():
        pytest.skip("no C compiler or Python headers here: the pure-Python codec is the one in use")
    assert importlib.util.find_spec("mlbridge_runner_accel") is not None, (
        "python-runner was installed without its C extension: rerun npm run python:setup"
    )


# ---------------------------------------------------------------------------------------- requests


def _python_read(data: bytes, pos: int = 0) -> RequestEnvelope | None:
    try:
        return envelope_codec.read_request_python(data, pos)
    except AvroReadError:
        return None


def _assert_same_reading(data: bytes, pos: int = 0) -> None:
    expected = _python_read(data, pos)
    got = accel.read_request(data, pos)
    # Python refuses → C must leave it to Python; Python reads it → C reads the same (bytes input is
    # always C's common case).
    assert got == expected
    if got is not None:
        assert type(got) is RequestEnvelope
        assert [type(getattr(got, f)) for f in got.__slots__] == [type(getattr(expected, f)) for f in got.__slots__]


@needs_accel
@pytest.mark.parametrize("seed", range(200))
def test_a_request_reads_as_in_python(seed):
    request = _random_request(random.Random(seed))
    body = _fastavro_request_body(request)
    assert accel.read_request(body, 0) == request
    framed = _frame(body)
    assert accel.read_request(framed, HEADER_SIZE) == request


def _mutate(rng: random.Random, body: bytes) -> bytes:
    data = bytearray(body)
    kind = rng.randrange(6)
    at = rng.randrange(len(data) + 1)
    if kind == 0:
        del data[at:]
    elif kind == 1 and data:
        data[min(at, len(data) - 1)] = rng.randrange(256)
    elif kind == 2:
        data[at:at] = bytes([rng.randrange(256)])
    elif kind == 3:
        data += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
    elif kind == 4:
        data[at:at] = b"\xff" * rng.randrange(9, 12)  # varints at and past the 10-byte limit
    else:
        data[at:at] = bytes([rng.choice([0x01, 0x03, 0x7F, 0x80])])  # odd signs and continuations
    return bytes(data)


@needs_accel
@pytest.mark.parametrize("seed", range(300))
def test_a_damaged_request_is_read_as_in_python_or_left_to_python(seed):
    rng = random.Random(seed)
    body = _fastavro_request_body(_random_request(rng))
    for _ in range(25):
        _assert_same_reading(_mutate(rng, body))


def _body(*parts: bytes) -> bytes:
    return b"".join(parts)


_SHORT = b"\x02a"  # the string "a"
_TAIL = b"\x02\x02\x02"  # deadlineMs 1, attempt 1, sentAtMs 1


@needs_accel
@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, _TAIL, b"\x00"), id="well-formed"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, b"\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01", b"\x02\x02\x00"),
                     id="deadline: 10-byte varint, the largest long"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, b"\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x02", b"\x02\x02\x00"),
                     id="deadline: 10-byte varint beyond 64 bits"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", b"\x02\x02\x00"),
                     id="deadline: 11-byte varint"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, b"\x80\x00", b"\x02\x02\x00"), id="non-minimal varint"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, b"\x02\xfe\xff\xff\xff\x0f\x02\x00"), id="attempt = 2^31-1"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, b"\x02\x80\x80\x80\x80\x10\x02\x00"), id="attempt = 2^31"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, b"\x02\x81\x80\x80\x80\x10\x02\x00"), id="attempt = -2^31-1"),
        pytest.param(_body(b"\x03a", _SHORT, b"\x00", _SHORT * 2, _TAIL, b"\x00"), id="negative string length"),
        pytest.param(_body(b"\x04\xc3\x28", _SHORT, b"\x00", _SHORT * 2, _TAIL, b"\x00"), id="invalid UTF-8"),
        pytest.param(_body(b"\x04\xed\xa0", _SHORT, b"\x00", _SHORT * 2, _TAIL, b"\x00"), id="truncated UTF-8"),
        pytest.param(_body(_SHORT * 2, b"\x7e", _SHORT * 2, _TAIL, b"\x00"), id="args longer than the body"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, _TAIL, b"\x03\x04", _SHORT * 2, b"\x00"), id="map block with size"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, _TAIL, b"\x03\x03", _SHORT * 2, b"\x00"), id="negative block size"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, _TAIL, b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00"),
                     id="block count -2^63"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, _TAIL, b"\xfe\xff\xff\xff\x0f", _SHORT * 2, b"\x00"),
                     id="huge block count"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, _TAIL, b"\x04", _SHORT * 2, _SHORT * 2, b"\x00"),
                     id="repeated key: the last wins"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, _TAIL, b"\x02", _SHORT * 2, b"\x00\x00"), id="trailing byte"),
        pytest.param(_body(_SHORT * 2, b"\x00", _SHORT * 2, _TAIL), id="no map"),
        pytest.param(b"", id="empty"),
    ],
)
def test_edge_cases_read_as_in_python(data):
    _assert_same_reading(data)


@needs_accel
def test_a_position_outside_the_data_is_left_to_python():
    body = _fastavro_request_body(RequestEnvelope("i", "p", b"", "s", "r"))
    assert accel.read_request(body, len(body) + 1) is None
    assert accel.read_request(body, -1) is None
    with pytest.raises(AvroReadError):
        envelope_codec.read_request(body, len(body) + 1)


@needs_accel
def test_only_bytes_go_to_c():
    body = _fastavro_request_body(RequestEnvelope("i", "p", b"", "s", "r"))
    with pytest.raises(TypeError):
        accel.read_request(bytearray(body), 0)
    assert envelope_codec.read_request(bytearray(body), 0) == RequestEnvelope("i", "p", b"", "s", "r")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------- replies


@needs_accel
@pytest.mark.parametrize("seed", range(300))
def test_a_reply_is_written_as_in_python(seed):
    reply = _random_reply(random.Random(seed))
    assert accel.encode_reply(HEADER, reply) == envelope_codec.encode_reply_python(HEADER, reply)


@needs_accel
@pytest.mark.parametrize("size", [0, 400, 480, 511, 512, 513, 4096, 500_000])
def test_results_of_any_size_are_written_as_in_python(size):
    reply = ReplyEnvelope("id", ReplyStatus.OK, result=b"r" * size, result_schema="crc64:0011223344556677",
                          runner="host/1/abcdef01", timings=Timings(1_795_686_395_606, 1_795_686_395_606, 1_795_686_395_607))
    assert accel.encode_reply(HEADER, reply) == envelope_codec.encode_reply_python(HEADER, reply)
    assert encode_reply(reply) == _fastavro_reply_bytes(reply)


@dataclass(frozen=True)
class LookAlike:
    """Not a ReplyEnvelope, but with its attributes."""

    id: str
    status: ReplyStatus
    result: bytes
    result_schema: str
    error: object
    progress: object
    runner: str
    timings: Timings


_ERROR = RemoteError("internal", "ValueError", "m", "tb", True, (RemoteCause("KeyError", "k"),))


@needs_accel
@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(ReplyEnvelope("i", "OK"), id="status as a plain str"),  # type: ignore[arg-type]
        pytest.param(ReplyEnvelope("i", ReplyStatus.OK, result=bytearray(b"r")), id="result as a bytearray"),  # type: ignore[arg-type]
        pytest.param(ReplyEnvelope("i", ReplyStatus.OK, result=memoryview(b"r")), id="result as a memoryview"),  # type: ignore[arg-type]
        pytest.param(ReplyEnvelope("i", ReplyStatus.PROGRESS, progress=Progress(1, 2, "m")), id="progress as ints"),
        pytest.param(ReplyEnvelope("i", ReplyStatus.ERROR, error=RemoteError("c", "t", "m", causes=[RemoteCause("a", "b")])),  # type: ignore[arg-type]
                     id="causes as a list"),
        pytest.param(ReplyEnvelope("i", ReplyStatus.ERROR, error=RemoteError("c", "t", "m", causes=iter(()))),  # type: ignore[arg-type]
                     id="causes as an iterator"),
        pytest.param(ReplyEnvelope("i", ReplyStatus.OK, timings=Timings(True, False, 5)), id="timings as bools"),
        pytest.param(LookAlike("i", ReplyStatus.ERROR, b"", "", _ERROR, None, "r", Timings(1, 2, 3)), id="a look-alike"),
    ],
)
def test_uncommon_but_valid_replies_are_written_as_in_python(reply):
    try:
        expected = envelope_codec.encode_reply_python(HEADER, reply)
    except Exception as exc:  # noqa: BLE001 - then the public path must raise the same
        with pytest.raises(type(exc)):
            envelope_codec.encode_reply(HEADER, reply)
        assert accel.encode_reply(HEADER, reply) is None
        return
    fast = accel.encode_reply(HEADER, reply)
    assert fast is None or fast == expected
    assert envelope_codec.encode_reply(HEADER, reply) == expected


@needs_accel
@pytest.mark.parametrize(
    ("reply", "error"),
    [
        pytest.param(ReplyEnvelope("\ud800", ReplyStatus.OK), UnicodeEncodeError, id="lone surrogate"),
        pytest.param(ReplyEnvelope(None, ReplyStatus.OK), AttributeError, id="id None"),  # type: ignore[arg-type]
        pytest.param(ReplyEnvelope("i", ReplyStatus.OK, result=None), TypeError, id="result None"),  # type: ignore[arg-type]
        pytest.param(ReplyEnvelope("i", ReplyStatus.ERROR, error=RemoteError("c", "t", "m", retryable=1)), TypeError,  # type: ignore[arg-type]
                     id="retryable 1"),
        pytest.param(ReplyEnvelope("i", ReplyStatus.OK, timings=Timings(1 << 63)), OverflowError, id="time beyond a long"),
        pytest.param(ReplyEnvelope("i", ReplyStatus.OK, timings=Timings(-(1 << 63) - 1)), OverflowError, id="time below a long"),
        pytest.param(ReplyEnvelope("i", ReplyStatus.OK, timings=Timings(1.5)), TypeError, id="time as a float"),  # type: ignore[arg-type]
        pytest.param(ReplyEnvelope("i", ReplyStatus.OK, timings=None), AttributeError, id="no timings"),  # type: ignore[arg-type]
        pytest.param(ReplyEnvelope("i", ReplyStatus.PROGRESS, progress=Progress("1")), struct.error, id="progress as a str"),  # type: ignore[arg-type]
        pytest.param(ReplyEnvelope("i", "MAYBE"), KeyError, id="unknown status"),  # type: ignore[arg-type]
    ],
)
def test_a_bad_reply_is_left_to_python_which_raises(reply, error):
    assert accel.encode_reply(HEADER, reply) is None
    with pytest.raises(error):
        envelope_codec.encode_reply_python(HEADER, reply)
    with pytest.raises(error):
        envelope_codec.encode_reply(HEADER, reply)


# -------------------------------------------------------------------------------------- references


@needs_accel
def test_no_path_leaks_objects():
    """Every exit of the C code drops what it built: allocated blocks stay flat over many calls."""
    good = _fastavro_request_body(RequestEnvelope("i" * 36, "p", b"a" * 10, "s" * 22, "r" * 30, 1, 1, 1, {"k": "v"}))
    late_failure = good + b"\x00"  # every field built, then the trailing byte refuses it
    early_failure = good[:40]
    reply = ReplyEnvelope("i" * 36, ReplyStatus.ERROR, error=_ERROR, runner="r", timings=Timings(1, 2, 3))
    late_bad_reply = ReplyEnvelope("i", ReplyStatus.OK, timings=Timings(1, 2, 1 << 63))
    large = ReplyEnvelope("i", ReplyStatus.OK, result=b"x" * 5000)

    def exercise() -> None:
        for _ in range(5000):
            accel.ok_reply("i" * 36, b"r" * 100, "crc64:00", "runner", 1, 2, 3)
            accel.read_request(good, 0)
            accel.read_request(late_failure, 0)
            accel.read_request(early_failure, 0)
            accel.encode_reply(HEADER, reply)
            accel.encode_reply(HEADER, late_bad_reply)
            accel.encode_reply(HEADER, large)

    exercise()  # warm caches and free lists
    before = sys.getallocatedblocks()
    exercise()
    assert sys.getallocatedblocks() - before < 200


@needs_accel
def test_an_ok_reply_is_built_as_the_dataclass_would_be():
    built = accel.ok_reply("id-1", b"r", "ref", "runner-a", 1, 2, 3)
    assert type(built) is ReplyEnvelope and type(built.timings) is Timings
    assert built == ReplyEnvelope("id-1", ReplyStatus.OK, b"r", "ref", None, None, "runner-a", Timings(1, 2, 3))
    assert accel.encode_reply(HEADER, built) == envelope_codec.encode_reply_python(HEADER, built)
    with pytest.raises(TypeError):
        accel.ok_reply("id-1", b"r", "ref", "runner-a", 1, 2)
