"""Tracing across ``--isolation process`` with a real runner and broker: the runner's consumer span
continues the request's traceparent, the pipeline's span — recorded in the worker process by the
TracerProvider its pipelines module sets up — nests under it, and the reply record carries the
consumer span's traceparent (docs/observability.md, "Tracing: the runner side")."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from mlbridge_runner.codec.envelopes import ReplyStatus, decode_reply
from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, read_all, unique
from .runner_process import FIXTURES, RunnerProcess

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN = "00f067aa0ba902b7"


def _spans(path: Path, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count or time.monotonic() > deadline:
            return [json.loads(line) for line in lines]
        time.sleep(0.05)


def test_the_pipeline_span_in_the_worker_process_nests_under_the_runner_span(brokers: str, tmp_path: Path) -> None:
    spans_file = tmp_path / "spans.jsonl"
    runner = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"),
        "--pipelines", str(FIXTURES / "traced_pipelines.py"), "--isolation", "process", "--concurrency", "1",
        "--job-concurrency", "0", env={"MLBRIDGE_TEST_SPANS": str(spans_file)},
    )
    caller = Caller(brokers, runner.request_topic)
    try:
        runner.wait_for("runner.assigned")
        request = caller.request("traced_step", {"n": 1}, headers={"traceparent": f"00-{TRACE_ID}-{PARENT_SPAN}-01"})
        reply = caller.invoke("traced_step", {"n": 1}, id=request.id, headers=request.headers, timeout=30)
        assert reply.status is ReplyStatus.OK, reply.error
        worker_pid = decode_value(reply.result)
        assert worker_pid != runner.proc.pid

        records = read_all(brokers, caller.reply_topic, 0, lambda found: len(found) >= 1)
        headers = dict(records[0].headers() or [])
        _, trace_id, span_id, flags = headers["traceparent"].decode().split("-")

        spans = _spans(spans_file, 2)
        consumer = next(s for s in spans if s["name"] == f"process {runner.request_topic}")
        inner = next(s for s in spans if s["name"] == "inside-pipeline")
        assert consumer["pid"] == runner.proc.pid and consumer["kind"] == "CONSUMER"
        assert (consumer["trace_id"], consumer["parent"]) == (TRACE_ID, PARENT_SPAN)
        assert consumer["attributes"]["messaging.message.id"] == request.id
        assert inner["pid"] == worker_pid
        assert (inner["trace_id"], inner["parent"]) == (TRACE_ID, consumer["span_id"])
        assert (trace_id, span_id, flags) == (TRACE_ID, consumer["span_id"], "01")
        assert decode_reply(records[0].value()).id == request.id
    finally:
        caller.close()
        assert runner.terminate() == 0
