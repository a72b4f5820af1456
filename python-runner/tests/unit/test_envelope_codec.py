"""The hand-written request reader and reply writer against fastavro, byte for byte."""

import io
import random

import pytest
from fastavro import schemaless_reader, schemaless_writer

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
    decode_request,
    encode_reply,
    reply_from_wire,
    reply_to_wire,
    request_to_wire,
)
from mlbridge_runner.codec.framing import HEADER_SIZE
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.errors import BadMagic, BodyDecodeError, FrameTooShort, UnknownFingerprint

SCHEMAS = wire_schemas()
TEXTS = ["", "a", "x" * 63, "x" * 64, "y" * 300, "héllo wörld", "日本語のテキスト" * 10, "\U0001f600 emoji", "nul\x00byte"]
LONGS = [0, 1, -1, 63, 64, -64, -65, 1_795_686_395_606, -(1 << 63), (1 << 63) - 1]


def _fastavro_request_body(req: RequestEnvelope) -> bytes:
    buf = io.BytesIO()
    schemaless_writer(buf, SCHEMAS.request.parsed, request_to_wire(req))
    return buf.getvalue()


def _fastavro_reply(data: bytes) -> ReplyEnvelope:
    buf = io.BytesIO(data[HEADER_SIZE:])
    record = schemaless_reader(buf, SCHEMAS.reply.parsed, None)
    assert buf.tell() == len(data) - HEADER_SIZE
    return reply_from_wire(record)  # type: ignore[arg-type]


def _fastavro_reply_bytes(rep: ReplyEnvelope) -> bytes:
    buf = io.BytesIO()
    schemaless_writer(buf, SCHEMAS.reply.parsed, reply_to_wire(rep))
    return b"\xc3\x01" + SCHEMAS.reply.fingerprint + buf.getvalue()


def _frame(body: bytes) -> bytes:
    return b"\xc3\x01" + SCHEMAS.request.fingerprint + body


def test_the_codec_implements_the_shipped_schemas():
    # If this fails, request.avsc/reply.avsc changed: envelopes.py has fallen back to fastavro.
    # Update envelope_codec.py for the new schemas (and its fingerprints), then the vectors.
    assert SCHEMAS.request.fingerprint == envelope_codec.REQUEST_FINGERPRINT
    assert SCHEMAS.reply.fingerprint == envelope_codec.REPLY_FINGERPRINT


def _random_request(rng: random.Random) -> RequestEnvelope:
    return RequestEnvelope(
        id=rng.choice(TEXTS),
        pipeline=rng.choice(TEXTS),
        args=bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 63, 64, 1000]))),
        args_schema=rng.choice(TEXTS),
        reply_to=rng.choice(TEXTS),
        deadline_ms=rng.choice(LONGS),
        attempt=rng.choice([1, 2, -(1 << 31), (1 << 31) - 1]),
        sent_at_ms=rng.choice(LONGS),
        headers={rng.choice(TEXTS): rng.choice(TEXTS) for _ in range(rng.randrange(4))},
    )


@pytest.mark.parametrize("seed", range(200))
def test_requests_written_by_fastavro_read_back_equal(seed):
    request = _random_request(random.Random(seed))
    assert decode_request(_frame(_fastavro_request_body(request))) == request


def test_a_map_in_several_blocks_and_with_block_sizes():
    # Writers may split a map into blocks, and give a negative count followed by the byte size.
    req = RequestEnvelope("i", "p", b"", "s", "r")
    head = _fastavro_request_body(req)[:-1]  # without the empty map's terminating 0
    blocks = b"\x02" + b"\x02a\x02b" + b"\x01" + b"\x08" + b"\x02c\x02d" + b"\x00"  # [1 entry] [-1 entry, 4 bytes] end
    assert decode_request(_frame(head + blocks)).headers == {"a": "b", "c": "d"}


@pytest.mark.parametrize("seed", range(200))
def test_every_truncation_is_a_body_decode_error(seed):
    frame = _frame(_fastavro_request_body(_random_request(random.Random(seed))))
    for cut in range(HEADER_SIZE, len(frame)):
        with pytest.raises(BodyDecodeError):
            decode_request(frame[:cut])


