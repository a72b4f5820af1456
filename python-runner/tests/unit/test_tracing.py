"""The runner continues the caller's trace (docs/observability.md, "Tracing: the runner side").

Each scenario runs in a subprocess (tests/fixtures/tracing_scenario.py): a TracerProvider is
process-global, and setting one here would trace every other test of the session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlbridge_runner.observability.tracing import trace_id_of

ROOT = Path(__file__).resolve().parents[2]  # python-runner/
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_SPAN = "b7ad6b7169203331"


def _scenario(*flags: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.fixtures.tracing_scenario", *flags],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def traced() -> dict[str, Any]:
    return _scenario()


def test_consumer_span_continues_the_request_traceparent(traced: dict[str, Any]) -> None:
    consumer = [s for s in traced["spans"] if s["name"] == "process requests"]
    assert len(consumer) == 42  # 40 traced calls, one failing, one without a traceparent
    continued = [s for s in consumer if s["parent"] == PARENT_SPAN]
    assert len(continued) == 41
    for span in continued:
        assert span["kind"] == "CONSUMER"
        assert span["trace_id"] == TRACE_ID
        assert span["parent_remote"] is True
    first = continued[0]
    assert first["trace_state"] == "vendor=1"  # tracestate travels with traceparent
    attributes = first["attributes"]
    assert attributes["messaging.system"] == "kafka"
    assert attributes["messaging.operation.type"] == "process"
    assert attributes["messaging.destination.name"] == "requests"
    assert attributes["messaging.consumer.group.name"] == "g1"
    assert attributes["messaging.destination.partition.id"] == "0"
    assert attributes["messaging.kafka.offset"] == 0
    assert attributes["mlbridge.pipeline"] == "traced"
    assert attributes["mlbridge.queue_wait_ms"] >= 0 and attributes["mlbridge.run_ms"] >= 0
    # No traceparent: a root span of a trace of its own.
    root = [s for s in consumer if s["parent"] is None]
    assert len(root) == 1 and root[0]["trace_id"] != TRACE_ID


def test_the_pipeline_span_nests_under_the_consumer_span_on_the_pool_and_inline(traced: dict[str, Any]) -> None:
    assert traced["inline_at_end"], "the no-op pipeline should have been promoted to the loop thread"
    consumer_ids = {s["span_id"]: s for s in traced["spans"] if s["name"] in ("process requests", "process jobs")}
    inner = [s for s in traced["spans"] if s["name"] == "inside-pipeline"]
    assert len(inner) == 43  # 42 calls and one job
    for span in inner:
        parent = consumer_ids[span["parent"]]  # KeyError: a pipeline span outside its call's span
        assert span["trace_id"] == parent["trace_id"]
        assert span["parent_remote"] is False


def test_each_reply_carries_its_consumer_span_as_traceparent_header(traced: dict[str, Any]) -> None:
    consumer = {s["attributes"]["messaging.message.id"]: s for s in traced["spans"] if s["name"] == "process requests"}
    assert len(traced["replies"]) == 42
    for reply in traced["replies"]:
        span = consumer[reply["id"]]
        assert reply["traceparent"] is not None
        _, trace_id, span_id, flags = reply["traceparent"].split("-")
        assert (trace_id, span_id) == (span["trace_id"], span["span_id"])
        assert int(flags, 16) & 1
        assert trace_id_of(reply["traceparent"]) == trace_id


def test_a_failed_call_marks_its_span_as_an_error(traced: dict[str, Any]) -> None:
    failed = [s for s in traced["spans"] if s["name"] == "process requests" and s["status"] == "ERROR"]
    assert len(failed) == 1
    assert failed[0]["attributes"]["mlbridge.pipeline"] == "failing"
    assert failed[0]["attributes"]["error.type"] == "PIPELINE_ERROR"
    statuses = {r["id"]: r["status"] for r in traced["replies"]}
    assert statuses[failed[0]["attributes"]["messaging.message.id"]] == "ERROR"


def test_a_job_run_continues_the_submitters_trace(traced: dict[str, Any]) -> None:
    assert traced["job_states"] == ["RUNNING", "SUCCEEDED"]
    run = next(s for s in traced["spans"] if s["name"] == "process jobs")
    assert (run["kind"], run["trace_id"], run["parent"]) == ("CONSUMER", TRACE_ID, PARENT_SPAN)
    assert run["attributes"]["messaging.message.id"] == "job-1"
    assert run["attributes"]["messaging.consumer.group.name"] == "g1.jobs"
    assert run["attributes"]["mlbridge.attempt"] == 1
    inner = [s for s in traced["spans"] if s["name"] == "inside-pipeline" and s["parent"] == run["span_id"]]
    assert len(inner) == 1


def test_a_worker_process_makes_the_traceparent_in_its_headers_current(traced: dict[str, Any]) -> None:
    span = next(s for s in traced["spans"] if s["name"] == "in-worker-process")
    assert span["trace_id"] == "1" * 32
    assert span["parent"] == "2" * 16 and span["parent_remote"] is True


def test_without_opentelemetry_everything_works_and_nothing_is_traced() -> None:
    plain = _scenario("--no-otel")
    assert plain["otel_loaded"] is False
    assert plain["tracing"] is False and plain["attached_in_worker"] is False
    assert plain["spans"] == []
    assert len(plain["replies"]) == 42
    assert [r["status"] for r in plain["replies"]].count("ERROR") == 1
    assert all(r["traceparent"] is None for r in plain["replies"])


@pytest.mark.parametrize(
    "header, expected",
    [
        ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "0af7651916cd43dd8448eb211c80319c"),
        ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", None),  # not sampled
        (b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03", "0af7651916cd43dd8448eb211c80319c"),
        ("garbage", None),
        (None, None),
    ],
)
def test_trace_id_of_a_traceparent(header: Any, expected: str | None) -> None:
    assert trace_id_of(header) == expected


class _Producer:
    def __init__(self) -> None:
        self.single: list[tuple[bytes, Any]] = []
        self.batches: list[int] = []

    def produce(self, topic: str, value: bytes, key: bytes, on_delivery: Any, headers: Any = None) -> None:
        self.single.append((key, headers))

    def produce_batch(self, topic: str, messages: list[dict[str, Any]]) -> int:
        assert all("headers" not in m for m in messages)  # librdkafka's produce_batch takes none
        self.batches.append(len(messages))
        return len(messages)


def test_traced_replies_held_by_the_loop_keep_their_header_and_a_lone_one_does_not_linger() -> None:
    import threading

    from mlbridge_runner.codec.envelopes import ReplyEnvelope, ReplyStatus, Timings
    from mlbridge_runner.runner.replies import ReplySender

    plain, bulk = _Producer(), _Producer()
    sender = ReplySender(plain, lambda ticket: None, threading.current_thread(), bulk=bulk)  # type: ignore[arg-type]
    header = [("traceparent", f"00-{TRACE_ID}-{PARENT_SPAN}-01".encode())]

    def reply(i: int) -> ReplyEnvelope:
        return ReplyEnvelope(f"id-{i}", ReplyStatus.OK, result=b"\x00", result_schema="crc64:00", runner="r", timings=Timings(1, 2, 3))

    sender.hold()
    sender.send(reply(1), "replies", None, headers=header)
    sender.release()  # alone: the plain producer (linger 0), not the lingering bulk one
    assert plain.single == [(b"id-1", header)] and bulk.single == []
    sender.hold()
    sender.send(reply(2), "replies", None, headers=header)
    sender.send(reply(3), "replies", None)
    sender.send(reply(4), "replies", None)
    sender.release()  # several: the bulk producer; the traced one by itself, the others in one batch
    assert bulk.single == [(b"id-2", header)] and bulk.batches == [2]
