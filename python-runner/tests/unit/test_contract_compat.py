"""check_readable: Avro schema resolution rules, with the field path in every problem."""

from __future__ import annotations

import pytest

from mlbridge_runner.contract import check_readable


def record(name: str, *fields: dict, namespace: str | None = None, aliases: list[str] | None = None) -> dict:
    schema = {"type": "record", "name": name, "fields": list(fields)}
    if namespace:
        schema["namespace"] = namespace
    if aliases:
        schema["aliases"] = aliases
    return schema


def f(name: str, type_: object, **extra: object) -> dict:
    return {"name": name, "type": type_, **extra}


def enum(*symbols: str, name: str = "E", **extra: object) -> dict:
    return {"type": "enum", "name": name, "symbols": list(symbols), **extra}


COMPATIBLE = [
    ("same primitive", "long", "long"),
    ("int to long", "long", "int"),
    ("int to float", "float", "int"),
    ("int to double", "double", "int"),
    ("long to float", "float", "long"),
    ("long to double", "double", "long"),
    ("float to double", "double", "float"),
    ("string to bytes", "bytes", "string"),
    ("bytes to string", "string", "bytes"),
    ("logical type ignored", {"type": "long", "logicalType": "timestamp-millis"}, "long"),
    ("into a union", ["null", "long"], "long"),
    ("promoted into a union", ["null", "double"], "int"),
    ("union to a wider union", ["null", "string", "long"], ["null", "long"]),
    ("union whose branches all fit", "double", ["int", "float"]),
    ("array items", {"type": "array", "items": "double"}, {"type": "array", "items": "int"}),
    ("map values", {"type": "map", "values": ["null", "long"]}, {"type": "map", "values": "long"}),
    ("added field with default", record("R", f("a", "long"), f("b", "string", default="")), record("R", f("a", "long"))),
    ("removed field", record("R", f("a", "long")), record("R", f("a", "long"), f("b", "string"))),
    ("reordered fields", record("R", f("b", "string"), f("a", "long")), record("R", f("a", "long"), f("b", "string"))),
    ("namespace differs", record("R", f("a", "long"), namespace="x"), record("R", f("a", "long"), namespace="y")),
    ("reader alias of the record", record("New", f("a", "long"), aliases=["Old"]), record("Old", f("a", "long"))),
    ("reader field alias", record("R", f("new", "long", aliases=["old"])), record("R", f("old", "long"))),
    ("enum with more symbols", enum("A", "B", "C"), enum("A", "B")),
    ("enum with a default", enum("A", default="A"), enum("A", "Z")),
    ("fixed", {"type": "fixed", "name": "F", "size": 4}, {"type": "fixed", "name": "F", "size": 4}),
    ("recursive", record("T", f("v", "long"), f("kids", {"type": "array", "items": "T"})),
     record("T", f("v", "int"), f("kids", {"type": "array", "items": "T"}))),
    ("named reference", record("R", f("a", enum("A", "B")), f("b", "E")), record("R", f("a", enum("A")), f("b", "E"))),
]


@pytest.mark.parametrize(("label", "reader", "writer"), COMPATIBLE, ids=[c[0] for c in COMPATIBLE])
def test_compatible(label, reader, writer):
    assert check_readable(reader, writer) == []


INCOMPATIBLE = [
    ("long to int", "int", "long", "the top level: writer type long cannot be read as int"),
    ("double to long", "long", "double", "cannot be read as long"),
    ("string to long", "long", "string", "writer type string cannot be read as long"),
    ("boolean to string", "string", "boolean", "cannot be read as string"),
    ("union branch that does not fit", "long", ["null", "long"], "writer union branch null cannot be read as long"),
    ("no union branch matches", ["null", "string"], "long", "matches no branch"),
    ("field without default", record("R", f("a", "long"), f("epochs", "long")), record("R", f("a", "long")),
     "field 'epochs': reader has no default and writer lacks it"),
    ("nested field type", record("R", f("cfg", record("C", f("epochs", "long")))),
     record("R", f("cfg", record("C", f("epochs", "string")))), "field 'cfg.epochs': writer type string cannot be read as long"),
    ("array item", record("R", f("xs", {"type": "array", "items": "long"})),
     record("R", f("xs", {"type": "array", "items": "double"})), "field 'xs[]'"),
    ("map value", {"type": "map", "values": "int"}, {"type": "map", "values": "long"}, "the map values '{}'"),
    ("enum lost a symbol", record("R", f("e", enum("A", "B"))), record("R", f("e", enum("A", "B", "C"))),
     "field 'e': enum E of the reader lacks writer symbol(s) 'C' and has no default"),
    ("record renamed", record("S", f("a", "long")), record("R", f("a", "long")), "different names"),
    ("fixed size", {"type": "fixed", "name": "F", "size": 8}, {"type": "fixed", "name": "F", "size": 4}, "fixed size 4"),
    ("array to map", {"type": "map", "values": "long"}, {"type": "array", "items": "long"}, "cannot be read as map"),
]


@pytest.mark.parametrize(("label", "reader", "writer", "words"), INCOMPATIBLE, ids=[c[0] for c in INCOMPATIBLE])
def test_incompatible_names_the_place(label, reader, writer, words):
    problems = check_readable(reader, writer)
    assert problems and any(words in p for p in problems), problems


def test_every_problem_is_listed():
    reader = record("R", f("a", "int"), f("b", "long"), f("c", "string"))
    writer = record("R", f("a", "long"), f("c", "long"))
    assert len(check_readable(reader, writer)) == 3


def test_fixture_pipelines_v1_and_v2_are_compatible_both_ways():
    from pathlib import Path

    from mlbridge_devtools.typed_vectors import load_fixture_registry

    fixtures = Path(__file__).resolve().parents[3] / "test" / "fixtures"
    v1 = load_fixture_registry(fixtures / "typed_pipelines.py")
    v2 = load_fixture_registry(fixtures / "typed_pipelines_v2.py")
    assert v1.names() == v2.names()
    for name in v1.names():
        old, new = v1[name].contract, v2[name].contract
        assert (old.version, new.version) == (1, 2)
        for reader, writer in [(new.args_schema, old.args_schema), (old.args_schema, new.args_schema),
                               (new.result_schema, old.result_schema), (old.result_schema, new.result_schema)]:
            assert check_readable(reader, writer) == [], name
    assert v1["typed_train"].contract.args_ref != v2["typed_train"].contract.args_ref
