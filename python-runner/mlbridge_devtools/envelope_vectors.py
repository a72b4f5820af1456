"""The JSON ↔ envelope helpers and the cases of ``py-written.json`` (format in
``schemas/vectors/README.md``), used by the vector writer and by the tests that read both vector
files.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from mlbridge_runner.codec.envelopes import (
    Progress,
    RemoteCause,
    RemoteError,
    ReplyEnvelope,
    ReplyStatus,
    RequestEnvelope,
    Timings,
    decode_framed_value,
    decode_reply,
    decode_request,
    encode_framed_value,
    encode_reply,
    encode_request,
    reply_from_wire,
    reply_to_wire,
    request_from_wire,
    request_to_wire,
)
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.tagged import from_tagged, to_tagged
from mlbridge_runner.codec.value import encode_value

_BYTES_FIELDS = {"request": ("args",), "reply": ("result",)}


def envelope_to_json(schema: str, envelope: RequestEnvelope | ReplyEnvelope) -> dict[str, Any]:
    wire = request_to_wire(envelope) if schema == "request" else reply_to_wire(envelope)  # type: ignore[arg-type]
    for name in _BYTES_FIELDS[schema]:
        wire[name] = wire[name].hex()
    return wire


def envelope_from_json(schema: str, obj: dict[str, Any]) -> RequestEnvelope | ReplyEnvelope:
    wire = dict(obj)
    for name in _BYTES_FIELDS[schema]:
        wire[name] = bytes.fromhex(wire[name])
    return request_from_wire(wire) if schema == "request" else reply_from_wire(wire)


def encode_case(schema: str, value: Any) -> bytes:
    """Encode a vector case's ``value`` (tagged for ``value``, JSON envelope otherwise)."""
    if schema == "value":
        return encode_framed_value(from_tagged(value))
    envelope = envelope_from_json(schema, value)
    return encode_request(envelope) if schema == "request" else encode_reply(envelope)  # type: ignore[arg-type]


def decode_case(schema: str, data: bytes) -> Any:
    """Decode a frame to the same JSON-able form as a case's ``value``."""
    if schema == "value":
        return to_tagged(decode_framed_value(data))
    envelope = decode_request(data) if schema == "request" else decode_reply(data)
    return envelope_to_json(schema, envelope)


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth):
        value = [value] if level % 2 == 0 else {"d": value}
    return value


def value_cases() -> list[tuple[str, Any]]:
    return [
        ("null", None),
        ("true", True),
        ("false", False),
        ("zero", 0),
        ("minus-one", -1),
        ("two-pow-53-plus-one", 2**53 + 1),
        ("int64-min", -(2**63)),
        ("int64-max", 2**63 - 1),
        ("double-1.5", 1.5),
        ("double-1.0", 1.0),
        ("double-nan", math.nan),
        ("double-infinity", math.inf),
        ("double-minus-infinity", -math.inf),
        ("double-negative-zero", -0.0),
        ("string-empty", ""),
        ("string-accents", "déjà vu, Ærøskøbing, naïve"),
        ("string-emoji", "🙂🚀👩‍💻"),
        ("string-cjk", "机器学习モデル학습"),
        ("bytes-empty", b""),
        ("bytes-binary", bytes(range(256))),
        ("array-empty", []),
        ("map-empty", {}),
        (
            "nested-mixed",
            {"dataset": "cpu-metrics", "epochs": 5, "lr": 0.001, "tags": ["a", None, True, b"\x00\x01"],
             "params": {"layers": [64, 32], "dropout": 0.5, "name": "mlp"}},
        ),
        ("map-key-order", {"zeta": 1, "alpha": 2, "mid": 3, "": 4}),
        ("nesting-40-deep", _nested(40)),
    ]


def envelope_cases() -> list[tuple[str, str, RequestEnvelope | ReplyEnvelope]]:
    value_ref = wire_schemas().value.reference
    timings = Timings(1_700_000_000_000, 1_700_000_000_005, 1_700_000_000_105)
    runner = "vectors-host/4242/0a1b2c3d"
    return [
        (
            "request-with-headers",
            "request",
            RequestEnvelope(
                id="6f1c0b52-8a77-4c47-9f0e-2f3b7b1e9a10",
                pipeline="train_model",
                args=encode_value({"dataset": "cpu-metrics", "epochs": 5}),
                args_schema=value_ref,
                reply_to="mlbridge.replies.client-1",
                deadline_ms=1_700_000_030_000,
                attempt=1,
                sent_at_ms=1_700_000_000_000,
                headers={
                    "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                    "idempotency-key": "order-42",
                },
            ),
        ),
        (
            "reply-ok",
            "reply",
            ReplyEnvelope(
                id="6f1c0b52-8a77-4c47-9f0e-2f3b7b1e9a10",
                status=ReplyStatus.OK,
                result=encode_value({"accuracy": 0.93, "model": "m-17"}),
                result_schema=value_ref,
                runner=runner,
                timings=timings,
            ),
        ),
        (
            "reply-error-with-causes",
            "reply",
            ReplyEnvelope(
                id="c3d4e5f6-0000-4000-8000-000000000001",
                status=ReplyStatus.ERROR,
                error=RemoteError(
                    code="PIPELINE_ERROR",
                    type="mypkg.errors.DataError",
                    message="column 'cpu' has 3 NaN rows",
                    traceback='Traceback (most recent call last):\n  File "pipelines.py", line 9, in train_model\n'
                    "mypkg.errors.DataError: column 'cpu' has 3 NaN rows\n",
                    retryable=False,
                    causes=(RemoteCause("KeyError", "'cpu'"), RemoteCause("OSError", "disk full")),
                ),
                runner=runner,
                timings=timings,
            ),
        ),
        (
            "reply-progress",
            "reply",
            ReplyEnvelope(
                id="c3d4e5f6-0000-4000-8000-000000000002",
                status=ReplyStatus.PROGRESS,
                progress=Progress(current=3.0, total=5.0, message="epoch 3/5"),
                runner=runner,
                timings=Timings(1_700_000_000_000, 1_700_000_000_005, 0),
            ),
        ),
    ]


def build_vectors() -> dict[str, Any]:
    cases: list[dict[str, Any]] = []
    for name, value in value_cases():
        cases.append({"name": name, "schema": "value", "value": to_tagged(value), "hex": encode_framed_value(value).hex()})
    for name, schema, envelope in envelope_cases():
        data = encode_request(envelope) if schema == "request" else encode_reply(envelope)  # type: ignore[arg-type]
        cases.append({"name": name, "schema": schema, "value": envelope_to_json(schema, envelope), "hex": data.hex()})
    return {"writer": "py", "cases": cases}


def find_vectors_dir(start: Path | None = None) -> Path:
    """``schemas/vectors/`` of the enclosing repository or npm package (not the packaged copy)."""
    start = start or Path(__file__).resolve().parent
    for parent in start.parents:
        candidate = parent / "schemas" / "vectors"
        if (candidate / "README.md").is_file():
            return candidate
    raise FileNotFoundError(f"no schemas/vectors/README.md above {start}")
