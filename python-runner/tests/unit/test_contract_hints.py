"""Type hints → Avro schemas (docs/typed-contract.md section 1), the untyped cases and the errors."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable, Literal, NewType, Optional, Union

import pytest

from mlbridge_runner import Progress, Registry, RegistryError
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.contract import PipelineContract, UnsupportedType, schema_ref
from mlbridge_runner.contract.hints import schema_for_hint

from ..fixtures.contract_types import (
    Color,
    Frozen,
    HasSet,
    NotSerialisable,
    Pair,
    Point,
    Settings,
    Shade,
    Shape,
    Tree,
    make_point_class,
)

UserId = NewType("UserId", int)


def schema(hint: Any) -> Any:
    return schema_for_hint(hint, "p", "x")[0]


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        (int, "long"),
        (float, "double"),
        (str, "string"),
        (bool, "boolean"),
        (bytes, "bytes"),
        (None, "null"),
        (type(None), "null"),
        (Optional[int], ["null", "long"]),
        (int | None, ["null", "long"]),
        (None | str, ["null", "string"]),
        (Union[int, str], ["long", "string"]),
        (int | str | None, ["null", "long", "string"]),
        (list[int], {"type": "array", "items": "long"}),
        (list[list[str]], {"type": "array", "items": {"type": "array", "items": "string"}}),
        (dict[str, float], {"type": "map", "values": "double"}),
        (dict[str, Optional[bool]], {"type": "map", "values": ["null", "boolean"]}),
        (dt.datetime, {"type": "long", "logicalType": "timestamp-millis"}),
        (dt.date, {"type": "int", "logicalType": "date"}),
        (UserId, "long"),
        (Literal["a", "b_2"], {"type": "enum", "name": "p_x", "namespace": "mlbridge.pipeline.p", "symbols": ["a", "b_2"]}),
        (Color, {"type": "enum", "name": "Color", "namespace": "mlbridge.types", "symbols": ["RED", "GREEN"]}),
    ],
)
def test_each_row_of_the_table(hint, expected):
    assert schema(hint) == expected


def test_dataclass_record_with_defaults_nested_enum_literal_and_reuse():
    shape = schema(list[Shape])["items"]
    assert shape["name"] == "Shape" and shape["namespace"] == "mlbridge.types"
    fields = {f["name"]: f for f in shape["fields"]}
    assert fields["name"] == {"name": "name", "type": "string"}
    assert fields["points"]["type"]["items"]["name"] == "Point"
    assert fields["points"]["type"]["items"]["fields"][1] == {"name": "y", "type": "double", "default": 0.0}
    assert fields["color"]["default"] == "RED" and fields["color"]["type"]["name"] == "Color"
    assert fields["kind"]["type"] == {"type": "enum", "name": "Shape_kind", "namespace": "mlbridge.types",
                                      "symbols": ["open", "closed"]}
    assert fields["kind"]["default"] == "closed"
    assert fields["created"] == {"name": "created", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}],
                                 "default": None}
    assert fields["labels"]["default"] == {}  # default_factory's value


def test_second_use_of_a_named_type_is_a_reference():
    assert schema(list[Point] | dict[str, Point])[1] == {"type": "map", "values": "mlbridge.types.Point"}


def test_recursive_dataclass():
    tree = schema(Tree)
    assert tree["fields"][1] == {"name": "children", "type": {"type": "array", "items": "mlbridge.types.Tree"}, "default": []}


def test_typeddict_optional_keys_become_nullable_with_default():
    assert schema(Settings)["fields"] == [
        {"name": "verbose", "type": ["null", "boolean"], "default": None},
        {"name": "level", "type": ["null", "long"], "default": None},
    ]
    assert schema(Pair)["fields"] == [{"name": "left", "type": "string"}, {"name": "right", "type": ["null", "string"]}]


def test_logical_types_in_a_record():
    assert [f["type"] for f in schema(Frozen)["fields"]] == [
        {"type": "int", "logicalType": "date"}, {"type": "long", "logicalType": "timestamp-millis"},
    ]


# ---------------------------------------------------------------------------- via the registry


def register(fn: Callable[..., Any], **options: Any):
    registry = Registry()
    return registry.register(fn, **options)


def test_future_annotations_pipeline_is_typed_with_args_record_in_signature_order():
    def train(dataset: str, shape: Shape, epochs: int = 5, progress: Progress | None = None) -> Point:
        """Train it.

        More text."""
        return Point(0.0)

    contract = register(train, name="my.train-v1", version=3).contract
    assert isinstance(contract, PipelineContract) and contract.typed
    assert contract.version == 3 and contract.doc == "Train it.\n\nMore text."
    args = contract.args_schema
    assert args["name"] == "Args" and args["namespace"] == "mlbridge.pipeline.my_train_v1"
    assert [f["name"] for f in args["fields"]] == ["dataset", "shape", "epochs"]  # progress is injected
    assert args["fields"][2] == {"name": "epochs", "type": "long", "default": 5}
    assert contract.result_schema["name"] == "Point"
    assert contract.args_ref == schema_ref(args) and contract.result_ref == schema_ref(contract.result_schema)
    assert contract.args_ref.startswith("crc64:") and len(contract.args_ref) == 22
    assert contract.timeout_ms is None


def test_timeout_in_contract_ms():
    def f(a: int) -> int:
        return a

    assert register(f, timeout=1.5).contract.timeout_ms == 1500


def test_primitive_result_and_none_result():
    def f(a: int) -> None:
        pass

    assert register(f).contract.result_schema == "null"


def test_optional_default_moves_the_default_branch_first():
    def f(a: Optional[int] = 5, b: int | str = "x", c: int | None = None) -> None:
        pass

    fields = register(f).contract.args_schema["fields"]
    assert fields[0] == {"name": "a", "type": ["long", "null"], "default": 5}
    assert fields[1] == {"name": "b", "type": ["string", "long"], "default": "x"}
    assert fields[2] == {"name": "c", "type": ["null", "long"], "default": None}


def test_unrepresentable_default_is_left_out():
    sentinel = object()

    def f(a: int = sentinel) -> None:  # type: ignore[assignment]
        pass

    assert register(f).contract.args_schema["fields"] == [{"name": "a", "type": "long"}]


def test_datetime_and_enum_defaults():
    def f(at: dt.datetime = dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=dt.timezone.utc),
          day: dt.date = dt.date(1970, 1, 3), shade: Shade = Shade.DARK, raw: bytes = b"\xff") -> None:
        pass

    fields = register(f).contract.args_schema["fields"]
    assert [x["default"] for x in fields] == [1000, 2, "DARK", "\u00ff"]


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: None,  # nothing annotated
        lambda: None,
    ],
)
def test_unannotated_is_untyped(fn):
    contract = register(fn, name="f").contract
    ref = wire_schemas().value.reference
    assert contract == PipelineContract(False, 1, "", None, None, ref, ref, None)


def untyped_partial(a: int, b) -> int:  # noqa: ANN001
    return a


def untyped_return(a: int):
    return a


def untyped_any(a: int, b: Any) -> int:
    return a


def untyped_nested_any(a: dict[str, Any]) -> int:
    return 0


def untyped_object(a: object) -> object:
    return a


def untyped_bare_dict(a: int) -> dict:
    return {}


def untyped_bare_list(a: list) -> int:
    return 0


def untyped_kwargs(a: int, **more: int) -> int:
    return a


def untyped_varargs(*a: int) -> int:
    return 0


def untyped_forward(a: "Missing") -> int:  # noqa: F821
    return 0


def untyped_any_with_unsupported(a: set[int], b: Any) -> int:
    return 0


@pytest.mark.parametrize(
    "fn",
    [untyped_partial, untyped_return, untyped_any, untyped_nested_any, untyped_object, untyped_bare_dict,
     untyped_bare_list, untyped_kwargs, untyped_varargs, untyped_any_with_unsupported],
)
def test_untyped_cases(fn):
    assert register(fn).contract.typed is False


def test_unresolvable_hints_warn_and_serve_untyped():
    from mlbridge_runner.contract.hints import UnresolvedHints

    with pytest.warns(UnresolvedHints, match="pipeline 'untyped_forward': its type hints cannot be resolved.*Missing"):
        assert register(untyped_forward).contract.typed is False


def bad_set(tags: set[str]) -> None: ...
def bad_frozenset(tags: frozenset[str]) -> None: ...
def bad_tuple(pair: tuple[int, int]) -> None: ...
def bad_class(thing: NotSerialisable) -> None: ...
def bad_int_keys(table: dict[int, str]) -> None: ...
def bad_callable(fn: Callable[[int], int]) -> None: ...
def bad_complex(z: complex) -> None: ...
def bad_return() -> set[int]: ...
def bad_nested(shape: list[HasSet]) -> None: ...
def bad_literal_number(level: Literal[1, 2]) -> None: ...
def bad_literal_name(level: Literal["a b"]) -> None: ...
def bad_union(x: list[int] | list[str]) -> None: ...


@pytest.mark.parametrize(
    ("fn", "where", "words"),
    [
        (bad_set, "parameter 'tags'", "set[str]"),
        (bad_frozenset, "parameter 'tags'", "frozenset[str]"),
        (bad_tuple, "parameter 'pair'", "tuple[int, int]"),
        (bad_class, "parameter 'thing'", "NotSerialisable"),
        (bad_int_keys, "parameter 'table'", "Avro maps need str keys"),
        (bad_callable, "parameter 'fn'", "Callable"),
        (bad_complex, "parameter 'z'", "complex"),
        (bad_return, "the return value", "set[int]"),
        (bad_nested, "parameter 'shape'", "set[str] (in HasSet.tags) has no Avro form"),
        (bad_literal_number, "parameter 'level'", "only strings"),
        (bad_literal_name, "parameter 'level'", "'a b'"),
        (bad_union, "parameter 'x'", "two branches"),
    ],
)
def test_unsupported_types_are_registration_errors(fn, where, words):
    with pytest.raises(UnsupportedType) as info:
        register(fn, name="pipe")
    assert isinstance(info.value, RegistryError)
    message = str(info.value)
    assert message.startswith("pipeline 'pipe': " + where), message
    assert words in message, message


def test_two_classes_with_one_name_are_refused():
    Other = make_point_class()

    def f(a: Point, b: Other) -> None:  # type: ignore[valid-type]
        pass

    f.__annotations__["b"] = Other  # resolved, not a string: the class is local
    with pytest.raises(UnsupportedType, match="two classes named 'Point'"):
        register(f)


def test_decorator_options_and_bare_decorator_refuses_them():
    registry = Registry()

    @registry.pipeline("v", version=2)
    def v(a: int) -> int:
        return a

    assert registry["v"].contract.version == 2 and registry["v"].version == 2
    with pytest.raises(RegistryError, match="parentheses"):
        registry.pipeline(v, version=2)  # type: ignore[call-overload]


@pytest.mark.parametrize("version", [0, -1, 1.5, "2", True])
def test_bad_version(version):
    def f(a: int) -> int:
        return a

    with pytest.raises(RegistryError, match="version must be an int >= 1"):
        register(f, version=version)


# ---------------------------------------------------------------------------- explicit schemas

ARGS = {"type": "record", "name": "Args", "fields": [{"name": "a", "type": "long"}, {"name": "b", "type": "string", "default": ""}]}


def explicit(a, b=""):  # noqa: ANN001
    return a


def test_explicit_schemas_override_and_need_no_hints():
    contract = register(explicit, args_schema=ARGS, result_schema="long").contract
    assert contract.typed and contract.args_schema == ARGS and contract.result_schema == "long"
    assert contract.args_ref == schema_ref(ARGS)


def test_explicit_schema_as_json_text():
    contract = register(explicit, args_schema=json.dumps(ARGS), result_schema='"long"').contract
    assert contract.args_schema == ARGS and contract.result_schema == "long"


def test_explicit_result_only_with_typed_args():
    def f(a: int) -> Any:
        return a

    contract = register(f, result_schema=["null", "long"]).contract
    assert contract.typed and contract.result_schema == ["null", "long"]
    assert contract.args_schema["fields"] == [{"name": "a", "type": "long"}]


def test_explicit_one_side_with_untyped_other_side_is_an_error():
    with pytest.raises(RegistryError, match="give args_schema too"):
        register(explicit, result_schema="long")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ({"type": "record", "name": "Args", "fields": [{"name": "a", "type": "long"}]}, "no field for parameter(s) 'b'"),
        ({"type": "record", "name": "Args", "fields": [{"name": "a", "type": "long"}, {"name": "b", "type": "long"},
                                                       {"name": "c", "type": "long"}]}, "'c' match no parameter"),
        ("long", "must be a record"),
        ({"type": "record", "name": "Args", "fields": [{"name": "a", "type": "nope"}]}, "not a valid Avro schema"),
        ("{not json", "not valid JSON"),
        (42, "must be an Avro schema"),
    ],
)
def test_bad_explicit_args_schema(args, words):
    with pytest.raises(RegistryError, match=None) as info:
        register(explicit, args_schema=args, result_schema="long")
    assert words in str(info.value) and "pipeline 'explicit'" in str(info.value)


def test_bad_explicit_result_schema():
    with pytest.raises(RegistryError, match="result_schema is not a valid Avro schema"):
        register(explicit, args_schema=ARGS, result_schema={"type": "enum", "name": "E"})
