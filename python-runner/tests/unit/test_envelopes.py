import pytest

from mlbridge_runner.codec.envelopes import (
    Progress,
    RemoteCause,
    RemoteError,
    ReplyEnvelope,
    ReplyStatus,
    RequestEnvelope,
    Timings,
    decode_reply,
    decode_request,
    encode_reply,
    encode_request,
    peek_request_address,
)
from mlbridge_runner.codec.framing import MAGIC
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import encode_value
from mlbridge_runner.errors import BodyDecodeError, UnknownFingerprint

REQUEST = RequestEnvelope(
    id="id-1",
    pipeline="train_model",
    args=encode_value({"epochs": 5}),
    args_schema="crc64:071d3e746c3ca3bc",
    reply_to="replies.client-1",
    deadline_ms=1_700_000_000_000,
    attempt=2,
    sent_at_ms=1_699_999_999_000,
    headers={"traceparent": "00-abc-def-01", "idempotency-key": "k"},
)

REPLIES = [
    ReplyEnvelope("id-1", ReplyStatus.OK, result=encode_value([1, 2]), result_schema="crc64:00", runner="h/1/ab",
                  timings=Timings(1, 2, 3)),
    ReplyEnvelope(
        "id-2",
        ReplyStatus.ERROR,
        error=RemoteError("PIPELINE_ERROR", "mypkg.DataError", "bad", "Traceback...", False,
                          (RemoteCause("KeyError", "'x'"), RemoteCause("OSError", "disk"))),
        runner="h/1/ab",
    ),
    ReplyEnvelope("id-3", ReplyStatus.PROGRESS, progress=Progress(1.0, None, "starting")),
    ReplyEnvelope("id-4", ReplyStatus.PROGRESS, progress=Progress(2.5, 10.0, "")),
]


def test_request_round_trip():
    data = encode_request(REQUEST)
    assert data[:2] == MAGIC and data[2:10] == wire_schemas().request.fingerprint
    assert decode_request(data) == REQUEST


@pytest.mark.parametrize("reply", REPLIES, ids=lambda r: r.id)
def test_reply_round_trip(reply):
    data = encode_reply(reply)
    assert data[2:10] == wire_schemas().reply.fingerprint
    assert decode_reply(data) == reply


def test_a_reply_is_not_a_request():
    with pytest.raises(UnknownFingerprint):
        decode_request(encode_reply(REPLIES[0]))


@pytest.mark.parametrize("cut", [1, 5, 20])
def test_truncated_body(cut):
    with pytest.raises(BodyDecodeError):
        decode_request(encode_request(REQUEST)[:-cut])


def test_trailing_bytes():
    with pytest.raises(BodyDecodeError, match="trailing"):
        decode_request(encode_request(REQUEST) + b"\x00")


def test_huge_declared_length_is_refused():
    with pytest.raises(BodyDecodeError):
        decode_request(encode_request(REQUEST)[:10] + b"\xfe\xff\xff\xff\x0f" + b"abc")


def test_peek_reads_the_address_of_a_broken_request():
    broken = encode_request(REQUEST)[:-3]
    address = peek_request_address(broken)
    assert address is not None
    assert (address.id, address.pipeline, address.reply_to) == ("id-1", "train_model", "replies.client-1")


@pytest.mark.parametrize("data", [b"", b"garbage", MAGIC + b"\x00" * 8 + b"x"])
def test_peek_gives_up_on_unreadable(data):
    assert peek_request_address(data) is None


def test_peek_gives_up_when_the_address_itself_is_cut():
    assert peek_request_address(encode_request(REQUEST)[:14]) is None
