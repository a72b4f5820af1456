"""Confluent framing, subjects, the registry client (with a fake library client) and envelopes."""

from __future__ import annotations

import io
import json
import threading
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_writer

from mlbridge_runner.codec.envelopes import (
    ReplyEnvelope,
    ReplyStatus,
    RequestEnvelope,
    Timings,
    encode_reply as encode_reply_single,
    encode_request as encode_request_single,
)
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import encode_value
from mlbridge_runner.errors import BadMagic, BodyDecodeError, ConfigError, FrameTooShort, UnknownFingerprint
from mlbridge_runner.schema_registry import (
    REPLY_SUBJECT,
    RegistryClient,
    RegistryEnvelopes,
    SchemaRegistryError,
    args_subject,
    detect_framing,
    encode_reply,
    encode_request,
    envelope_schema_text,
    frame,
    parse_registry_ref,
    registry_ref,
    request_subject,
    result_subject,
    unframe,
)
from mlbridge_runner.schema_registry import client as client_module
from mlbridge_runner.schema_registry.framing import header

REQUEST = RequestEnvelope(
    id="id-1",
    pipeline="train_model",
    args=encode_value({"epochs": 5}),
    args_schema="registry:3",
    reply_to="replies.client-1",
    deadline_ms=1_700_000_000_000,
    attempt=1,
    sent_at_ms=1_699_999_999_000,
    headers={"traceparent": "00-abc-def-01"},
)
REPLY = ReplyEnvelope(
    id="id-1",
    status=ReplyStatus.OK,
    result=b"\x02",
    result_schema="registry:4",
    error=None,
    progress=None,
    runner="h/1/1",
    timings=Timings(1, 2, 3),
)


# ---------------------------------------------------------------------------- framing


def test_frame_is_zero_then_big_endian_id_then_body() -> None:
    assert frame(0x01020304, b"\xaa\xbb").hex() == "0001020304aabb"
    assert header(0x7FFFFFFF).hex() == "007fffffff"
    schema_id, body = unframe(frame(42, b"body"))
    assert (schema_id, bytes(body)) == (42, b"body")


