"""Can data written with one schema be read with another? (Avro schema resolution rules.)

:func:`check_readable` walks both schemas the way a resolving reader would and lists every place
where reading would fail, each naming the field path, e.g.
``field 'config.epochs': reader has no default and writer lacks it``.

Like Avro's own compatibility checkers, a writer union is readable only if *every* branch is:
the check cannot know which branch a given writer will pick.
"""

from __future__ import annotations

from typing import Any

from .names import resolve, short_name

#: writer primitive → reader primitives that can read it.
_PROMOTIONS: dict[str, frozenset[str]] = {
    "int": frozenset({"int", "long", "float", "double"}),
    "long": frozenset({"long", "float", "double"}),
    "float": frozenset({"float", "double"}),
    "double": frozenset({"double"}),
    "string": frozenset({"string", "bytes"}),
    "bytes": frozenset({"bytes", "string"}),
    "null": frozenset({"null"}),
    "boolean": frozenset({"boolean"}),
}


def check_readable(reader: Any, writer: Any) -> list[str]:
    """Problems reading ``writer``-encoded data with ``reader``; empty when it always works.

    Both schemas are Avro JSON as Python objects (dict / list / type name).
    """
    problems: list[str] = []
    _check(resolve(reader), resolve(writer), "", problems, set())
    return problems


def _where(path: str) -> str:
    if not path:
        return "the top level"
    if path[0] in "[{":  # inside a top-level array or map
        return f"{'the array items' if path[0] == '[' else 'the map values'} {path!r}"
    return f"field {path!r}"


def _describe(node: dict[str, Any]) -> str:
    kind = node["type"]
    if "name" in node:
        return f"{kind} {short_name(node['name'])}"
    if kind == "union":
        return "union [" + ", ".join(_describe(b) for b in node["branches"]) + "]"
    return kind


def _names_match(reader: dict[str, Any], writer: dict[str, Any]) -> bool:
    if short_name(reader["name"]) == short_name(writer["name"]):
        return True
    writer_names = {writer["name"], short_name(writer["name"])}
    return any(alias in writer_names or short_name(alias) in writer_names for alias in reader.get("aliases", []))


def _readable(reader: dict[str, Any], writer: dict[str, Any], seen: set[tuple[int, int]]) -> bool:
    scratch: list[str] = []
    _check(reader, writer, "", scratch, set(seen))
    return not scratch


def _check(reader: dict[str, Any], writer: dict[str, Any], path: str, problems: list[str], seen: set[tuple[int, int]]) -> None:
    key = (id(reader), id(writer))
    if key in seen:  # recursive types: this pair is already being checked further up
        return
    rkind, wkind = reader["type"], writer["type"]
    if wkind == "union":
        for branch in writer["branches"]:
            before = len(problems)
            _check(reader, branch, path, problems, seen)
            if len(problems) > before and rkind != "union":
                problems[before:] = [
                    f"{_where(path)}: writer union branch {_describe(branch)} cannot be read as {_describe(reader)}"
                ]
        return
    if rkind == "union":
        if not any(_readable(branch, writer, seen) for branch in reader["branches"]):
            problems.append(f"{_where(path)}: writer type {_describe(writer)} matches no branch of reader {_describe(reader)}")
        return
    if wkind in _PROMOTIONS:
        if rkind not in _PROMOTIONS[wkind]:
            problems.append(f"{_where(path)}: writer type {wkind} cannot be read as {_describe(reader)}")
        return
    if rkind != wkind:
        problems.append(f"{_where(path)}: writer type {_describe(writer)} cannot be read as {_describe(reader)}")
        return
    if wkind == "array":
        _check(reader["items"], writer["items"], f"{path}[]", problems, seen)
        return
    if wkind == "map":
        _check(reader["values"], writer["values"], f"{path}{{}}", problems, seen)
        return
    if not _names_match(reader, writer):
        problems.append(
            f"{_where(path)}: writer {wkind} {short_name(writer['name'])!r} and reader {wkind} "
            f"{short_name(reader['name'])!r} have different names"
        )
        return
    if wkind == "fixed":
        if reader["size"] != writer["size"]:
            problems.append(f"{_where(path)}: fixed size {writer['size']} (writer) vs {reader['size']} (reader)")
        return
    if wkind == "enum":
        if "default" in reader:
            return
        missing = [s for s in writer["symbols"] if s not in reader["symbols"]]
        if missing:
            problems.append(
                f"{_where(path)}: enum {short_name(reader['name'])} of the reader lacks writer symbol(s) "
                + ", ".join(repr(s) for s in missing)
                + " and has no default"
            )
        return
    seen = seen | {key}
    writer_fields = {field["name"]: field for field in writer["fields"]}
    for field in reader["fields"]:
        nested = f"{path}.{field['name']}" if path else field["name"]
        found = writer_fields.get(field["name"])
        if found is None:
            found = next((writer_fields[a] for a in field.get("aliases", []) if a in writer_fields), None)
        if found is None:
            if "default" not in field:
                problems.append(f"field {nested!r}: reader has no default and writer lacks it")
            continue
        _check(field["type"], found["type"], nested, problems, seen)
