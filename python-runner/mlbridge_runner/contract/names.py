"""Avro JSON schema → a resolved tree: every node a dict with ``type``, named references replaced
by the node they name (so recursive types become cycles), names made full.

Used by the compatibility checker and the converters, which both need to walk a schema without
caring how it was spelled (``"long"`` vs ``{"type": "long"}``, short vs full names).
"""

from __future__ import annotations

from typing import Any

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
NAMED = frozenset({"record", "error", "enum", "fixed"})


class SchemaShapeError(ValueError):
    """The schema is not valid Avro (the parts this module looks at)."""


def full_name(name: str, namespace: str | None) -> str:
    if "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


def short_name(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def resolve(schema: Any, named: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The resolved tree of ``schema``; ``named`` collects full name → node (pass one to share)."""
    return _resolve(schema, None, {} if named is None else named)


def _resolve(schema: Any, namespace: str | None, named: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return {"type": schema}
        for candidate in (full_name(schema, namespace), schema):
            if candidate in named:
                return named[candidate]
        raise SchemaShapeError(f"unknown type name {schema!r}")
    if isinstance(schema, list):
        return {"type": "union", "branches": [_resolve(branch, namespace, named) for branch in schema]}
    if not isinstance(schema, dict) or "type" not in schema:
        raise SchemaShapeError(f"not a schema: {schema!r}")
    kind = schema["type"]
    if isinstance(kind, (dict, list)) or (isinstance(kind, str) and kind not in PRIMITIVES | NAMED | {"array", "map"}):
        return _resolve(kind, namespace, named)  # {"type": {...}} or {"type": "SomeName"}
    if kind in PRIMITIVES:
        node = {"type": kind}
        if "logicalType" in schema:
            node["logicalType"] = schema["logicalType"]
        return node
    if kind == "array":
        return {"type": "array", "items": _resolve(schema["items"], namespace, named)}
    if kind == "map":
        return {"type": "map", "values": _resolve(schema["values"], namespace, named)}
    name = schema.get("name")
    if not isinstance(name, str):
        raise SchemaShapeError(f"a {kind} needs a name")
    own_namespace = schema.get("namespace", namespace) if "." not in name else name.rsplit(".", 1)[0]
    fullname = full_name(name, own_namespace)
    aliases = [full_name(a, own_namespace) for a in schema.get("aliases", [])]
    node: dict[str, Any] = {"type": "record" if kind == "error" else kind, "name": fullname, "aliases": aliases}
    named[fullname] = node  # before the fields: a record may refer to itself
    if kind == "enum":
        node["symbols"] = list(schema["symbols"])
        if "default" in schema:
            node["default"] = schema["default"]
    elif kind == "fixed":
        node["size"] = int(schema["size"])
        if "logicalType" in schema:
            node["logicalType"] = schema["logicalType"]
    else:
        for prop in ("logicalType", "dtype", "shape"):  # Tensor / Table records (contract/data_types.py)
            if prop in schema:
                node[prop] = schema[prop]
        fields = []
        for field in schema.get("fields", []):
            entry = {
                "name": field["name"],
                "type": _resolve(field["type"], own_namespace or None, named),
                "aliases": list(field.get("aliases", [])),
            }
            if "default" in field:
                entry["default"] = field["default"]
            fields.append(entry)
        node["fields"] = fields
    return node


def is_recursive(node: dict[str, Any]) -> bool:
    """Whether a resolved tree refers to itself (a record nested in itself, e.g. a tree)."""
    return _cycles(node, set())


def _cycles(node: dict[str, Any], path: set[int]) -> bool:
    if id(node) in path:
        return True
    path.add(id(node))
    try:
        kind = node["type"]
        if kind == "array":
            return _cycles(node["items"], path)
        if kind == "map":
            return _cycles(node["values"], path)
        if kind == "union":
            return any(_cycles(b, path) for b in node["branches"])
        if kind == "record":
            return any(_cycles(f["type"], path) for f in node["fields"])
        return False
    finally:
        path.discard(id(node))