@pytest.mark.parametrize("bad", [-1, 2**31, 1.5, True, "1"])
def test_ids_outside_java_int_range_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError):
        header(bad)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", FrameTooShort),
        (bytes.fromhex("00000001"), FrameTooShort),
        (bytes.fromhex("0100000001ff"), BadMagic),
        (bytes.fromhex("c30100000000000000"), BadMagic),
        (bytes.fromhex("00ffffffff"), UnknownFingerprint),
    ],
)
def test_bad_frames_raise_framing_errors_with_dlq_reasons(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        unframe(data)
    assert info.value.reason  # type: ignore[attr-defined]


def test_framing_is_told_apart_by_first_byte() -> None:
    assert detect_framing(encode_request_single(REQUEST)) == "single-object"
    assert detect_framing(encode_request(3, REQUEST)) == "confluent"
    assert detect_framing(bytes.fromhex("c301")) is None
    assert detect_framing(bytes.fromhex("0000")) is None
    assert detect_framing(b'{"json": 1}') is None


def test_subjects_and_refs() -> None:
    assert request_subject("ml.pipeline.input") == "ml.pipeline.input-value"
    assert REPLY_SUBJECT == "mlbridge.reply-value"
    assert args_subject("train") == "mlbridge.pipeline.train.args-value"
    assert result_subject("train") == "mlbridge.pipeline.train.result-value"
    assert registry_ref(17) == "registry:17"
    assert parse_registry_ref("registry:17") == 17
    assert parse_registry_ref("registry:0") == 0
    for bad in ["crc64:0123456789abcdef", "registry:", "registry:-1", "registry:01", "registry:2147483648", "registry:1 "]:
        assert parse_registry_ref(bad) is None, bad


def test_confluent_body_is_the_single_object_body() -> None:
    assert encode_request(7, REQUEST)[5:] == encode_request_single(REQUEST)[10:]
    assert encode_reply(8, REPLY)[5:] == encode_reply_single(REPLY)[10:]


def test_envelope_schema_text_is_the_compact_file() -> None:
    text = envelope_schema_text("request")
    assert json.loads(text) == wire_schemas().request.raw
    assert text == json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    assert text.startswith('{"type":"record","name":"Request"')


# ---------------------------------------------------------------------------- client


class FakeLibraryError(Exception):
    """Shaped like confluent_kafka's SchemaRegistryError."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.http_status_code = status
        self.error_code = status * 100
        self.error_message = message


class FakeSchema:
    def __init__(self, text: str, schema_type: str = "AVRO") -> None:
        self.schema_str = text
        self.schema_type = schema_type


class FakeLibrary:
    """An in-memory registry behind the two SchemaRegistryClient calls the module uses."""

    def __init__(self) -> None:
        self.texts: dict[int, FakeSchema] = {}
        self.subjects: dict[str, int] = {}
        self.registers = 0
        self.lookups = 0
        self.fail: Exception | None = None

    def register_schema(self, subject_name: str, schema: FakeSchema) -> int:
        self.registers += 1
        if self.fail is not None:
            raise self.fail
        for schema_id, known in self.texts.items():
            if known.schema_str == schema.schema_str:
                break
        else:
            schema_id = len(self.texts) + 1
            self.texts[schema_id] = schema
        self.subjects[subject_name] = schema_id
        return schema_id

    def get_schema(self, schema_id: int) -> FakeSchema:
        self.lookups += 1
        if self.fail is not None:
            raise self.fail
        try:
            return self.texts[schema_id]
        except KeyError:
            raise FakeLibraryError(404, f"Schema {schema_id} not found") from None


def make_client() -> tuple[RegistryClient, FakeLibrary]:
    fake = FakeLibrary()
    return RegistryClient("http://registry.invalid", client=fake, make_schema=FakeSchema), fake


def test_register_and_lookup_are_cached() -> None:
    client, fake = make_client()
    first = client.register("s-value", '"long"')
    assert client.register("s-value", '"long"') == first
    assert fake.registers == 1
    assert client.schema_text(first) == '"long"'  # known from registering: no lookup
    assert fake.lookups == 0
    fake.texts[9] = FakeSchema('{"type":"record","name":"R","fields":[]}')
    assert client.parsed_schema(9)["name"] == "R"
    assert client.parsed_schema(9) is client.parsed_schema(9)
    assert client.cached_schema_text(9) is not None
    assert fake.lookups == 1


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_unknown_id_is_not_asked_again_until_its_ttl_passed() -> None:
    fake = FakeLibrary()
    clock = FakeClock()
    client = RegistryClient("http://registry.invalid", client=fake, make_schema=FakeSchema, clock=clock)
    for _ in range(3):
        with pytest.raises(SchemaRegistryError) as info:
            client.schema_text(41)
        assert info.value.reason == "schema-not-found" and info.value.schema_id == 41
    assert fake.lookups == 1
    fake.texts[41] = FakeSchema('"long"')  # registered meanwhile
    clock.now += client_module.MISSING_TTL_S - 1
    with pytest.raises(SchemaRegistryError):
        client.schema_text(41)
    clock.now += 2
    assert client.schema_text(41) == '"long"'
    assert fake.lookups == 2


def test_a_schema_that_is_not_avro_is_remembered_as_such() -> None:
    fake = FakeLibrary()
    client = RegistryClient("http://registry.invalid", client=fake, make_schema=FakeSchema, clock=FakeClock())
    fake.texts[3] = FakeSchema("syntax = 'proto3';", "PROTOBUF")
    for _ in range(2):
        with pytest.raises(SchemaRegistryError) as info:
            client.schema_text(3)
        assert info.value.reason == "bad-schema"
    assert fake.lookups == 1


def test_a_registry_that_does_not_answer_is_not_asked_again_during_the_back_off() -> None:
    fake = FakeLibrary()
    clock = FakeClock()
    client = RegistryClient("http://registry.invalid", client=fake, make_schema=FakeSchema, clock=clock)
    fake.texts[1] = FakeSchema('"long"')
    known = client.register("k-value", '"string"')
    fake.fail = ConnectionRefusedError(111, "refused")
    with pytest.raises(SchemaRegistryError) as first:
        client.schema_text(1)
    assert first.value.reason == "unavailable" and fake.lookups == 1
    # Every call now fails at once, lookups and registrations alike, naming the first failure.
    with pytest.raises(SchemaRegistryError) as fast:
        client.schema_text(7)
    assert fast.value.reason == "unavailable" and fast.value.retryable
    assert "not asked again" in str(fast.value) and "refused" in str(fast.value)
    with pytest.raises(SchemaRegistryError) as registering:
        client.register("s-value", '"int"')
    assert registering.value.reason == "unavailable"
    assert (fake.lookups, fake.registers) == (1, 1)
    assert client.register("k-value", '"string"') == known  # what is cached still answers
    fake.fail = None
    clock.now += client_module.UNAVAILABLE_BACKOFF_S + 0.1
    assert client.schema_text(1) == '"long"'
    assert fake.lookups == 2


def test_many_distinct_unknown_ids_do_not_grow_the_memory_without_bound() -> None:
    fake = FakeLibrary()
    client = RegistryClient("http://registry.invalid", client=fake, make_schema=FakeSchema, clock=FakeClock())
    for schema_id in range(client_module.MAX_MISSING + 10):
        with pytest.raises(SchemaRegistryError):
            client.schema_text(schema_id + 1)
    assert len(client._missing) <= client_module.MAX_MISSING


def test_lookups_from_many_threads_agree() -> None:
    client, fake = make_client()
    fake.texts[3] = FakeSchema('"string"')
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(client.schema_text(3))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ['"string"'] * 8


@pytest.mark.parametrize(
    ("error", "reason", "retryable"),
    [
        (FakeLibraryError(404, "not found"), "schema-not-found", False),
        (FakeLibraryError(409, "incompatible"), "rejected", False),
        (FakeLibraryError(422, "invalid schema"), "rejected", False),
        (FakeLibraryError(401, "who are you"), "unauthorized", False),
        (FakeLibraryError(503, "backend down"), "unavailable", True),
        (ConnectionRefusedError(111, "Connection refused"), "unavailable", True),
        (TimeoutError("timed out"), "unavailable", True),
    ],
)
def test_library_failures_become_typed_reasons(error: Exception, reason: str, retryable: bool) -> None:
    fake = FakeLibrary()
    clock = FakeClock()
    client = RegistryClient("http://registry.invalid", client=fake, make_schema=FakeSchema, clock=clock)
    fake.fail = error
    with pytest.raises(SchemaRegistryError) as info:
        client.schema_text(5)
    assert (info.value.reason, info.value.retryable, info.value.schema_id) == (reason, retryable, 5)
    with pytest.raises(SchemaRegistryError) as info:
        client.register("s-value", '"long"')
    assert (info.value.reason, info.value.subject) == (reason, "s-value")
    fake.fail = None
    if retryable:  # no answer: nothing is asked during the back-off, then everything again
        with pytest.raises(SchemaRegistryError):
            client.register("s-value", '"long"')
        clock.now += client_module.UNAVAILABLE_BACKOFF_S
    assert client.register("s-value", '"long"') == 1  # a failed registration is not remembered


def test_schemas_that_are_not_avro_or_not_json_are_bad_schema() -> None:
    client, fake = make_client()
    fake.texts[1] = FakeSchema('syntax = "proto3";', "PROTOBUF")
    fake.texts[2] = FakeSchema("{not json")
    fake.texts[3] = FakeSchema('{"type": "nope"}')
    for schema_id in (1, 2, 3):
        with pytest.raises(SchemaRegistryError) as info:
            client.parsed_schema(schema_id)
        assert info.value.reason == "bad-schema", schema_id
    with pytest.raises(SchemaRegistryError) as info:
        client.schema_text(-1)
    assert info.value.reason == "schema-not-found"


@pytest.mark.parametrize("url", ["", "localhost:8081", "ftp://x", "http://"])
def test_url_must_be_http(url: str) -> None:
    with pytest.raises(ConfigError):
        RegistryClient(url, client=FakeLibrary())


def test_real_library_client_reports_a_closed_port_as_unavailable() -> None:
    pytest.importorskip("confluent_kafka.schema_registry")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = RegistryClient(f"http://127.0.0.1:{port}", max_retries=0, timeout_s=2)
    with pytest.raises(SchemaRegistryError) as info:
        client.schema_text(1)
    assert info.value.reason == "unavailable"


# ---------------------------------------------------------------------------- envelopes


def make_envelopes() -> tuple[RegistryEnvelopes, FakeLibrary]:
    client, fake = make_client()
    return RegistryEnvelopes(client), fake


def test_envelope_ids_use_the_design_subjects() -> None:
    envelopes, fake = make_envelopes()
    request_id = envelopes.request_schema_id("ml.pipeline.input")
    reply_id = envelopes.reply_schema_id()
    assert request_id != reply_id
    assert fake.subjects == {"ml.pipeline.input-value": request_id, REPLY_SUBJECT: reply_id}


def test_both_framings_decode() -> None:
    envelopes, _ = make_envelopes()
    request_id = envelopes.request_schema_id("t")
    reply_id = envelopes.reply_schema_id()
    assert envelopes.decode_request(encode_request(request_id, REQUEST)) == REQUEST
    assert envelopes.decode_request(encode_request_single(REQUEST)) == REQUEST
    assert envelopes.decode_reply(encode_reply(reply_id, REPLY)) == REPLY
    assert envelopes.decode_reply(encode_reply_single(REPLY)) == REPLY


def test_same_schema_with_other_text_reads_on_the_fast_path() -> None:
    envelopes, fake = make_envelopes()
    fake.texts[50] = FakeSchema(json.dumps(wire_schemas().request.raw, indent=2))
    assert envelopes.decode_request(encode_request(50, REQUEST)) == REQUEST


def _newer_request_schema() -> dict[str, Any]:
    newer = json.loads(envelope_schema_text("request"))
    newer["fields"].append({"name": "priority", "type": "int", "default": 0})
    return newer


def test_newer_request_schema_is_resolved_to_ours() -> None:
    envelopes, fake = make_envelopes()
    newer = _newer_request_schema()
    fake.texts[60] = FakeSchema(json.dumps(newer))
    buf = io.BytesIO()
    from mlbridge_runner.codec.envelopes import request_to_wire

    schemaless_writer(buf, parse_schema(newer, named_schemas={}), {**request_to_wire(REQUEST), "priority": 9})
    assert envelopes.decode_request(frame(60, buf.getvalue())) == REQUEST
    with pytest.raises(BodyDecodeError):
        envelopes.decode_request(frame(60, b"\x04a"))
    with pytest.raises(BodyDecodeError):
        envelopes.decode_request(frame(60, buf.getvalue() + b"\x00"))


def test_ids_of_other_records_or_bad_schemas_are_unknown_fingerprints() -> None:
    envelopes, fake = make_envelopes()
    reply_id = envelopes.reply_schema_id()
    with pytest.raises(UnknownFingerprint, match="cannot be read as a request"):
        envelopes.decode_request(encode_reply(reply_id, REPLY))
    older = json.loads(envelope_schema_text("request"))
    older["fields"] = [f for f in older["fields"] if f["name"] != "attempt"]  # no default (headers has: {})
    fake.texts[70] = FakeSchema(json.dumps(older))
    with pytest.raises(UnknownFingerprint):
        envelopes.decode_request(frame(70, b"\x00"))
    fake.texts[71] = FakeSchema('{"type": "nope"}')
    with pytest.raises(UnknownFingerprint):
        envelopes.decode_request(frame(71, b"\x00"))


def test_unknown_id_and_registry_down_are_registry_errors() -> None:
    envelopes, fake = make_envelopes()
    with pytest.raises(SchemaRegistryError) as info:
        envelopes.decode_request(frame(999, b"\x00"))
    assert info.value.reason == "schema-not-found"
    fake.fail = ConnectionRefusedError(111, "refused")
    with pytest.raises(SchemaRegistryError) as info:
        envelopes.decode_request(frame(5, b"\x00"))
    assert info.value.retryable


def test_broken_frames_and_bodies() -> None:
    envelopes, _ = make_envelopes()
    request_id = envelopes.request_schema_id("t")
    good = encode_request(request_id, REQUEST)
    with pytest.raises(BodyDecodeError):
        envelopes.decode_request(good[:-3])
    with pytest.raises(BodyDecodeError):
        envelopes.decode_request(good + b"\x00")
    with pytest.raises(FrameTooShort):
        envelopes.decode_request(b"\x00\x00")
    with pytest.raises(BadMagic):
        envelopes.decode_request(b'{"json": true}')
