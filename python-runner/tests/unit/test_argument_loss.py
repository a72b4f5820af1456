"""Issue 17 item 3: the arguments Avro resolution would silently drop (contract/arg_loss.py) and the
runner's refusal of them (runner/argument_loss.py)."""

from __future__ import annotations

import io
from typing import Any

from fastavro import parse_schema, schemaless_writer

from mlbridge_runner.contract.arg_loss import LossPlans, loss_plan
from mlbridge_runner.contract.model import schema_ref


def record(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields)}


def encode(schema: Any, datum: Any) -> bytes:
    out = io.BytesIO()
    schemaless_writer(out, parse_schema(schema, named_schemas={}), datum)
    return out.getvalue()


def lost(writer: Any, reader: Any, datum: Any) -> str | None:
    plan = loss_plan(writer, reader)
    return None if plan is None else plan.first_lost(encode(writer, datum))


V1 = record("Args", {"name": "a", "type": "long"}, {"name": "b", "type": "long", "default": 0})
V2 = record("Args", {"name": "a", "type": "long"}, {"name": "b", "type": "long", "default": 0},
            {"name": "c", "type": "long", "default": 0})


def test_same_schema_and_older_writer_have_no_plan():
    assert loss_plan(V1, V1) is None
    assert loss_plan(V1, V2) is None  # the reader fills c's default: nothing is lost


def test_an_added_field_is_lost_only_when_not_at_its_default():
    assert lost(V2, V1, {"a": 1, "b": 2, "c": 0}) is None
    assert lost(V2, V1, {"a": 1, "b": 2, "c": 3}) == "c"


def test_a_removed_field_without_default_is_always_lost():
    reader = record("Args", {"name": "a", "type": "long"})
    writer = record("Args", {"name": "a", "type": "long"}, {"name": "token", "type": "string"})
    assert lost(writer, reader, {"a": 1, "token": ""}) == "token"


