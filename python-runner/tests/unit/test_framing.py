import pytest

from mlbridge_runner.codec.framing import MAGIC, frame, unframe
from mlbridge_runner.errors import BadMagic, FrameTooShort, FramingError, UnknownFingerprint

FP = bytes.fromhex("0102030405060708")


def test_round_trip():
    schema, body = unframe(frame(FP, b"body"), {FP: "the-schema"})
    assert schema == "the-schema" and bytes(body) == b"body"


def test_empty_body_is_a_valid_frame():
    assert bytes(unframe(MAGIC + FP, {FP: 1})[1]) == b""


@pytest.mark.parametrize("data", [b"", b"\xc3", MAGIC + FP[:7]])
def test_too_short(data):
    with pytest.raises(FrameTooShort) as info:
        unframe(data, {FP: 1})
    assert info.value.reason == "frame-too-short"


@pytest.mark.parametrize("magic", [b"\xc3\x02", b"\x00\x01", b"\x00\x00", b"{\""])
def test_wrong_magic(magic):
    with pytest.raises(BadMagic) as info:
        unframe(magic + FP + b"body", {FP: 1})
    assert info.value.reason == "bad-magic"


def test_unknown_fingerprint_names_it():
    with pytest.raises(UnknownFingerprint, match="0807060504030201") as info:
        unframe(MAGIC + FP[::-1] + b"body", {FP: 1})
    assert info.value.reason == "unknown-fingerprint"


def test_the_three_errors_are_distinct_framing_errors():
    kinds = {FrameTooShort, BadMagic, UnknownFingerprint}
    assert all(issubclass(k, FramingError) for k in kinds)
    assert len({k.reason for k in kinds}) == 3


def test_frame_refuses_a_bad_fingerprint():
    with pytest.raises(ValueError):
        frame(b"123", b"")
