"""The cases of ``schemas/vectors/typed.json`` (format: ``schemas/vectors/README.md``).

Every schema of a ``hint`` case is derived from the Python type hint named in ``python``; the
``pipeline`` cases and the evolution pairs use the fixture pipelines ``test/fixtures/
typed_pipelines.py`` (version 1) and ``typed_pipelines_v2.py`` (version 2).
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib.util
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Optional, TypedDict

from mlbridge_runner.catalog.entries import (
    CatalogEntry,
    CatalogKind,
    decode_entry,
    encode_entry,
    entry_to_wire,
    pipeline_entry,
    schema_entry,
)
from mlbridge_runner.contract.compat import check_readable
from mlbridge_runner.contract.convert import compile_schema
from mlbridge_runner.contract.hints import schema_for_hint
from mlbridge_runner.contract.model import AvroSchema, canonical_form, schema_ref
from mlbridge_runner.contract.tagged import to_tagged
from mlbridge_runner.contract.typed_codec import TypedCodec
from mlbridge_runner import registry as registry_module
from mlbridge_runner.registry import Registry
from mlbridge_runner.schema_registry import envelopes as confluent_envelopes
from mlbridge_runner.schema_registry import framing as confluent_framing
from .envelope_vectors import envelope_cases, envelope_to_json

UTC = dt.timezone.utc


class Color(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3


@dataclass
class Inner:
    label: str
    score: float = 0.5


@dataclass
class Outer:
    name: str
    inner: Inner
    tags: list[str] = field(default_factory=list)
    color: Color = Color.GREEN
    maybe: Optional[Inner] = None


class Options(TypedDict, total=False):
    verbose: bool
    level: int


class Required(TypedDict):
    x: float
    y: float


#: (name, hint, its source text, Python value)
HINT_CASES: list[tuple[str, Any, str, Any]] = [
    ("int-zero", int, "int", 0),
    ("int-minus-one", int, "int", -1),
    ("int-two-pow-53-plus-one", int, "int", 2**53 + 1),
    ("int-int64-min", int, "int", -(2**63)),
    ("int-int64-max", int, "int", 2**63 - 1),
    ("float", float, "float", 1.5),
    ("float-negative-zero", float, "float", -0.0),
    ("float-nan", float, "float", math.nan),
    ("float-infinity", float, "float", math.inf),
    ("str", str, "str", "déjà vu 🙂 机器学习"),
    ("str-empty", str, "str", ""),
    ("bool-true", bool, "bool", True),
    ("bool-false", bool, "bool", False),
    ("bytes", bytes, "bytes", bytes(range(0, 256, 17))),
    ("none", type(None), "None", None),
    ("optional-null", Optional[int], "int | None", None),
    ("optional-value", Optional[int], "int | None", 5),
    ("union-long", int | str, "int | str", 7),
    ("union-string", int | str, "int | str", "seven"),
    ("list-empty", list[int], "list[int]", []),
    ("list-int", list[int], "list[int]", [1, -2, 300000]),
    ("list-of-optional", list[Optional[str]], "list[str | None]", ["a", None, "c"]),
    ("dict-empty", dict[str, float], "dict[str, float]", {}),
    ("dict-float", dict[str, float], "dict[str, float]", {"zeta": 1.0, "alpha": 2.5}),
    ("nested-containers", dict[str, list[int]], "dict[str, list[int]]", {"a": [1, 2], "b": []}),
    ("literal", Literal["fast", "full"], 'Literal["fast", "full"]', "full"),
    ("enum", Color, "class Color(Enum): RED, GREEN, BLUE", "BLUE"),
    ("dataclass-nested", Outer, "@dataclass Outer(name, inner: Inner, tags=[], color=GREEN, maybe: Inner | None = None)",
     {"name": "n", "inner": {"label": "l", "score": 0.25}, "tags": ["t"], "color": "RED",
      "maybe": {"label": "m", "score": 1.0}}),
    ("dataclass-defaults-null", Outer, "@dataclass Outer (second use: same schema)",
     {"name": "", "inner": {"label": "x", "score": 0.5}, "tags": [], "color": "GREEN", "maybe": None}),
    ("typeddict-optional-keys", Options, "class Options(TypedDict, total=False): verbose: bool; level: int",
     {"verbose": True, "level": None}),
    ("typeddict-required", Required, "class Required(TypedDict): x: float; y: float", {"x": 1.0, "y": -2.0}),
    ("datetime", dt.datetime, "datetime", dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)),
    ("datetime-before-epoch", dt.datetime, "datetime", dt.datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC)),
    ("date", dt.date, "date", dt.date(2024, 2, 29)),
    ("date-before-epoch", dt.date, "date", dt.date(1900, 1, 1)),
    ("list-of-datetimes", list[dt.datetime], "list[datetime]", [dt.datetime(1970, 1, 1, tzinfo=UTC)]),
]


def fixtures_dir(vectors_dir: Path) -> Path:
    return vectors_dir.parent.parent / "test" / "fixtures"


def load_fixture_registry(path: Path) -> Registry:
    """Import a pipelines file into a fresh :class:`Registry` (not the default one)."""
    fresh = Registry()
    saved = registry_module.default_registry
    registry_module.default_registry = fresh
    try:
        spec = importlib.util.spec_from_file_location(f"_mlbridge_vectors_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while being built
        spec.loader.exec_module(module)
    finally:
        registry_module.default_registry = saved
    return fresh


def _case(name: str, schema: AvroSchema, value: Any, **extra: Any) -> dict[str, Any]:
    codec = TypedCodec(schema)
    data = codec.encode(value, "value")
    return {
        "name": name, **extra, "schema": schema, "canonical": canonical_form(schema), "ref": schema_ref(schema),
        "value": to_tagged(codec.decode(data, "value"), codec.node), "hex": data.hex(),
    }


def hint_cases() -> list[dict[str, Any]]:
    out = []
    for name, hint, text, value in HINT_CASES:
        schema, _ = schema_for_hint(hint, "vectors")
        out.append(_case(name, schema, value, python=text))
    return out


V1_ECHO_ARGS = {
    "i": 42, "f": 0.125, "s": "hé", "b": True, "raw": b"\x00\xff", "day": dt.date(2024, 1, 2),
    "at": dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), "optimizer": "SGD", "maybe": None,
    "either": "x", "items": ["a", "b"], "scores": {"k": 0.5},
}
TRAIN_ARGS = {
    "dataset": "cpu-metrics",
    "config": {"epochs": 3, "learning_rate": 0.01, "optimizer": "ADAM", "layers": [64, 32]},
    "mode": "full", "tags": {"team": "ml"},
}
TRAIN_RESULT = {
    "model_id": "cpu-metrics-adam-3", "metrics": {"accuracy": 0.9, "loss": 0.25}, "history": [1.0, 0.5, 0.25],
    "trained_at": dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), "tags": {}, "mode": "fast",
}


def pipeline_cases(v1: Registry) -> list[dict[str, Any]]:
    train, echo = v1["typed_train"].contract, v1["typed_echo"].contract
    echo_result = {**V1_ECHO_ARGS, "nothing": None}
    return [
        _case("typed_train-args", train.args_schema, TRAIN_ARGS, pipeline="typed_train", version=1, part="args"),
        _case("typed_train-result", train.result_schema, TRAIN_RESULT, pipeline="typed_train", version=1, part="result"),
        _case("typed_echo-args", echo.args_schema, V1_ECHO_ARGS, pipeline="typed_echo", version=1, part="args"),
        _case("typed_echo-result", echo.result_schema, echo_result, pipeline="typed_echo", version=1, part="result"),
    ]


def _record(name: str, *fields: tuple[str, Any] | tuple[str, Any, Any]) -> dict[str, Any]:
    out = []
    for f in fields:
        entry = {"name": f[0], "type": f[1]}
        if len(f) == 3:
            entry["default"] = f[2]
        out.append(entry)
    return {"type": "record", "name": name, "namespace": "mlbridge.vectors", "fields": out}


def _color(*symbols: str, default: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "enum", "name": "Color", "namespace": "mlbridge.vectors", "symbols": list(symbols)}
    if default is not None:
        schema["default"] = default
    return schema


#: (name, writer schema, reader schema, value written)
SCHEMA_EVOLUTION: list[tuple[str, AvroSchema, AvroSchema, Any]] = [
    ("promote-int-long", "int", "long", -5),
    ("promote-int-double", "int", "double", 7),
    ("promote-long-float", "long", "float", 3),
    ("promote-long-double", "long", "double", 2**40),
    ("promote-float-double", "float", "double", 1.5),
    ("promote-string-bytes", "string", "bytes", "hé"),
    ("promote-bytes-string", "bytes", "string", b"abc"),
    ("into-union", "long", ["null", "long"], 9),
    ("union-to-wider-union", ["null", "long"], ["null", "string", "long"], 4),
    ("array-promoted-items", {"type": "array", "items": "int"}, {"type": "array", "items": "double"}, [1, 2]),
    ("map-promoted-values", {"type": "map", "values": "long"}, {"type": "map", "values": "double"}, {"a": 1}),
    ("record-added-field-with-default",
     _record("R", ("a", "long")), _record("R", ("a", "long"), ("b", ["null", "string"], None), ("c", "long", 5)),
     {"a": 1}),
    ("record-removed-field", _record("R", ("a", "long"), ("b", "string")), _record("R", ("a", "long")),
     {"a": 1, "b": "dropped"}),
    ("record-reordered-fields", _record("R", ("a", "long"), ("b", "string")), _record("R", ("b", "string"), ("a", "long")),
     {"a": 1, "b": "x"}),
    ("enum-added-symbol", _color("RED", "GREEN"), _color("RED", "GREEN", "BLUE"), "GREEN"),
    ("enum-unknown-symbol-default", _color("RED", "GREEN", "BLUE"), _color("RED", "GREEN", default="RED"), "BLUE"),
    ("timestamp-from-long", "long", {"type": "long", "logicalType": "timestamp-millis"}, 1_704_164_645_678),
]

#: (name, writer, reader, a text each problem must contain)
INCOMPATIBLE: list[tuple[str, AvroSchema, AvroSchema, str]] = [
    ("narrowing-long-int", "long", "int", "cannot be read as int"),
    ("double-to-long", "double", "long", "cannot be read as long"),
    ("string-to-long", "string", "long", "cannot be read as long"),
    ("added-field-without-default", _record("R", ("a", "long")), _record("R", ("a", "long"), ("epochs", "long")),
     "field 'epochs': reader has no default and writer lacks it"),
    ("enum-removed-symbol", _color("RED", "GREEN", "BLUE"), _color("RED", "GREEN"), "'BLUE'"),
    ("optional-to-required", ["null", "long"], "long", "null"),
    ("record-renamed", _record("R", ("a", "long")), _record("S", ("a", "long")), "different names"),
]


def _evolution_case(name: str, writer: AvroSchema, reader: AvroSchema, value: Any, **extra: Any) -> dict[str, Any]:
    writer_codec, reader_codec = TypedCodec(writer), TypedCodec(reader)
    data = writer_codec.encode(value, "value")
    problems = check_readable(reader, writer)
    assert not problems, (name, problems)
    read = reader_codec.decode(data, "value", writer_codec.parsed)
    return {
        "name": name, **extra, "writer": writer, "reader": reader,
        "writerRef": schema_ref(writer), "readerRef": schema_ref(reader),
        "written": to_tagged(writer_codec.decode(data, "value"), writer_codec.node),
        "hex": data.hex(), "value": to_tagged(read, reader_codec.node),
    }


def evolution_cases(v1: Registry, v2: Registry) -> list[dict[str, Any]]:
    out = [_evolution_case(n, w, r, v) for n, w, r, v in SCHEMA_EVOLUTION]
    t1, t2 = v1["typed_train"].contract, v2["typed_train"].contract
    e1, e2 = v1["typed_echo"].contract, v2["typed_echo"].contract
    a1, a2 = v1["typed_add"].contract, v2["typed_add"].contract
    train_v2_args = {**TRAIN_ARGS, "seed": 7}
    train_v2_result = {**TRAIN_RESULT, "notes": "seed 7"}
    pairs = [
        ("typed_train-args-v1-to-v2", t1.args_schema, t2.args_schema, TRAIN_ARGS, "typed_train", "args"),
        ("typed_train-args-v2-to-v1", t2.args_schema, t1.args_schema, train_v2_args, "typed_train", "args"),
        ("typed_train-result-v1-to-v2", t1.result_schema, t2.result_schema, TRAIN_RESULT, "typed_train", "result"),
        ("typed_train-result-v2-to-v1", t2.result_schema, t1.result_schema, train_v2_result, "typed_train", "result"),
        ("typed_echo-args-v1-to-v2", e1.args_schema, e2.args_schema, V1_ECHO_ARGS, "typed_echo", "args"),
        ("typed_echo-args-v2-to-v1", e2.args_schema, e1.args_schema, {**V1_ECHO_ARGS, "note": "n"}, "typed_echo", "args"),
        ("typed_add-args-v1-to-v2", a1.args_schema, a2.args_schema, {"a": 1, "b": 2}, "typed_add", "args"),
        ("typed_add-args-v2-to-v1", a2.args_schema, a1.args_schema, {"a": 1, "b": 2, "c": 3}, "typed_add", "args"),
    ]
    for name, writer, reader, value, pipeline, part in pairs:
        out.append(_evolution_case(name, writer, reader, value, pipeline=pipeline, part=part))
    return out


def incompatible_cases() -> list[dict[str, Any]]:
    out = []
    for name, writer, reader, text in INCOMPATIBLE:
        problems = check_readable(reader, writer)
        assert problems and any(text in p for p in problems), (name, problems)
        out.append({"name": name, "writer": writer, "reader": reader, "problems": problems})
    return out


def confluent_cases() -> list[dict[str, Any]]:
    out = []
    for name, schema_id, hint, value in [
        ("confluent-long", 1, int, 42),
        ("confluent-record", 100_000, Inner, {"label": "x", "score": 2.0}),
        ("confluent-max-id", confluent_framing.MAX_SCHEMA_ID, str, "max"),
    ]:
        schema, _ = schema_for_hint(hint, "vectors")
        codec = TypedCodec(schema)
        framed = confluent_framing.frame(schema_id, codec.encode(value, "value"))
        out.append({"name": name, "schemaId": schema_id, "schema": schema,
                    "value": to_tagged(codec.decode(framed[confluent_framing.HEADER_SIZE:], "value"), codec.node),
                    "hex": framed.hex()})
    return out


#: Registry ids of the envelope schemas in the Confluent envelope vectors (any id works: readers
#: look the id up; these make the big-endian order visible).
REQUEST_SCHEMA_ID = 0x01020304
REPLY_SCHEMA_ID = 7


def confluent_envelope_cases() -> list[dict[str, Any]]:
    """Envelopes as a KafkaAvroSerializer producer writes them: ``00`` + id + request/reply body."""
    out = []
    for name, schema, envelope in envelope_cases():
        if schema == "request":
            schema_id, data = REQUEST_SCHEMA_ID, confluent_envelopes.encode_request(REQUEST_SCHEMA_ID, envelope)  # type: ignore[arg-type]
        else:
            schema_id, data = REPLY_SCHEMA_ID, confluent_envelopes.encode_reply(REPLY_SCHEMA_ID, envelope)  # type: ignore[arg-type]
        out.append({"name": f"confluent-{name}", "schema": schema, "schemaId": schema_id,
                    "value": envelope_to_json(schema, envelope), "hex": data.hex()})
    return out


def _catalog_pipelines() -> Registry:
    """Pipelines published by the catalogue vectors, registered as a runner would."""
    registry = Registry()

    def train_model(dataset, epochs=3):  # type: ignore[no-untyped-def]
        """Train a model."""

    def typed_add(a: int, b: int = 0) -> int:
        """Add."""
        return a + b

    registry.register(train_model, timeout=30)
    registry.register(train_model, "train_model_unlimited")
    registry.register(typed_add, version=2)
    registry.register(typed_add, "typed_add_limited", timeout=1.5, version=2)
    return registry


def catalog_cases(v1: Registry) -> list[dict[str, Any]]:
    """Catalogue entries (schemas/catalog.avsc, single-object framed), from the runner's encoder."""
    published = _catalog_pipelines()
    add_schema = v1["typed_add"].contract.args_schema
    entries: list[tuple[str, CatalogEntry]] = [
        ("pipeline-typed-no-timeout", pipeline_entry(published["typed_add"], "host-a/4242/1", 1_764_139_970_000)),
        ("pipeline-typed-timeout", pipeline_entry(published["typed_add_limited"], "host-a/4242/1", 1_764_139_970_000)),
        ("pipeline-untyped-timeout", pipeline_entry(published["train_model"], "host-b/7/2", 1_764_139_970_001)),
        ("pipeline-untyped-no-timeout", pipeline_entry(published["train_model_unlimited"], "host-b/7/2", 1_764_139_970_001)),
        ("pipeline-fixture-typed-train", pipeline_entry(v1["typed_train"], "", 0)),
        ("schema-record", schema_entry(schema_ref(add_schema), add_schema)),
        ("schema-long", schema_entry(schema_ref("long"), "long")),
        ("schema-from-client", CatalogEntry(kind=CatalogKind.SCHEMA, name=schema_ref("string"), args_schema='"string"',
                                            runner="client-7f3a", published_at_ms=1_764_139_970_002)),
    ]
    out = []
    for name, entry in entries:
        data = encode_entry(entry)
        out.append({"name": name, "key": entry.key, "entry": entry_to_wire(decode_entry(data)), "hex": data.hex()})
    return out


def build_typed_vectors(vectors_dir: Path) -> dict[str, Any]:
    fixtures = fixtures_dir(vectors_dir)
    v1 = load_fixture_registry(fixtures / "typed_pipelines.py")
    v2 = load_fixture_registry(fixtures / "typed_pipelines_v2.py")
    return {
        "writer": "py",
        "cases": hint_cases() + pipeline_cases(v1),
        "evolution": evolution_cases(v1, v2),
        "incompatible": incompatible_cases(),
        "confluent": confluent_cases(),
        "confluentEnvelopes": confluent_envelope_cases(),
        "catalog": catalog_cases(v1),
    }


__all__ = ["build_typed_vectors", "load_fixture_registry", "compile_schema"]
