"""Registry mode of the runner: either framing in, replies framed as their request, registry refs."""

from __future__ import annotations

import json
import time
from typing import Callable

import pytest

from mlbridge_runner.codec.envelopes import (
    ReplyEnvelope,
    ReplyStatus,
    RequestEnvelope,
    Timings,
    decode_reply,
    encode_request as encode_request_single,
)
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.errors import BodyDecodeError
from mlbridge_runner.registry import Registry
from mlbridge_runner.schema_registry import RegistryClient, SchemaRegistryError, encode_request, frame, runner_support
from mlbridge_runner.schema_registry.runner_support import (
    MAX_MARKED,
    RunnerRegistry,
    SchemaRegistryUnavailable,
    UnknownSchemaId,
)

from .test_schema_registry import FakeLibrary, FakeSchema


def typed_add(a: int, b: int = 1) -> int:
    return a + b


def untyped(x):  # type: ignore[no-untyped-def]
    return x


def make(topic: str = "ml.in", clock: Callable[[], float] = time.monotonic) -> tuple[RunnerRegistry, FakeLibrary]:
    registry = Registry()
    registry.register(typed_add)
    registry.register(untyped)
    fake = FakeLibrary()
    client = RegistryClient("http://registry.invalid", client=fake, make_schema=FakeSchema, clock=clock)
    return RunnerRegistry(client, topic, registry.values()), fake


def request(id_: str = "r-1", args_schema: str = "crc64:0000000000000000") -> RequestEnvelope:
    return RequestEnvelope(
        id=id_, pipeline="typed_add", args=b"\x02", args_schema=args_schema, reply_to="replies.c",
        deadline_ms=0, attempt=1, sent_at_ms=1, headers={},
    )


def ok(id_: str, result_schema: str) -> ReplyEnvelope:
    return ReplyEnvelope(id=id_, status=ReplyStatus.OK, result=b"\x06", result_schema=result_schema, runner="r", timings=Timings(1, 2, 3))


def unframe_reply(runner: RunnerRegistry, data: bytes) -> ReplyEnvelope:
    return runner.envelopes.decode_reply(data)


def test_register_own_puts_envelopes_and_typed_schemas_under_their_subjects() -> None:
    runner, fake = make()
    runner.register_own()
    assert set(fake.subjects) == {
        "ml.in-value",
        "mlbridge.reply-value",
        "mlbridge.pipeline.typed_add.args-value",
        "mlbridge.pipeline.typed_add.result-value",
    }
    assert json.loads(fake.texts[fake.subjects["mlbridge.pipeline.typed_add.result-value"]].schema_str) == "long"


def test_register_own_survives_a_registry_that_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    logged: list[tuple[str, dict]] = []
    monkeypatch.setattr(runner_support, "log_event", lambda level, event, **fields: logged.append((event, fields)))
    now = [0.0]
    runner, fake = make(clock=lambda: now[0])
    fake.fail = ConnectionRefusedError(111, "refused")
    runner.register_own()  # logged, not raised
    assert [event for event, _ in logged] == [runner_support.REGISTRY_FAILED]
    assert "refused" in logged[0][1]["error"] and logged[0][1]["reason"]
    assert fake.subjects == {}
    # Back up: what was not registered up front is registered on first use.
    fake.fail = None
    now[0] += 60  # past the client's back-off after a failure
    request_id = runner.envelopes.request_schema_id("ml.in")
    assert fake.subjects == {"ml.in-value": request_id}


