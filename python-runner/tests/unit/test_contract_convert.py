"""Typed encoding and conversion: objects built for the function, misfits named by their path."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

import pytest

from mlbridge_runner.contract.convert import ConversionError
from mlbridge_runner.contract.hints import schema_for_hint
from mlbridge_runner.contract.typed_codec import TypedCodec, TypedDecodeError

from ..fixtures.contract_types import Color, Frozen, Pair, Point, Settings, Shape, Tree

UTC = dt.timezone.utc


def codec(hint: Any) -> TypedCodec:
    schema, classes = schema_for_hint(hint, "p", "x")
    return TypedCodec(schema, classes)


def round_trip(hint: Any, value: Any) -> Any:
    c = codec(hint)
    return c.decode(c.encode(value, "v"), "v")


@pytest.mark.parametrize(
    ("hint", "value"),
    [
        (int, -(2**63)), (int, 2**63 - 1), (float, 0.1), (str, "🙂"), (bool, False), (bytes, b"\x00\xff"),
        (type(None), None), (Optional[int], None), (Optional[int], 3), (int | str, "s"), (int | str, 4),
        (list[int], [1, 2]), (dict[str, list[float]], {"a": [1.5]}), (Literal["a", "b"], "b"),
        (dt.datetime, dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)), (dt.date, dt.date(1900, 1, 1)),
        (Settings, {"verbose": True}), (Pair, {"left": "l", "right": None}),
    ],
)
def test_round_trip_plain(hint, value):
    assert round_trip(hint, value) == value


def test_round_trip_builds_dataclasses_and_enums():
    shape = Shape("s", [Point(1.0, 2.0), Point(3.0)], Color.GREEN, "open", dt.datetime(2020, 1, 1, tzinfo=UTC), {"k": "v"})
    back = round_trip(Shape, shape)
    assert back == shape and isinstance(back.points[0], Point) and back.color is Color.GREEN


def test_recursive_dataclass():
    tree = Tree(1, [Tree(2), Tree(3, [Tree(4)])])
    assert round_trip(Tree, tree) == tree


def test_union_of_two_records_keeps_the_branch():
    frozen = Frozen(dt.date(2020, 2, 2), dt.datetime(2020, 2, 2, tzinfo=UTC))
    value = round_trip(Point | Frozen, frozen)
    assert isinstance(value, Frozen) and value == frozen
    point = round_trip(Point | Frozen | None, Point(1.0))
    assert isinstance(point, Point) and point == Point(1.0)
    assert round_trip(Point | Frozen | None, None) is None


def test_typeddict_absent_optional_keys_stay_absent():
    assert round_trip(Settings, {}) == {}
    assert round_trip(list[Settings], [{"level": 2}]) == [{"level": 2}]


def test_naive_datetime_is_utc_and_decodes_aware():
    assert round_trip(dt.datetime, dt.datetime(1970, 1, 1, 0, 0, 1)) == dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)


def test_int_is_accepted_for_float_and_numpy_like_ints_for_int():
    class Index:
        def __index__(self) -> int:
            return 7

    assert round_trip(float, 2) == 2.0
    assert round_trip(int, Index()) == 7


def test_enum_symbol_string_accepted_for_enum():
    assert round_trip(Color, "RED") is Color.RED


@pytest.mark.parametrize(
    ("hint", "value", "path", "words"),
    [
        (int, "1", "v", "expected int, got str '1'"),
        (int, True, "v", "expected int, got bool True"),
        (int, 1.0, "v", "expected int, got float"),
        (int, 2**63, "v", "int out of range"),
        (float, "x", "v", "expected float, got str"),
        (str, b"x", "v", "expected str, got bytes"),
        (bool, 1, "v", "expected bool, got int"),
        (bytes, "x", "v", "expected bytes, got str"),
        (type(None), 0, "v", "expected None, got int"),
        (list[int], [1, "2"], "v[1]", "expected int"),
        (list[int], (x for x in []), "v", "expected list, got generator"),
        (dict[str, int], {"a": 1, "b c": "x"}, "v['b c']", "expected int"),
        (dict[str, int], {1: 1}, "v", "str key"),
        (Optional[int], "x", "v", "expected None | int, got str"),
        (Literal["a", "b"], "c", "v", "expected one of 'a', 'b', got str 'c'"),
        (Color, "BLUE", "v", "one of 'RED', 'GREEN'"),
        (dt.datetime, "yesterday", "v", "expected datetime"),
        (dt.date, 3.5, "v", "expected date"),
        (Shape, Shape("s", [Point("x")]), "v.points[0].x", "expected float, got str 'x'"),  # type: ignore[arg-type]
        (Shape, {"name": "s", "points": [], "extra": 1}, "v", "unexpected field 'extra'"),
        (Shape, {"points": []}, "v", "missing field 'name'"),
        (Shape, Point(1.0), "v", "expected Shape"),
        (Point, object(), "v", "expected Point"),
    ],
)
def test_encode_misfits_name_the_path(hint, value, path, words):
    with pytest.raises(ConversionError) as info:
        codec(hint).encode(value, "v")
    assert info.value.path == path, str(info.value)
    assert words in str(info.value)


def test_generic_values_are_checked_and_built():
    c = codec(Shape)
    shape = c.from_generic({"name": "s", "points": [{"x": 1}], "created": 1000, "color": "GREEN"}, "args.shape")
    assert shape == Shape("s", [Point(1.0, 0.0)], Color.GREEN, "closed", dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC), {})
    assert isinstance(shape.points[0].x, float)


def test_generic_defaults_are_fresh_objects():
    c = codec(Shape)
    a = c.from_generic({"name": "a", "points": []}, "v")
    b = c.from_generic({"name": "b", "points": []}, "v")
    a.labels["x"] = "y"
    assert b.labels == {}


@pytest.mark.parametrize(
    ("value", "path", "kind"),
    [
        ({"name": "s", "points": [{"x": "1"}]}, "args.shape.points[0].x", "type"),
        ({"name": "s"}, "args.shape", "missing"),
        ({"name": "s", "points": [], "nope": 1}, "args.shape", "unexpected"),
        ({"name": "s", "points": [], "color": "BLUE"}, "args.shape.color", "type"),
        ({"name": "s", "points": [], "created": "not a date"}, "args.shape.created", "type"),
        ([], "args.shape", "type"),
    ],
)
def test_generic_misfits_name_the_path(value, path, kind):
    with pytest.raises(ConversionError) as info:
        codec(Shape).from_generic(value, "args.shape")
    assert (info.value.path, info.value.kind) == (path, kind), str(info.value)


def test_generic_dates_from_epoch_ms_and_iso_text():
    assert codec(dt.date).from_generic(86_400_000, "v") == dt.date(1970, 1, 2)
    assert codec(dt.date).from_generic("2024-02-29", "v") == dt.date(2024, 2, 29)
    assert codec(dt.datetime).from_generic("2024-01-01T00:00:00", "v") == dt.datetime(2024, 1, 1, tzinfo=UTC)


def test_generic_union_prefers_the_integer_branch_for_ints():
    assert codec(float | int).from_generic(3, "v") == 3 and type(codec(float | int).from_generic(3, "v")) is int


def test_to_generic_flattens():
    shape = Shape("s", [Point(1.0)], Color.GREEN, "open", dt.datetime(1970, 1, 1, 0, 0, 2, tzinfo=UTC))
    assert codec(Shape).to_generic(shape, "result") == {
        "name": "s", "points": [{"x": 1.0, "y": 0.0}], "color": "GREEN", "kind": "open", "created": 2000, "labels": {},
    }
    assert codec(dt.date).to_generic(dt.date(1970, 1, 2), "result") == 86_400_000


def test_decode_errors():
    c = codec(Point)
    good = c.encode(Point(1.0, 2.0), "v")
    with pytest.raises(TypedDecodeError, match="trailing bytes"):
        c.decode(good + b"\x00", "args")
    with pytest.raises(TypedDecodeError, match="cannot decode args"):
        c.decode(good[:-1], "args")
    with pytest.raises(TypedDecodeError):
        codec(Optional[int]).decode(b"\x08", "args")  # union branch 4 of 2


def test_decode_with_a_writer_schema_resolves():
    writer = TypedCodec({"type": "record", "name": "Point", "namespace": "mlbridge.types",
                         "fields": [{"name": "x", "type": "int"}, {"name": "gone", "type": "string"}]})
    data = writer.encode({"x": 3, "gone": "?"}, "v")
    assert codec(Point).decode(data, "args", writer.parsed) == Point(3.0, 0.0)


def test_decode_with_an_unreadable_writer_schema():
    writer = TypedCodec({"type": "record", "name": "Point", "namespace": "mlbridge.types",
                         "fields": [{"name": "x", "type": "string"}]})
    with pytest.raises(TypedDecodeError):
        codec(Point).decode(writer.encode({"x": "a"}, "v"), "args", writer.parsed)


def test_too_deep_a_value_is_an_error_not_a_crash():
    tree = Tree(0)
    for level in range(5000):
        tree = Tree(level, [tree])
    with pytest.raises(ConversionError, match="nested too deeply"):
        codec(Tree).encode(tree, "v")


def test_hostile_nesting_of_a_recursive_type_is_refused_not_a_crash():
    # Tree(0, [Tree(0, [...])]) 200,000 levels deep: fastavro's compiled reader would overflow the C stack.
    depth = 200_000
    data = b"\x00\x02" * depth + b"\x00\x00" + b"\x00" * depth
    with pytest.raises(TypedDecodeError, match="cannot decode args"):
        codec(Tree).decode(data, "args")


def test_a_dataclass_that_refuses_its_values_is_a_conversion_error():
    from ..fixtures.contract_types import Validated

    assert codec(Validated).from_generic({"epochs": 2}, "v") == Validated(2)
    with pytest.raises(ConversionError) as info:
        codec(Validated).from_generic({"epochs": 0}, "args.config")
    assert str(info.value) == "args.config: expected a valid Validated, got ValueError: epochs must be >= 1"
    with pytest.raises(ConversionError):
        c = codec(Validated)
        c.decode(TypedCodec(c.schema).encode({"epochs": 0}, "v"), "args")
