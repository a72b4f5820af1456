"""Arguments a resolving reader would drop: fields the writer's schema has and the reader's lacks.

Avro schema resolution skips a writer field the reader does not know, whatever its value. For a
call's arguments that silently changes the call: a client of version 2 passing ``c=1000`` to a
runner of version 1 gets the answer without ``c``. :func:`loss_plan` finds, once per writer/reader
pair, where such fields are (also inside nested records, arrays, maps and unions);
:meth:`LossPlan.first_lost` reads one call's bytes with the writer's schema alone and names the
first such field whose value is not its default, or that has no default. A value equal to the
default loses nothing: the reader would have used the same value had the field been absent.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Union

from fastavro import _read_py, parse_schema, schemaless_reader

from .names import is_recursive, resolve, short_name


@dataclass(eq=False)
class _Record:
    #: (field name, has a default, the default as the reader below produces it)
    dropped: list[tuple[str, bool, Any]] = field(default_factory=list)
    #: Fields both have whose types hold dropped fields deeper down.
    nested: list[tuple[str, "_Node"]] = field(default_factory=list)


@dataclass(eq=False)
class _Items:
    items: "_Node"


@dataclass(eq=False)
class _Values:
    values: "_Node"


@dataclass(eq=False)
class _Union:
    records: dict[str, "_Node"] = field(default_factory=dict)
    array: "_Node | None" = None
    map: "_Node | None" = None


_Node = Union[_Record, _Items, _Values, _Union]


class LossPlan:
    """Where a call written with one schema loses fields when read with another."""

    def __init__(self, writer: Any, root: _Node) -> None:
        stripped = _without_logical_types(writer)
        self._parsed = parse_schema(stripped, named_schemas={})
        # Recursive types: the pure-Python reader stops at the recursion limit (see typed_codec).
        self._read = _read_py.schemaless_reader if is_recursive(resolve(stripped)) else schemaless_reader
        self._root = root

    def first_lost(self, data: bytes) -> str | None:
        """The path of the first field ``data`` carries that the reader would drop though its value
        is not the default (``config.momentum``, ``samples[].extra``, ``scores{}.x``); None when
        nothing would be lost. Bytes that do not decode return None: the resolving decode that
        follows reports them."""
        try:
            datum = self._read(io.BytesIO(data), self._parsed, None, return_record_name=True)
            return _first_lost(self._root, datum, "")
        except Exception:  # noqa: BLE001 - malformed bytes (or nesting too deep) are the decoder's to report
            return None


def loss_plan(writer: Any, reader: Any) -> LossPlan | None:
    """The plan for data written with ``writer`` and read with ``reader`` (Avro JSON as Python
    objects); None when the reader drops nothing, which is what makes the usual pair free."""
    root = _plan(resolve(writer), resolve(reader), {})
    return None if root is None else LossPlan(writer, root)


# ---------------------------------------------------------------------------- building


def _plan(w: dict[str, Any], r: dict[str, Any], memo: dict[tuple[int, int], _Node]) -> _Node | None:
    key = (id(w), id(r))
    if key in memo:  # a recursive type: the node being built further up
        return memo[key]
    wkind, rkind = w["type"], r["type"]
    if wkind == "union":
        union = _Union()
        for branch in w["branches"]:
            target = _matching_branch(branch, r) if rkind == "union" else r
            sub = None if target is None else _plan(branch, target, memo)
            if sub is None:
                continue
            if branch["type"] == "record":
                union.records[branch["name"]] = sub
            elif branch["type"] == "array":
                union.array = sub
            elif branch["type"] == "map":
                union.map = sub
        return union if union.records or union.array is not None or union.map is not None else None
    if rkind == "union":
        target = _matching_branch(w, r)
        return None if target is None else _plan(w, target, memo)
    if wkind == "array" and rkind == "array":
        items = _plan(w["items"], r["items"], memo)
        return None if items is None else _Items(items)
    if wkind == "map" and rkind == "map":
        values = _plan(w["values"], r["values"], memo)
        return None if values is None else _Values(values)
    if wkind != "record" or rkind != "record":
        return None
    node = _Record()
    memo[key] = node
    by_name = {f["name"]: f for f in r["fields"]}
    for alias_owner in r["fields"]:
        for alias in alias_owner.get("aliases", []):
            by_name.setdefault(alias, alias_owner)
    for wf in w["fields"]:
        rf = by_name.get(wf["name"])
        if rf is None:
            has_default = "default" in wf
            node.dropped.append((wf["name"], has_default, _datum_of(wf["type"], wf["default"]) if has_default else None))
            continue
        sub = _plan(wf["type"], rf["type"], memo)
        if sub is not None:
            node.nested.append((wf["name"], sub))
    if node.dropped or node.nested:
        return node
    del memo[key]
    return None


def _matching_branch(w: dict[str, Any], union: dict[str, Any]) -> dict[str, Any] | None:
    """The reader union's branch a writer value of type ``w`` resolves to (records by name)."""
    for branch in union["branches"]:
        if branch["type"] != w["type"]:
            continue
        if branch["type"] != "record" or short_name(branch["name"]) == short_name(w["name"]):
            return branch
    return None


