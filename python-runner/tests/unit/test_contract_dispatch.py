"""Dispatch of typed pipelines: own schema, a resolved writer schema, the generic Value; the reply
mirrors the request. Uses the fixture pipelines test/fixtures/typed_pipelines*.py."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mlbridge_runner import Registry
from mlbridge_runner.codec.envelopes import ReplyStatus, RequestEnvelope
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import decode_value, encode_value
from mlbridge_runner.contract import SchemaStore
from mlbridge_runner.contract.typed_codec import TypedCodec
from mlbridge_runner.progress import Report
from mlbridge_runner.runner.arguments import Binder, bind_arguments, compile_checks
from mlbridge_runner.runner.dispatch import Dispatcher, Rejected, SchemaPending, execute
from mlbridge_runner.runner.processes import request_for_worker
from mlbridge_runner.runner.replies import outcome_reply
from mlbridge_devtools.typed_vectors import load_fixture_registry

FIXTURES = Path(__file__).resolve().parents[3] / "test" / "fixtures"
V1 = load_fixture_registry(FIXTURES / "typed_pipelines.py")
V2 = load_fixture_registry(FIXTURES / "typed_pipelines_v2.py")
VALUE_REF = wire_schemas().value.reference
UTC = dt.timezone.utc
TRAIN_ARGS = {"dataset": "d", "config": {"epochs": 2, "optimizer": "SGD"}, "mode": "full"}


def dispatcher(registry: Registry = V1, store: SchemaStore | None = None, wait: float | None = None) -> Dispatcher:
    return Dispatcher(registry, VALUE_REF, store=store, schema_wait_s=wait)


def args_codec(registry: Registry, name: str) -> TypedCodec:
    return TypedCodec(registry[name].contract.args_schema)


def result_codec(registry: Registry, name: str) -> TypedCodec:
    return TypedCodec(registry[name].contract.result_schema)


def typed_request(name: str, args: dict[str, Any], registry: Registry = V1) -> RequestEnvelope:
    codec = args_codec(registry, name)
    return RequestEnvelope(id="r1", pipeline=name, args=codec.encode(args, "args"), args_schema=codec.ref, reply_to="replies")


def generic_request(name: str, args: Any) -> RequestEnvelope:
    return RequestEnvelope(id="r1", pipeline=name, args=encode_value(args), args_schema=VALUE_REF, reply_to="replies")


def rejected(d: Dispatcher, request: RequestEnvelope, code: str = "INVALID_ARGUMENTS") -> str:
    with pytest.raises(Rejected) as info:
        d.prepare(request)
    assert info.value.error.code == code, info.value.error
    return info.value.error.message


# ---------------------------------------------------------------------------- typed requests


def test_typed_request_builds_objects_and_gets_a_typed_reply():
    call = dispatcher().prepare(typed_request("typed_train", TRAIN_ARGS))
    config = call.kwargs["config"]
    assert type(config).__name__ == "TrainConfig" and config.learning_rate == 0.01 and config.layers == [64, 32]
    assert config.optimizer is V1["typed_train"].classes["mlbridge.types.Optimizer"].SGD
    assert call.typed_reply
    reports: list[Report] = []
    outcome = execute(call, progress=reports.append)
    assert outcome.error is None and outcome.result_ref == V1["typed_train"].contract.result_ref
    result = result_codec(V1, "typed_train").decode(outcome.result, "result")
    assert result["model_id"] == "d-sgd-2" and result["history"] == [1.0, 0.5] and result["mode"] == "full"
    assert result["trained_at"] == dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert [r.current for r in reports] == [1, 2]  # the progress parameter is injected, not in the schema


def test_typed_request_every_type_mapping():
    echo = {
        "i": -3, "f": 0.5, "s": "é", "b": True, "raw": b"\x00\x01", "day": dt.date(2000, 2, 29),
        "at": dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC), "optimizer": "ADAM",
        "maybe": 4, "either": "x", "items": ["a"], "scores": {"k": 1.5},
    }
    call = dispatcher().prepare(typed_request("typed_echo", echo))
    assert call.kwargs["day"] == dt.date(2000, 2, 29) and call.kwargs["optimizer"].name == "ADAM"
    outcome = execute(call)
    assert result_codec(V1, "typed_echo").decode(outcome.result, "result") == {**echo, "nothing": None}


def test_typed_primitive_and_null_results():
    outcome = execute(dispatcher().prepare(typed_request("typed_add", {"a": 40, "b": 2})))
    assert outcome.result == b"\x54" and outcome.result_ref == V1["typed_add"].contract.result_ref
    nothing = execute(dispatcher().prepare(typed_request("typed_nothing", {})))
    assert nothing.result == b"" and nothing.error is None


def test_typed_args_ref_hex_case_is_ignored():
    request = typed_request("typed_add", {"a": 40, "b": 2})
    upper = request.args_schema.upper().replace("CRC64", "crc64")
    assert upper != request.args_schema  # the reference has hex letters to change
    call = dispatcher().prepare(replace(request, args_schema=upper))
    # Read with the pipeline's own args schema, exactly as the lower-case reference is.
    assert call.plan is not None and call.typed_reply and call.kwargs == {"a": 40, "b": 2}
    outcome = execute(call)
    assert outcome.result == b"\x54" and outcome.result_ref == V1["typed_add"].contract.result_ref


@pytest.mark.parametrize(("data", "words"), [(b"", "cannot decode args"), (b"\x02\x04\x00", "trailing bytes")])
def test_malformed_typed_args(data, words):
    request = replace(typed_request("typed_add", {"a": 1}), args=data)
    assert words in rejected(dispatcher(), request)


def test_typed_result_that_does_not_fit():
    for kind, words in [("type", "result.accuracy: expected float, got str 'high'"), ("missing", "missing field 'loss'")]:
        outcome = execute(dispatcher().prepare(typed_request("typed_bad_result", {"kind": kind})))
        assert outcome.error is not None and outcome.error.code == "RESULT_NOT_ENCODABLE"
        assert words in outcome.error.message and outcome.result_ref is None


# ---------------------------------------------------------------------------- writer schemas from the store


def test_old_client_calls_new_runner_through_the_store():
    store = SchemaStore()
    store.add(V1["typed_train"].contract.args_schema)
    call = dispatcher(V2, store).prepare(typed_request("typed_train", TRAIN_ARGS, V1))
    assert call.kwargs["seed"] is None and call.typed_reply
    outcome = execute(call)
    assert outcome.result_ref == V2["typed_train"].contract.result_ref  # the runner's own result schema
    # The old client reads the new result with its own schema (resolution on its side).
    old_reader, new_writer = result_codec(V1, "typed_train"), result_codec(V2, "typed_train")
    assert old_reader.decode(outcome.result, "result", new_writer.parsed)["model_id"] == "d-sgd-2"


def test_new_client_calls_old_runner_an_argument_at_its_default_is_not_lost():
    store = SchemaStore()
    store.add(V2["typed_add"].contract.args_schema)
    call = dispatcher(V1, store).prepare(typed_request("typed_add", {"a": 1, "b": 2, "c": 0}, V2))
    assert call.kwargs == {"a": 1, "b": 2}


def test_new_client_calls_old_runner_an_argument_it_would_drop_is_refused_retryable():
    store = SchemaStore()
    store.add(V2["typed_add"].contract.args_schema)
    with pytest.raises(Rejected) as info:
        dispatcher(V1, store).prepare(typed_request("typed_add", {"a": 1, "b": 2, "c": 3}, V2))
    error = info.value.error
    assert error.code == "INCOMPATIBLE_ARGUMENTS" and error.retryable and info.value.hand_on
    assert "field 'c'" in error.message
    assert f"client schema {V2['typed_add'].contract.args_ref} (version unknown)" in error.message
    assert f"runner schema {V1['typed_add'].contract.args_ref} (version 1)" in error.message


def test_unknown_writer_ref_is_refused_naming_it():
    message = rejected(dispatcher(V1, SchemaStore(), wait=0.05), replace(typed_request("typed_add", {"a": 1}),
                                                                          args_schema="crc64:00000000000000ff"))
    assert "crc64:00000000000000ff" in message and "unknown" in message


def test_non_crc_refs_do_not_wait():
    d = dispatcher(V1, SchemaStore(), wait=30)
    for ref in ["registry:12", "", "x" * 500]:
        message = rejected(d, replace(typed_request("typed_add", {"a": 1}), args_schema=ref))
        assert len(message) < 600


def test_waits_for_the_catalogue_to_bring_the_writer_schema():
    store = SchemaStore()
    timer = threading.Timer(0.1, store.add, args=(V2["typed_add"].contract.args_schema,))
    timer.start()
    try:
        call = dispatcher(V1, store, wait=5).prepare(typed_request("typed_add", {"a": 5, "c": 0}, V2))
    finally:
        timer.cancel()
    assert call.kwargs == {"a": 5, "b": 0}


def test_deferred_wait_raises_instead_of_blocking_then_resolves_once_the_schema_is_there():
    store = SchemaStore()
    d = Dispatcher(V1, VALUE_REF, store=store, schema_wait_s=30, defer_waits=True)
    request = typed_request("typed_add", {"a": 5, "c": 0}, V2)
    with pytest.raises(SchemaPending) as info:
        d.prepare(request)  # a blocking wait would take 30 s here
    assert info.value.ref == request.args_schema
    store.add(V2["typed_add"].contract.args_schema)
    assert d.prepare(request, waited=True).kwargs == {"a": 5, "b": 0}
    assert d.prepare(request).kwargs == {"a": 5, "b": 0}  # known now: no wait at all


def test_deferred_wait_that_found_nothing_refuses_and_later_misses_do_not_wait():
    d = Dispatcher(V1, VALUE_REF, store=SchemaStore(), schema_wait_s=30, defer_waits=True)
    request = replace(typed_request("typed_add", {"a": 1}), args_schema="crc64:00000000000000ff")
    with pytest.raises(SchemaPending):
        d.prepare(request)
    with pytest.raises(Rejected) as info:
        d.prepare(request, waited=True)
    assert info.value.error.code == "INVALID_ARGUMENTS" and "crc64:00000000000000ff" in info.value.error.message
    other = replace(request, args_schema="crc64:00000000000000fe")
    assert "crc64:00000000000000fe" in rejected(d, other)  # the backoff: refused at once, not parked


def test_writer_schema_that_cannot_be_resolved():
    store = SchemaStore()
    writer = {"type": "record", "name": "Args", "namespace": "mlbridge.pipeline.typed_add",
              "fields": [{"name": "a", "type": "string"}]}
    ref = store.add(writer)
    request = replace(typed_request("typed_add", {"a": 1}), args=TypedCodec(writer).encode({"a": "x"}, "args"), args_schema=ref)
    assert "cannot decode args" in rejected(dispatcher(V1, store), request)


def test_default_store_is_private_and_does_not_wait():
    d = Dispatcher(V1, VALUE_REF)
    assert isinstance(d.store, SchemaStore)
    assert Dispatcher(V1, VALUE_REF).store is not d.store  # each dispatcher its own
    started = time.monotonic()
    message = rejected(d, replace(typed_request("typed_add", {"a": 1}), args_schema="crc64:0000000000000000"))
    # Refused at once, not after the 5 s a shared store would wait for the catalogue.
    assert time.monotonic() - started < 2.5
    assert "crc64:0000000000000000" in message


# ---------------------------------------------------------------------------- generic requests


def test_generic_request_to_typed_pipeline_converts_and_replies_generic():
    call = dispatcher().prepare(generic_request("typed_train", {**TRAIN_ARGS, "tags": {"a": "b"}}))
    assert type(call.kwargs["config"]).__name__ == "TrainConfig" and not call.typed_reply
    outcome = execute(call)
    assert outcome.result_ref is None
    result = decode_value(outcome.result)
    assert result["metrics"] == {"accuracy": 0.9, "loss": 0.5}
    assert result["trained_at"] == 1_704_164_645_678 and result["mode"] == "full" and result["tags"] == {"a": "b"}
    reply = outcome_reply(call.request, outcome, VALUE_REF, "runner", 0)
    assert reply.status is ReplyStatus.OK and reply.result_schema == VALUE_REF


def test_generic_request_dates_and_enum_flattened_in_reply():
    echo = {"i": 1, "f": 2, "s": "s", "b": False, "raw": b"", "day": 86_400_000, "at": 1000, "optimizer": "SGD"}
    result = decode_value(execute(dispatcher().prepare(generic_request("typed_echo", echo))).result)
    assert result["day"] == 86_400_000 and result["at"] == 1000 and result["optimizer"] == "SGD"
    assert result["f"] == 2.0 and isinstance(result["f"], float)


@pytest.mark.parametrize(
    ("args", "words", "argument"),
    [
        ({"config": {"epochs": 1}}, "missing a required argument: 'dataset'", "dataset"),
        ({**TRAIN_ARGS, "zzz": 1}, "got an unexpected keyword argument 'zzz'", "zzz"),
        ({**TRAIN_ARGS, "dataset": 5}, "argument 'dataset' expects str, got int", "dataset"),
        ({**TRAIN_ARGS, "config": {"epochs": "x"}}, "args.config.epochs: expected int, got str 'x'", "config"),
        ({**TRAIN_ARGS, "config": {"epochs": 1, "optimizer": "RMS"}}, "args.config.optimizer: expected one of 'SGD', 'ADAM'", "config"),
        ({**TRAIN_ARGS, "config": {"epochs": 1, "lr": 1}}, "args.config: unexpected field 'lr'", "config"),
        ({**TRAIN_ARGS, "config": {}}, "args.config: missing field 'epochs'", "config"),
        ({**TRAIN_ARGS, "mode": "slow"}, "argument 'mode' expects one of 'fast', 'full', got str 'slow'", "mode"),
        ({**TRAIN_ARGS, "progress": None}, "progress reporter supplied by the runner", "progress"),
        ([1], "must be a map", None),
    ],
)
def test_generic_misfits_name_the_field_path(args, words, argument):
    message = rejected(dispatcher(), generic_request("typed_train", args))
    assert words in message and message.startswith(("typed_train(): ", "arguments of 'typed_train'")), message


def test_generic_result_that_does_not_fit():
    outcome = execute(dispatcher().prepare(generic_request("typed_bad_result", {})))
    assert outcome.error is not None and outcome.error.code == "RESULT_NOT_ENCODABLE"
    assert "result.accuracy" in outcome.error.message


def test_untyped_pipeline_still_refuses_typed_refs():
    registry = Registry()
    registry.register(lambda value=None: value, "echo")
    message = rejected(Dispatcher(registry, VALUE_REF), replace(generic_request("echo", {}), args_schema="crc64:0123456789abcdef"))
    assert "the generic Value schema" in message


# ---------------------------------------------------------------------------- process isolation hand-over


def test_request_for_worker_reencodes_a_resolved_call_only():
    store = SchemaStore()
    store.add(V1["typed_train"].contract.args_schema)
    d = dispatcher(V2, store)
    resolved = d.prepare(typed_request("typed_train", TRAIN_ARGS, V1))
    handed = request_for_worker(resolved)
    assert handed.args_schema == V2["typed_train"].contract.args_ref and handed.id == resolved.request.id
    again = Dispatcher(V2, VALUE_REF).prepare(handed)  # a worker with no catalogue can prepare it
    assert again.kwargs == resolved.kwargs
    own = d.prepare(typed_request("typed_train", {**TRAIN_ARGS, "seed": 1}, V2))
    assert request_for_worker(own) is own.request
    generic = d.prepare(generic_request("typed_train", TRAIN_ARGS))
    assert request_for_worker(generic) is generic.request


def test_outcome_reply_carries_the_result_ref():
    call = dispatcher().prepare(typed_request("typed_add", {"a": 1}))
    reply = outcome_reply(call.request, execute(call), VALUE_REF, "runner", 0)
    assert reply.result_schema == V1["typed_add"].contract.result_ref


# ---------------------------------------------------------------------------- the compiled untyped binder


def sig_plain(a: int, b: str = "x") -> None: ...
def sig_kwargs(a, **rest): ...  # noqa: ANN001
def sig_kwonly(a, *, b, c=1): ...  # noqa: ANN001
def sig_posonly(a=1, /, b=2): ...  # noqa: ANN001
def sig_posonly_kwargs(a=1, /, **rest): ...  # noqa: ANN001
def sig_varargs(*items, key=None): ...  # noqa: ANN001


@pytest.mark.parametrize("fn", [sig_plain, sig_kwargs, sig_kwonly, sig_posonly, sig_posonly_kwargs, sig_varargs])
@pytest.mark.parametrize(
    "args",
    [{}, {"a": 1}, {"a": "1"}, {"a": 1, "b": "y"}, {"a": 1, "b": 2}, {"b": 1}, {"a": 1, "zzz": 0}, {"items": [1]},
     {"key": 1}, {"a": 1, "b": 1, "c": 2}, {"rest": 1}],
)
def test_binder_agrees_with_signature_bind(fn, args):
    registry = Registry()
    registry.register(fn, "f")
    pipeline = registry["f"]
    try:
        expected: Any = bind_arguments(pipeline, args, compile_checks(pipeline.signature))
    except TypeError as exc:
        expected = ("error", getattr(exc, "argument", None))
    try:
        got: Any = Binder(pipeline).bind(args)
    except TypeError as exc:
        got = ("error", getattr(exc, "argument", None))
    assert got == expected


def test_an_unexpected_failure_while_preparing_is_answered_not_raised(monkeypatch):
    from mlbridge_runner.contract.calls import TypedPlan

    def broken(self, data, writer=None):
        raise RuntimeError("bug")

    monkeypatch.setattr(TypedPlan, "decode_args", broken)
    with pytest.raises(Rejected) as info:
        dispatcher().prepare(typed_request("typed_add", {"a": 1}))
    assert info.value.error.code == "INTERNAL" and "bug" in info.value.error.message


def test_a_resolved_call_that_no_longer_encodes_is_answered_without_a_process():
    from mlbridge_runner.runner.pool import Job
    from mlbridge_runner.runner.processes import ProcessWorkers

    store = SchemaStore()
    store.add(V1["typed_add"].contract.args_schema)
    call = dispatcher(V2, store).prepare(typed_request("typed_add", {"a": 1}, V1))
    broken = replace(call, kwargs={"a": "not an int"})
    workers = ProcessWorkers(["unused.py"])
    outcome = workers.run(Job(broken, None), None)  # type: ignore[arg-type]
    assert outcome.error is not None and outcome.error.code == "INVALID_ARGUMENTS" and "args.a" in outcome.error.message
    assert workers.started == 0


def test_after_a_fruitless_wait_misses_are_answered_at_once():
    import time

    store = SchemaStore()
    d = dispatcher(V1, store, wait=0.2)
    unknown = replace(typed_request("typed_add", {"a": 1}), args_schema="crc64:00000000000000ab")
    started = time.monotonic()
    rejected(d, unknown)
    assert time.monotonic() - started >= 0.19
    started = time.monotonic()
    rejected(d, replace(unknown, args_schema="crc64:00000000000000ac"))
    assert time.monotonic() - started < 0.1
    store.add(V2["typed_add"].contract.args_schema)  # a schema that arrives later is still found at once
    assert d.prepare(typed_request("typed_add", {"a": 2}, V2)).kwargs == {"a": 2, "b": 0}