def test_a_confluent_request_gets_a_confluent_reply_with_a_registry_result_ref() -> None:
    runner, fake = make()
    request_id = runner.envelopes.request_schema_id("ml.in")
    decoded = runner.decode_request(encode_request(request_id, request("r-1")))
    assert decoded == request("r-1")
    own_ref = next(iter(runner._results))
    progress = ReplyEnvelope(id="r-1", status=ReplyStatus.PROGRESS, runner="r", timings=Timings(1, 2, 3))
    assert runner.encode_reply(progress)[0] == 0
    data = runner.encode_reply(ok("r-1", own_ref))
    assert data[0] == 0
    reply = unframe_reply(runner, data)
    result_id = fake.subjects["mlbridge.pipeline.typed_add.result-value"]
    assert reply.result_schema == f"registry:{result_id}"
    # The final reply forgot the mark: a later reply with that id (a duplicate) goes single-object.
    assert runner.encode_reply(ok("r-1", own_ref))[:2] == b"\xc3\x01"


def test_a_single_object_request_gets_a_single_object_reply() -> None:
    runner, _ = make()
    assert runner.decode_request(encode_request_single(request("r-2"))) == request("r-2")
    data = runner.encode_reply(ok("r-2", wire_schemas().value.reference))
    assert decode_reply(data).id == "r-2"


def test_generic_and_error_results_keep_their_refs() -> None:
    runner, _ = make()
    request_id = runner.envelopes.request_schema_id("ml.in")
    runner.decode_request(encode_request(request_id, request("r-3")))
    value_ref = wire_schemas().value.reference
    assert unframe_reply(runner, runner.encode_reply(ok("r-3", value_ref))).result_schema == value_ref


def test_registry_down_while_replying_falls_back_to_single_object() -> None:
    runner, fake = make()
    request_id = runner.envelopes.request_schema_id("ml.in")
    runner.decode_request(encode_request(request_id, request("r-4")))
    fake.fail = ConnectionRefusedError(111, "refused")
    own_ref = next(iter(runner._results))
    reply = decode_reply(runner.encode_reply(ok("r-4", own_ref)))
    assert (reply.id, reply.result_schema) == ("r-4", own_ref)


def test_unknown_ids_and_a_registry_that_is_down_are_body_errors_with_reasons() -> None:
    runner, fake = make()
    with pytest.raises(UnknownSchemaId) as info:
        runner.decode_request(frame(777, b"\x00"))
    assert isinstance(info.value, BodyDecodeError) and info.value.reason == "unknown-schema-id"
    fake.fail = ConnectionRefusedError(111, "refused")
    with pytest.raises(SchemaRegistryUnavailable) as down:
        runner.decode_request(frame(778, b"\x00"))
    assert down.value.reason == "schema-registry-unavailable"


def test_peek_reads_the_address_of_either_framing() -> None:
    runner, _ = make()
    body = encode_request(5, request("r-5"))
    address = runner.peek_request_address(body)
    assert address is not None and (address.id, address.reply_to) == ("r-5", "replies.c")
    single = runner.peek_request_address(encode_request_single(request("r-6")))
    assert single is not None and single.id == "r-6"
    assert runner.peek_request_address(frame(5, b"\x01")) is None


def test_writer_schema_of_registry_refs() -> None:
    runner, fake = make()
    schema_id = fake.register_schema("x-value", FakeSchema('{"type":"record","name":"Args","fields":[{"name":"a","type":"long"}]}'))
    assert runner.writer_schema(f"registry:{schema_id}")["name"] == "Args"
    assert runner.writer_schema("registry:999") is None
    assert runner.writer_schema("crc64:0000000000000000") is None
    fake.texts[5] = FakeSchema("{broken")
    assert runner.writer_schema("registry:5") is None
    fake.fail = ConnectionRefusedError(111, "refused")
    with pytest.raises(SchemaRegistryError):
        runner.writer_schema("registry:6")


def test_marks_are_bounded() -> None:
    runner, _ = make()
    request_id = runner.envelopes.request_schema_id("ml.in")
    first = encode_request(request_id, request("first"))
    runner.decode_request(first)
    for i in range(MAX_MARKED):
        runner._mark(f"m-{i}")
    assert len(runner._confluent) == MAX_MARKED
    assert "first" not in runner._confluent