def _datum_of(node: dict[str, Any], default: Any) -> Any:
    """An Avro JSON default as the logical-type-free reader returns the same value."""
    kind = node["type"]
    if kind == "union":
        return _datum_of(node["branches"][0], default)
    if kind in ("bytes", "fixed") and isinstance(default, str):
        return default.encode("latin-1")
    if kind in ("float", "double") and isinstance(default, (int, float)):
        return float(default)
    if kind == "array":
        return [_datum_of(node["items"], item) for item in default]
    if kind == "map":
        return {k: _datum_of(node["values"], v) for k, v in default.items()}
    if kind == "record":
        out = {}
        for f in node["fields"]:
            value = default.get(f["name"], f.get("default"))
            out[f["name"]] = _datum_of(f["type"], value)
        return out
    return default


def _without_logical_types(schema: Any) -> Any:
    """``schema`` with every ``logicalType`` removed: values read as their underlying types, as
    the defaults are written (a timestamp default is a long)."""
    if isinstance(schema, dict):
        return {k: _without_logical_types(v) for k, v in schema.items() if k != "logicalType"}
    if isinstance(schema, list):
        return [_without_logical_types(item) for item in schema]
    return schema


# ---------------------------------------------------------------------------- checking


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _first_lost(node: _Node, datum: Any, path: str) -> str | None:
    if type(node) is _Record:
        if not isinstance(datum, dict):
            return None
        for name, has_default, default in node.dropped:
            if not has_default or datum.get(name) != default:
                return _join(path, name)
        for name, sub in node.nested:
            found = _first_lost(sub, datum.get(name), _join(path, name))
            if found is not None:
                return found
        return None
    if type(node) is _Items:
        for item in datum or ():
            found = _first_lost(node.items, item, f"{path}[]")
            if found is not None:
                return found
        return None
    if type(node) is _Values:
        for value in (datum or {}).values():
            found = _first_lost(node.values, value, f"{path}{{}}")
            if found is not None:
                return found
        return None
    assert type(node) is _Union
    if isinstance(datum, tuple) and len(datum) == 2 and isinstance(datum[0], str):
        sub = node.records.get(datum[0])
        return None if sub is None else _first_lost(sub, datum[1], path)
    if isinstance(datum, list) and node.array is not None:
        return _first_lost(node.array, datum, path)
    if isinstance(datum, dict) and node.map is not None:
        return _first_lost(node.map, datum, path)
    return None


class LossPlans:
    """:func:`loss_plan` per (writer ref, reader ref) pair, computed on first use and kept: a
    call from a client at another version costs one dict lookup, and one extra read of its bytes
    only when that pair can drop something."""

    def __init__(self) -> None:
        self._plans: dict[tuple[str, str], LossPlan | None] = {}

    def lost_field(self, writer_ref: str, writer: Any, reader_ref: str, reader: Any, data: bytes) -> str | None:
        """The first field of ``data`` (written with ``writer``) that reading with ``reader`` would
        drop with a non-default value, or None."""
        key = (writer_ref, reader_ref)
        try:
            plan = self._plans[key]
        except KeyError:
            try:
                plan = loss_plan(writer, reader)
            except Exception:  # noqa: BLE001 - a schema this walk cannot read: resolution decides, as before
                plan = None
            self._plans[key] = plan
        return None if plan is None else plan.first_lost(data)


__all__ = ["LossPlan", "LossPlans", "loss_plan"]
