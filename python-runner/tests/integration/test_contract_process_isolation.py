"""Typed pipelines under ``--isolation process`` against the real broker: typed requests get typed
replies from a worker process, generic ones generic replies, and a call written with another
version's schema (known to the runner only through its catalogue) is resolved and handed on."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest
from confluent_kafka import Producer

from mlbridge_runner.catalog.entries import encode_entry, schema_entry, schema_key
from mlbridge_runner.codec.envelopes import ReplyStatus
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import decode_value
from mlbridge_runner.contract.typed_codec import TypedCodec
from mlbridge_devtools.typed_vectors import load_fixture_registry

from .kafka_client import Caller, unique
from .runner_process import RunnerProcess
from .test_progress import _all_replies

FIXTURES = Path(__file__).resolve().parents[3] / "test" / "fixtures"
V1 = load_fixture_registry(FIXTURES / "typed_pipelines.py")
V2 = load_fixture_registry(FIXTURES / "typed_pipelines_v2.py")


@pytest.fixture(scope="module")
def runner(brokers: str) -> Iterator[RunnerProcess]:
    process = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--isolation", "process", "--concurrency", "2",
        "--pipelines", str(FIXTURES / "typed_pipelines.py"),
    )
    try:
        process.wait_for("runner.assigned")
        yield process
    finally:
        assert process.terminate() == 0


def invoke_bytes(caller: Caller, name: str, data: bytes, ref: str, timeout: float = 15.0):
    """Send a request with these argument bytes; the final reply (progress reports skipped)."""
    request = replace(caller.request(name), args=data, args_schema=ref)
    return _all_replies(caller, caller.send(request), timeout)[-1]


def typed_invoke(caller: Caller, name: str, args: dict, registry=V1):
    codec = TypedCodec(registry[name].contract.args_schema)
    return invoke_bytes(caller, name, codec.encode(args, "args"), codec.ref)


def test_typed_call_runs_in_a_worker_and_gets_a_typed_reply(runner, caller: Caller):
    contract = V1["typed_pid"].contract
    reply = typed_invoke(caller, "typed_pid", {})
    assert reply.status is ReplyStatus.OK and reply.result_schema == contract.result_ref
    pid = TypedCodec(contract.result_schema).decode(reply.result, "result")
    assert pid != runner.proc.pid

    train = V1["typed_train"].contract
    reply = typed_invoke(caller, "typed_train", {"dataset": "d", "config": {"epochs": 2}, "mode": "full"})
    assert reply.status is ReplyStatus.OK and reply.result_schema == train.result_ref
    result = TypedCodec(train.result_schema).decode(reply.result, "result")
    assert result["model_id"] == "d-adam-2" and result["trained_at"] == dt.datetime(2024, 1, 2, 3, 4, 5, 678000,
                                                                                    tzinfo=dt.timezone.utc)


def test_generic_call_to_a_typed_pipeline_gets_a_generic_reply(caller: Caller):
    request_id = caller.send(caller.request("typed_train", {"dataset": "d", "config": {"epochs": 1, "optimizer": "SGD"}}))
    reply = _all_replies(caller, request_id)[-1]
    assert reply.status is ReplyStatus.OK and reply.result_schema == wire_schemas().value.reference
    result = decode_value(reply.result)
    assert result["model_id"] == "d-sgd-1" and result["trained_at"] == 1_704_164_645_678


def test_bad_typed_arguments_are_refused_before_any_process(caller: Caller):
    reply = caller.invoke("typed_train", {"dataset": "d", "config": {"epochs": "many"}})
    assert reply.error.code == "INVALID_ARGUMENTS" and "args.config.epochs" in reply.error.message


def test_result_that_does_not_fit_from_a_worker(caller: Caller):
    reply = typed_invoke(caller, "typed_bad_result", {"kind": "type"})
    assert reply.error.code == "RESULT_NOT_ENCODABLE" and "result.accuracy" in reply.error.message


def test_newer_client_schema_from_the_catalogue_is_resolved_and_handed_on(brokers, runner, caller: Caller):
    v2_args = V2["typed_add"].contract.args_schema
    codec = TypedCodec(v2_args)
    producer = Producer({"bootstrap.servers": brokers})
    entry = schema_entry(codec.ref, v2_args)
    producer.produce(f"{runner.request_topic}.catalog", key=schema_key(codec.ref).encode(), value=encode_entry(entry))
    producer.flush(10)
    started = time.monotonic()
    reply = invoke_bytes(caller, "typed_add", codec.encode({"a": 40, "b": 2, "c": 0}, "args"), codec.ref)
    assert reply.status is ReplyStatus.OK, reply.error
    assert reply.result_schema == V1["typed_add"].contract.result_ref
    assert TypedCodec("long").decode(reply.result, "result") == 42  # v1 has no 'c': at its default, nothing is lost
    assert time.monotonic() - started < 10
    # Not at its default, v1 would drop it: refused (retryable), no live runner of v2 to hand it to.
    reply = invoke_bytes(caller, "typed_add", codec.encode({"a": 40, "b": 2, "c": 100}, "args"), codec.ref)
    assert reply.error.code == "INCOMPATIBLE_ARGUMENTS" and reply.error.retryable and "field 'c'" in reply.error.message


def test_unknown_writer_schema_is_refused_naming_it(caller: Caller):
    reply = invoke_bytes(caller, "typed_add", b"\x02", "crc64:00000000000000aa", timeout=20)
    assert reply.error.code == "INVALID_ARGUMENTS" and "crc64:00000000000000aa" in reply.error.message
