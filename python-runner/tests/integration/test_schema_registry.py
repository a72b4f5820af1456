"""A runner with --schema-registry against a real Confluent-compatible registry (Apicurio Registry
started by scripts/schema-registry/start.sh, or SCHEMA_REGISTRY_URL).

Requests here are built without mlbridge's codecs, the way a Confluent producer would: schemas
registered over the registry's REST API, bodies written with fastavro, ``00`` + id framing.
"""

from __future__ import annotations

import io
import json
import os
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from mlbridge_runner.codec.envelopes import ReplyStatus, encode_request, request_to_wire
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import decode_value

from .kafka_client import Caller, read_all, unique
from .runner_process import RunnerProcess

REPO_ROOT = Path(__file__).resolve().parents[3]
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


@pytest.fixture(scope="session")
def registry_url() -> str:
    url = os.environ.get("SCHEMA_REGISTRY_URL", "").strip()
    if url:
        return url.rstrip("/")
    script = REPO_ROOT / "scripts" / "schema-registry" / "start.sh"
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"could not start the schema registry ({script}):\n{done.stderr[-3000:]}", pytrace=False)
    return done.stdout.strip().splitlines()[-1]


def http(method: str, url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": CONTENT_TYPE})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def register(registry_url: str, subject: str, schema: Any) -> int:
    text = schema if isinstance(schema, str) else json.dumps(schema)
    return int(http("POST", f"{registry_url}/subjects/{subject}/versions", {"schema": text})["id"])


def fetch_schema(registry_url: str, schema_id: int) -> Any:
    return json.loads(http("GET", f"{registry_url}/schemas/ids/{schema_id}")["schema"])


def avro(schema: Any, record: Any) -> bytes:
    buf = io.BytesIO()
    schemaless_writer(buf, parse_schema(schema, named_schemas={}), record)
    return buf.getvalue()


def confluent(schema_id: int, body: bytes) -> bytes:
    return b"\x00" + struct.pack(">i", schema_id) + body


def read_confluent(registry_url: str, data: bytes) -> tuple[int, Any]:
    """Decode a Confluent frame the way a Confluent consumer would: look up the id, read the body."""
    assert data[:1] == b"\x00", data[:12].hex()
    (schema_id,) = struct.unpack(">i", data[1:5])
    schema = parse_schema(fetch_schema(registry_url, schema_id), named_schemas={})
    return schema_id, schemaless_reader(io.BytesIO(data[5:]), schema, None)


ADD_ARGS = {
    "type": "record",
    "name": "Args",
    "namespace": "mlbridge.pipeline.add",
    # The producer's own view of the arguments: b first, and without a default (still readable).
    "fields": [{"name": "b", "type": "long"}, {"name": "a", "type": "long"}],
}


@pytest.fixture(scope="module")
def registry_runner(brokers: str, registry_url: str) -> Iterator[RunnerProcess]:
    process = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--grace-seconds", "10", "--schema-registry", registry_url
    )
    try:
        process.wait_for("runner.assigned")
        yield process
    finally:
        process.terminate()


@pytest.fixture()
def registry_caller(brokers: str, registry_runner: RunnerProcess) -> Iterator[Caller]:
    # One per test: Caller.wait decodes every reply on its topic as single-object.
    client = Caller(brokers, registry_runner.request_topic)
    yield client
    client.close()


def foreign_request(registry_url: str, caller: Caller, **fields: Any) -> tuple[str, bytes]:
    """A typed add(a=2, b=3) call as a Confluent producer builds it (request.avsc as its own text)."""
    request_schema = json.loads((wire_schemas().directory / "request.avsc").read_text())
    request_id = register(registry_url, f"{caller.request_topic}-value", json.dumps(request_schema, indent=2))
    args_id = register(registry_url, "mlbridge.pipeline.add.args-value", ADD_ARGS)
    record = {
        "id": str(uuid.uuid4()),
        "pipeline": "add",
        "args": avro(ADD_ARGS, {"a": 2, "b": 3}),
        "argsSchema": f"registry:{args_id}",
        "replyTo": caller.reply_topic,
        "deadlineMs": 0,
        "attempt": 1,
        "sentAtMs": int(time.time() * 1000),
        "headers": {},
        **fields,
    }
    return record["id"], confluent(request_id, avro(request_schema, record))


def raw_replies(brokers: str, caller: Caller, request_ids: set[str]) -> dict[str, bytes]:
    found = read_all(brokers, caller.reply_topic, 0, stop=lambda msgs: request_ids <= {_peek_id(m.value()) for m in msgs})
    return {_peek_id(m.value()): m.value() for m in found if _peek_id(m.value()) in request_ids}


def _peek_id(data: bytes) -> str:
    body = data[5:] if data[:1] == b"\x00" else data[10:]
    from mlbridge_runner.codec.binary import Reader

    return Reader(body).read_string()


def _headers(msg: Any) -> dict[str, str]:
    return {name: (value or b"").decode() for name, value in (msg.headers() or [])}


def dead_letter(brokers: str, runner: RunnerProcess, marker: bytes) -> Any:
    found = read_all(brokers, runner.request_topic + ".dlq", 0, stop=lambda msgs: any(m.key() == marker for m in msgs))
    matching = [m for m in found if m.key() == marker]
    assert matching, f"no dead letter keyed {marker!r}; runner log:\n{runner.log_text()}"
    return matching[0]


