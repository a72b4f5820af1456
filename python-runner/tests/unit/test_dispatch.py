"""Request → checked call → outcome, without Kafka."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

import pytest

from mlbridge_runner import Registry
from mlbridge_runner.codec.envelopes import RequestEnvelope
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import decode_value, encode_value
from mlbridge_runner.contract.hints import UnresolvedHints
from mlbridge_runner.runner.dispatch import Dispatcher, Rejected, execute

NOW = 1_700_000_000_000
ran: list[str] = []


class DataError(Exception):
    pass


def make_registry() -> Registry:
    registry = Registry()

    @registry.pipeline
    def add(a: int, b: int = 0) -> int:
        ran.append("add")
        return a + b

    @registry.pipeline
    def typed(x: float, flag: bool, name: str, blob: bytes, items: list[int], opts: dict, maybe: Optional[int] = None,
              either: int | str = 0, anything=None) -> None:
        ran.append("typed")

    # SomeClass exists nowhere: served untyped, with the warning that says so (expected here).
    with pytest.warns(UnresolvedHints, match="'stringly'.*SomeClass"):

        @registry.pipeline
        def stringly(n: "int", m: "int | None" = None, k: "Optional[str]" = None, o: "SomeClass" = None) -> None:  # noqa: F821
            ran.append("stringly")

    @registry.pipeline
    def kw(**options: object) -> dict:
        return dict(options)

    @registry.pipeline
    def fails() -> None:
        try:
            raise KeyError("inner")
        except KeyError as exc:
            raise DataError("outer") from exc

    @registry.pipeline
    def exits() -> None:
        raise SystemExit(3)

    @registry.pipeline
    def unencodable() -> object:
        return {"a": object()}

    @registry.pipeline
    async def coroutine(x: int) -> int:
        return x * 2

    return registry


@pytest.fixture
def dispatcher() -> Dispatcher:
    ran.clear()
    return Dispatcher(make_registry(), wire_schemas().value.reference, clock=lambda: NOW)


def request(pipeline: str, args: object = None, **overrides: object) -> RequestEnvelope:
    fields = dict(
        id="r1", pipeline=pipeline, args=encode_value({} if args is None else args),
        args_schema=wire_schemas().value.reference, reply_to="replies", deadline_ms=0,
    )
    fields.update(overrides)
    return RequestEnvelope(**fields)  # type: ignore[arg-type]


def rejected(dispatcher: Dispatcher, req: RequestEnvelope, code: str):
    with pytest.raises(Rejected) as info:
        dispatcher.prepare(req)
    assert info.value.error.code == code, info.value.error
    assert ran == []
    return info.value.error


def test_good_call_runs_and_encodes(dispatcher):
    outcome = execute(dispatcher.prepare(request("add", {"a": 40, "b": 2})))
    assert outcome.error is None and decode_value(outcome.result) == 42
    assert outcome.started_at_ms <= outcome.finished_at_ms


def test_unknown_pipeline(dispatcher):
    error = rejected(dispatcher, request("__import__('os').system('x')"), "UNKNOWN_PIPELINE")
    assert "\"__import__('os').system('x')\"" in error.message
    assert "registered: add, coroutine" in error.message


def test_very_long_unknown_name_is_clipped(dispatcher):
    error = rejected(dispatcher, request("x" * 100_000), "UNKNOWN_PIPELINE")
    assert len(error.message) < 1000


def test_expired_deadline(dispatcher):
    error = rejected(dispatcher, request("add", {"a": 1}, deadline_ms=NOW - 5), "DEADLINE_EXCEEDED")
    assert "5 ms" in error.message


@pytest.mark.parametrize("deadline_ms", [NOW + 1, 0], ids=["in-the-future", "none"])
def test_deadline_in_the_future_or_none_runs(dispatcher, deadline_ms):
    call = dispatcher.prepare(request("add", {"a": 1, "b": 2}, deadline_ms=deadline_ms))
    assert call.pipeline.name == "add" and call.kwargs == {"a": 1, "b": 2}
    assert call.received_at_ms == NOW
    outcome = execute(call)
    assert outcome.error is None and decode_value(outcome.result) == 3
    assert ran == ["add"]


@pytest.mark.parametrize("schema", ["registry:12", "crc64:0000000000000000", ""])
def test_args_schema_must_be_the_value_schema(dispatcher, schema):
    rejected(dispatcher, request("add", {"a": 1}, args_schema=schema), "INVALID_ARGUMENTS")


def test_args_schema_hex_case_is_ignored(dispatcher):
    upper = wire_schemas().value.reference.upper().replace("CRC64", "crc64")
    assert upper != wire_schemas().value.reference  # the reference has hex letters to change
    lower = dispatcher.prepare(request("add", {"a": 1}))
    call = dispatcher.prepare(request("add", {"a": 1}, args_schema=upper))
    # Read as the generic Value, exactly like the lower-case reference: same plan, untyped reply.
    assert call.plan is lower.plan and not call.typed_reply and call.kwargs == lower.kwargs == {"a": 1, "b": 0}
    outcome = execute(call)
    assert outcome.error is None and decode_value(outcome.result) == 1 and outcome.result_ref is None


@pytest.mark.parametrize(
    ("args", "named", "words"),
    [
        ({}, "a", "missing"),
        ({"a": 1, "zzz": 2}, "zzz", "unexpected"),
        ({"a": "1"}, "a", "expects int, got str"),
        ({"a": True}, "a", "expects int, got bool"),
        ({"a": 1.5}, "a", "expects int, got float"),
        ([1, 2], None, "must be a map"),
        (None, None, "must be a map"),
    ],
)
def test_binding_errors_name_the_argument(dispatcher, args, named, words):
    req = request("add", args) if args is not None else replace(request("add"), args=encode_value(None))
    error = rejected(dispatcher, req, "INVALID_ARGUMENTS")
    assert words in error.message
    if named:
        assert repr(named) in error.message


def test_undecodable_args(dispatcher):
    error = rejected(dispatcher, replace(request("add"), args=b"\x0e"), "INVALID_ARGUMENTS")
    assert "cannot decode value at args" in error.message


GOOD_TYPED = {"x": 1, "flag": True, "name": "n", "blob": b"b", "items": [1], "opts": {}}


@pytest.mark.parametrize(
    ("override", "ok"),
    [
        ({}, True),
        ({"x": 1.5}, True),
        ({"x": True}, False),
        ({"flag": 1}, False),
        ({"blob": "s"}, False),
        ({"items": {}}, False),
        ({"opts": []}, False),
        ({"maybe": None}, True),
        ({"maybe": "s"}, False),
        ({"either": "s"}, True),
        ({"either": 1.5}, False),
        ({"anything": object.__name__}, True),
    ],
)
def test_annotations_are_checked(dispatcher, override, ok):
    req = request("typed", {**GOOD_TYPED, **override})
    if ok:
        dispatcher.prepare(req)
    else:
        rejected(dispatcher, req, "INVALID_ARGUMENTS")


@pytest.mark.parametrize(
    ("args", "ok"),
    [({"n": 1}, True), ({"n": "1"}, False), ({"n": 1, "m": None}, True), ({"n": 1, "m": "x"}, False),
     ({"n": 1, "k": 3}, False), ({"n": 1, "o": 3}, True)],
)
def test_string_annotations_are_looked_up_not_evaluated(dispatcher, args, ok):
    if ok:
        dispatcher.prepare(request("stringly", args))
    else:
        rejected(dispatcher, request("stringly", args), "INVALID_ARGUMENTS")


def test_var_keyword_accepts_any_key(dispatcher):
    outcome = execute(dispatcher.prepare(request("kw", {"weird key": 1, "class": 2})))
    assert decode_value(outcome.result) == {"weird key": 1, "class": 2}


def test_raising_pipeline_becomes_a_structured_error(dispatcher):
    outcome = execute(dispatcher.prepare(request("fails")))
    error = outcome.error
    assert outcome.result is None and error is not None
    assert error.code == "PIPELINE_ERROR"
    assert error.type == f"{__name__}.DataError"
    assert error.message == "outer"
    assert "Traceback" in error.traceback and "KeyError: 'inner'" in error.traceback
    assert [(c.type, c.message) for c in error.causes] == [("KeyError", "'inner'")]
    assert error.retryable is False


def test_system_exit_in_a_pipeline_is_just_an_error(dispatcher):
    error = execute(dispatcher.prepare(request("exits"))).error
    assert error is not None and error.type == "SystemExit"


def test_unencodable_result(dispatcher):
    error = execute(dispatcher.prepare(request("unencodable"))).error
    assert error is not None and error.code == "RESULT_NOT_ENCODABLE"
    assert "result.a" in error.message


def test_async_pipeline(dispatcher):
    assert decode_value(execute(dispatcher.prepare(request("coroutine", {"x": 21}))).result) == 42