def test_defaults_of_every_kind_compare_with_the_value_read():
    extra = [
        {"name": "s", "type": "string", "default": "x"},
        {"name": "raw", "type": "bytes", "default": "\u00ff"},
        {"name": "f", "type": "double", "default": 1},
        {"name": "opt", "type": ["null", "long"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
        {"name": "m", "type": {"type": "map", "values": "long"}, "default": {}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}, "default": 0},
        {"name": "mode", "type": {"type": "enum", "name": "Mode", "symbols": ["FAST", "FULL"]}, "default": "FAST"},
    ]
    writer = record("Args", {"name": "a", "type": "long"}, *extra)
    reader = record("Args", {"name": "a", "type": "long"})
    defaults = {"a": 1, "s": "x", "raw": b"\xff", "f": 1.0, "opt": None, "tags": [], "m": {}, "at": 0, "mode": "FAST"}
    assert lost(writer, reader, defaults) is None
    changes = {"s": "y", "raw": b"", "f": 1.5, "opt": 4, "tags": ["t"], "m": {"k": 1}, "at": 5, "mode": "FULL"}
    for name, value in changes.items():
        assert lost(writer, reader, {**defaults, name: value}) == name, name


def test_nested_records_arrays_maps_and_unions_name_the_path():
    cfg1 = record("Config", {"name": "epochs", "type": "long"})
    cfg2 = record("Config", {"name": "epochs", "type": "long"}, {"name": "momentum", "type": "double", "default": 0.0})
    writer = record("Args", {"name": "config", "type": cfg2},
                    {"name": "samples", "type": {"type": "array", "items": "Config"}},
                    {"name": "by", "type": {"type": "map", "values": "Config"}},
                    {"name": "maybe", "type": ["null", "Config"], "default": None})
    reader = record("Args", {"name": "config", "type": cfg1},
                    {"name": "samples", "type": {"type": "array", "items": "Config"}},
                    {"name": "by", "type": {"type": "map", "values": "Config"}},
                    {"name": "maybe", "type": ["null", "Config"], "default": None})
    plain = {"epochs": 1, "momentum": 0.0}
    moved = {"epochs": 1, "momentum": 0.9}
    base = {"config": plain, "samples": [plain], "by": {"k": plain}, "maybe": plain}
    assert lost(writer, reader, base) is None
    assert lost(writer, reader, {**base, "config": moved}) == "config.momentum"
    assert lost(writer, reader, {**base, "samples": [plain, moved]}) == "samples[].momentum"
    assert lost(writer, reader, {**base, "by": {"k": moved}}) == "by{}.momentum"
    assert lost(writer, reader, {**base, "maybe": moved}) == "maybe.momentum"
    assert lost(writer, reader, {**base, "maybe": None}) is None


def test_renamed_by_alias_is_not_lost():
    writer = record("Args", {"name": "old", "type": "long"})
    reader = record("Args", {"name": "new", "type": "long", "aliases": ["old"]})
    assert loss_plan(writer, reader) is None


def test_recursive_types_are_walked():
    node2 = {"type": "record", "name": "Node", "fields": [
        {"name": "children", "type": {"type": "array", "items": "Node"}},
        {"name": "w", "type": "long", "default": 0}]}
    node1 = {"type": "record", "name": "Node", "fields": [{"name": "children", "type": {"type": "array", "items": "Node"}}]}
    deep = {"children": [{"children": [{"children": [], "w": 7}], "w": 0}], "w": 0}
    assert lost(node2, node1, deep) == "children[].children[].w"
    assert lost(node2, node1, {"children": [], "w": 0}) is None


def test_plans_are_cached_per_pair_and_malformed_bytes_are_left_to_the_decoder():
    plans = LossPlans()
    w, r = schema_ref(V2), schema_ref(V1)
    assert plans.lost_field(w, V2, r, V1, encode(V2, {"a": 1, "b": 0, "c": 9})) == "c"
    assert plans._plans[(w, r)] is not None
    assert plans.lost_field(w, V2, r, V1, b"\x01") is None
    assert plans.lost_field(r, V1, w, V2, encode(V1, {"a": 1, "b": 0})) is None
    assert plans._plans[(r, w)] is None  # the pair drops nothing: later calls cost one lookup


def test_the_refusal_names_the_clients_catalogue_version_and_generic_calls_are_refused_only_for_another_versions_argument():
    import json
    from pathlib import Path
    from types import SimpleNamespace

    import pytest

    from mlbridge_devtools.typed_vectors import load_fixture_registry
    from mlbridge_runner.codec.envelopes import RequestEnvelope
    from mlbridge_runner.codec.schemas import wire_schemas
    from mlbridge_runner.codec.value import encode_value
    from mlbridge_runner.contract import SchemaStore
    from mlbridge_runner.contract.calls import TypedPlan
    from mlbridge_runner.contract.typed_codec import TypedCodec
    from mlbridge_runner.runner.argument_loss import ArgumentLossCheck
    from mlbridge_runner.runner.dispatch import Dispatcher, Rejected

    fixtures = Path(__file__).resolve().parents[3] / "test" / "fixtures"
    registry = load_fixture_registry(fixtures / "typed_pipelines.py")
    v1 = registry["typed_add"]
    v2 = load_fixture_registry(fixtures / "typed_pipelines_v2.py")["typed_add"]
    store = SchemaStore()
    ref = store.add(v2.contract.args_schema)
    published = {
        1: SimpleNamespace(args_ref=v1.contract.args_ref, args_schema=json.dumps(v1.contract.args_schema)),
        2: SimpleNamespace(args_ref=ref, args_schema=json.dumps(v2.contract.args_schema)),
    }
    check = ArgumentLossCheck(store)
    check.versions = lambda name: published
    data = TypedCodec(v2.contract.args_schema).encode({"a": 1, "b": 0, "c": 5}, "args")
    error = check.refusal(v1, TypedPlan(v1), ref, store.get(ref), data)
    assert error is not None and error.code == "INCOMPATIBLE_ARGUMENTS" and error.retryable
    assert error.type == "mlbridge_runner.errors.IncompatibleArguments"
    assert f"client schema {ref} (version 2), runner schema {v1.contract.args_ref} (version 1)" in error.message

    # A Value call (e.g. from the Java client) with v2's argument: handed on / refused retryable.
    value_ref = wire_schemas().value.reference
    d = Dispatcher(registry, value_ref, store=store)
    d.argument_loss.versions = lambda name: published

    def generic(args: dict) -> Rejected:
        request = RequestEnvelope(id="r", pipeline="typed_add", args=encode_value(args), args_schema=value_ref, reply_to="t")
        with pytest.raises(Rejected) as info:
            d.prepare(request)
        return info.value

    refused = generic({"a": 1, "c": 5})
    assert refused.hand_on and refused.error.code == "INCOMPATIBLE_ARGUMENTS" and "field 'c'" in refused.error.message
    assert "(version 2), runner schema" in refused.error.message
    typo = generic({"a": 1, "zzz": 5})
    assert not typo.hand_on and typo.error.code == "INVALID_ARGUMENTS"