def test_registry_answers_the_confluent_api(registry_url: str) -> None:
    subject = unique("mlbt.plain") + "-value"
    schema_id = register(registry_url, subject, {"type": "record", "name": "R", "fields": [{"name": "x", "type": "long"}]})
    assert register(registry_url, subject, {"type": "record", "name": "R", "fields": [{"name": "x", "type": "long"}]}) == schema_id
    assert fetch_schema(registry_url, schema_id)["name"] == "R"
    with pytest.raises(urllib.error.HTTPError) as info:
        fetch_schema(registry_url, 987_654_321)
    assert info.value.code == 404


def test_a_request_from_a_confluent_producer_is_answered_in_kind(brokers, registry_url, registry_runner, registry_caller):
    request_id, data = foreign_request(registry_url, registry_caller)
    registry_caller.send_raw(data, key=request_id.encode())
    reply_bytes = raw_replies(brokers, registry_caller, {request_id})[request_id]
    reply_schema_id, reply = read_confluent(registry_url, reply_bytes)
    assert http("GET", f"{registry_url}/subjects/mlbridge.reply-value/versions/latest")["id"] == reply_schema_id
    assert reply["status"] == "OK", reply
    assert reply["resultSchema"].startswith("registry:")
    result_schema = fetch_schema(registry_url, int(reply["resultSchema"].split(":")[1]))
    assert result_schema == "long"
    assert schemaless_reader(io.BytesIO(reply["result"]), parse_schema(result_schema), None) == 5


def test_single_object_requests_are_still_served_single_object(registry_caller):
    reply = registry_caller.invoke("echo", {"value": [1, "two"]})
    assert reply.status is ReplyStatus.OK
    assert decode_value(reply.result) == [1, "two"]


def test_a_pipeline_error_in_kind(brokers, registry_url, registry_caller):
    request_id, data = foreign_request(registry_url, registry_caller, pipeline="no_such_pipeline")
    registry_caller.send_raw(data, key=request_id.encode())
    _, reply = read_confluent(registry_url, raw_replies(brokers, registry_caller, {request_id})[request_id])
    assert (reply["status"], reply["error"]["code"]) == ("ERROR", "UNKNOWN_PIPELINE")


def test_unknown_schema_id_goes_to_dead_letters_and_is_answered(brokers, registry_url, registry_runner, registry_caller):
    request_id, data = foreign_request(registry_url, registry_caller)
    unknown = confluent(987_654_321, data[5:])
    marker = f"unknown-id-{time.monotonic_ns()}".encode()
    registry_caller.send_raw(unknown, key=marker)
    dead = dead_letter(brokers, registry_runner, marker)
    assert _headers(dead)["mlbridge.dlq.reason"] == "unknown-schema-id"
    assert dead.value() == unknown
    reply = registry_caller.wait(request_id)
    assert (reply.status, reply.error.code) == (ReplyStatus.ERROR, "UNDECODABLE_REQUEST")
    assert "987654321" in reply.error.message


def test_unknown_args_schema_id_is_invalid_arguments(brokers, registry_url, registry_caller):
    request_id, data = foreign_request(registry_url, registry_caller, argsSchema="registry:987654321")
    registry_caller.send_raw(data, key=request_id.encode())
    _, reply = read_confluent(registry_url, raw_replies(brokers, registry_caller, {request_id})[request_id])
    assert (reply["status"], reply["error"]["code"]) == ("ERROR", "INVALID_ARGUMENTS")
    assert "registry:987654321" in reply["error"]["message"]


def test_registry_down_dead_letters_confluent_requests_and_serves_the_rest(brokers, registry_url):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    runner = RunnerProcess(
        brokers, unique("mlbt.requests"), unique("mlbt.group"), "--grace-seconds", "5",
        "--schema-registry", f"http://127.0.0.1:{closed_port}",
    )
    caller = Caller(brokers, runner.request_topic)
    try:
        runner.wait_for("runner.assigned")
        # The schema ids are real (registered in the live registry); only this runner cannot ask.
        request_id, data = foreign_request(registry_url, caller)
        marker = f"registry-down-{time.monotonic_ns()}".encode()
        caller.send_raw(data, key=marker)
        dead = dead_letter(brokers, runner, marker)
        assert _headers(dead)["mlbridge.dlq.reason"] == "schema-registry-unavailable"
        reply = caller.wait(request_id, timeout=30)
        assert (reply.status, reply.error.code) == (ReplyStatus.ERROR, "UNDECODABLE_REQUEST")
        served = caller.invoke("add", {"a": 1, "b": 2})
        assert served.status is ReplyStatus.OK
        assert any(e.get("event") == "schema_registry.failed" for e in runner.events())
    finally:
        caller.close()
        runner.terminate()


def test_our_envelope_codec_and_a_foreign_one_agree(registry_url, registry_caller):
    """The body after the Confluent header is byte for byte our single-object body."""
    request_id, data = foreign_request(registry_url, registry_caller)
    _, record = read_confluent(registry_url, data)
    from mlbridge_runner.codec.envelopes import request_from_wire

    ours = encode_request(request_from_wire(record))
    assert ours[10:] == data[5:]
    assert request_to_wire(request_from_wire(record)) == record