@pytest.mark.parametrize(
    ("body_tail", "problem"),
    [
        (b"\x03", "negative length"),
        (b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "varint longer than 10 bytes"),
        (b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", "does not fit in 64 bits"),
        (b"\x04\xff\xfe", "invalid UTF-8"),
        (b"\xfe\xff\xff\xff\x0f", "exceeds"),
    ],
)
def test_malformed_id_field(body_tail, problem):
    with pytest.raises(BodyDecodeError, match=problem):
        decode_request(_frame(body_tail))


def test_attempt_outside_an_avro_int_is_refused():
    body = _fastavro_request_body(RequestEnvelope("i", "p", b"", "s", "r", attempt=5))
    at = body.index(b"\x0a", 10)  # attempt 5 → zig-zag 10, after the strings and a 1-byte deadline
    wide = body[:at] + b"\x80\x80\x80\x80\x10" + body[at + 1 :]  # 2^32 (zig-zag), too wide for an int
    with pytest.raises(BodyDecodeError, match="does not fit in an Avro int"):
        decode_request(_frame(wide))


def test_a_huge_map_block_count_is_refused_before_allocating():
    head = _fastavro_request_body(RequestEnvelope("i", "p", b"", "s", "r"))[:-1]
    with pytest.raises(BodyDecodeError, match="cannot fit"):
        decode_request(_frame(head + b"\xfe\xff\xff\xff\x0f"))


def test_trailing_bytes_are_refused():
    with pytest.raises(BodyDecodeError, match="trailing"):
        decode_request(_frame(_fastavro_request_body(RequestEnvelope("i", "p", b"", "s", "r")) + b"\x00"))


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"\xc3\x01\x00", FrameTooShort), (b"\x00" * 12, BadMagic), (b"\xc3\x01" + b"\x00" * 10, UnknownFingerprint)],
)
def test_framing_errors_are_the_framing_module_s(data, error):
    with pytest.raises(error):
        decode_request(data)


def test_a_memoryview_is_accepted():
    request = RequestEnvelope("i", "p", b"\x00", "s", "r", headers={"k": "v"})
    assert decode_request(memoryview(_frame(_fastavro_request_body(request)))) == request


def _random_reply(rng: random.Random) -> ReplyEnvelope:
    status = rng.choice(list(ReplyStatus))
    error = progress = None
    if rng.random() < 0.5:
        error = RemoteError(
            rng.choice(TEXTS), rng.choice(TEXTS), rng.choice(TEXTS), rng.choice(TEXTS), rng.random() < 0.5,
            tuple(RemoteCause(rng.choice(TEXTS), rng.choice(TEXTS)) for _ in range(rng.randrange(3))),
        )
    if rng.random() < 0.5:
        progress = Progress(rng.choice([0.0, -1.5, 1e300, float("inf")]), rng.choice([None, 10.0, -0.0]), rng.choice(TEXTS))
    return ReplyEnvelope(
        id=rng.choice(TEXTS), status=status, result=bytes(rng.randrange(256) for _ in range(rng.choice([0, 63, 64, 5000]))),
        result_schema=rng.choice(TEXTS), error=error, progress=progress, runner=rng.choice(TEXTS),
        timings=Timings(rng.choice(LONGS), rng.choice(LONGS), rng.choice(LONGS)),
    )


@pytest.mark.parametrize("seed", range(300))
def test_replies_are_byte_identical_to_fastavro(seed):
    reply = _random_reply(random.Random(seed))
    data = encode_reply(reply)
    assert data == _fastavro_reply_bytes(reply)
    assert _fastavro_reply(data) == reply


def test_a_reply_field_of_the_wrong_type_raises():
    with pytest.raises((TypeError, AttributeError)):
        encode_reply(ReplyEnvelope("i", ReplyStatus.OK, result=None))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        encode_reply(ReplyEnvelope("i", ReplyStatus.ERROR, error=RemoteError("c", "t", "m", retryable=1)))  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        encode_reply(ReplyEnvelope("i", ReplyStatus.OK, timings=Timings(1 << 63)))


def test_avro_read_error_is_what_the_reader_raises():
    with pytest.raises(AvroReadError):
        envelope_codec.read_request(b"\x80", 0)
