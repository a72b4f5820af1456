"""Python type hints → Avro schemas (the table in ``docs/typed-contract.md`` section 1).

``Any``, ``object`` and the bare ``list``/``dict`` say "anything": they make the whole pipeline
untyped (generic ``Value``), as do unannotated parameters/return, ``*args``/``**kwargs`` and
annotations that cannot be resolved (a forward reference to a name the module never defines).
Every other hint must map to Avro, else :class:`UnsupportedType` names the place and the type.

The module's own annotations are evaluated (``typing.get_type_hints``, so ``from __future__
import annotations`` works); nothing from a request ever is.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import enum
import inspect
import re
import types
import typing
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from .data_types import data_schema
from .defaults import attach_default
from .errors import UnsupportedType, type_label
from .model import AvroSchema

TYPES_NAMESPACE = "mlbridge.types"
_AVRO_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_GENERIC_MARKERS: tuple[Any, ...] = (Any, object, list, dict, typing.List, typing.Dict)  # noqa: UP006


class UnresolvedHints(UserWarning):
    """A pipeline's annotations name something that does not exist: it is served untyped."""


class Untyped(Exception):
    """Internal: a hint says "anything", so the pipeline keeps the generic encoding."""

    def __init__(self, hint: object = None) -> None:
        super().__init__(hint)
        self.hint = hint


class _Unsupported(Exception):
    def __init__(self, annotation: object, problem: str) -> None:
        self.annotation = annotation
        self.problem = problem
        self.inside: list[str] = []  # "Class.field" of the records it was met in, innermost first


def pipeline_namespace(name: str) -> str:
    return "mlbridge.pipeline." + re.sub(r"[^A-Za-z0-9_]", "_", name)


@dataclass
class Derived:
    """What :func:`derive` found: the two schemas and the Python class of each named type."""

    args_schema: dict[str, Any]
    result_schema: AvroSchema
    #: full Avro name → dataclass / Enum class / TypedDict class it stands for.
    classes: dict[str, type] = field(default_factory=dict)


class _Context:
    """Named types of one schema being built (args or result); classes are shared across both."""

    def __init__(self, pipeline: str, classes: dict[str, type], owners: dict[str, type]) -> None:
        self.pipeline = pipeline
        self.namespace = pipeline_namespace(pipeline)
        self.defined: set[str] = set()
        self.classes = classes
        self.owners = owners  # short class name → class, to catch two classes with one name
        self.literals: dict[str, tuple[str, ...]] = {}


def derive(
    name: str, fn: Callable[..., Any], signature: inspect.Signature, skip: str | None,
    *, args: bool = True, result: bool = True,
) -> Derived | None:
    """The schemas of ``fn``'s parameters (except ``skip``, the injected progress parameter) and
    return value, or None if the pipeline is untyped. Raises :class:`UnsupportedType`.

    ``args=False`` / ``result=False`` leave that side out (an explicit schema replaces it): its
    schema is then a placeholder and its hints are not looked at.
    """
    derived = derive_or_reason(name, fn, signature, skip, args=args, result=result)
    return derived if isinstance(derived, Derived) else None


def derive_or_reason(
    name: str, fn: Callable[..., Any], signature: inspect.Signature, skip: str | None,
    *, args: bool = True, result: bool = True,
) -> Derived | str:
    """:func:`derive`, but an untyped pipeline gives the reason why (told to the user at start)."""
    params = [p for p in signature.parameters.values() if p.name != skip] if args else []
    variadic = [p.name for p in params if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if variadic:
        return f"parameter {variadic[0]!r} is *args/**kwargs"
    bare = [p.name for p in params if p.annotation is p.empty]
    if bare:
        return f"parameter {bare[0]!r} has no annotation"
    if result and signature.return_annotation is signature.empty:
        return "no return annotation"
    try:
        hints = typing.get_type_hints(fn)
    except Exception as exc:  # noqa: BLE001 - NameError/TypeError: a forward reference we cannot resolve
        warnings.warn(
            f"pipeline {name!r}: its type hints cannot be resolved ({type(exc).__name__}: {exc}), so it is served "
            "untyped (generic Value); define the classes it names at module level",
            UnresolvedHints,
            stacklevel=3,
        )
        return f"its type hints cannot be resolved ({type(exc).__name__}: {exc})"
    classes: dict[str, type] = {}
    owners: dict[str, type] = {}
    args_ctx = _Context(name, classes, owners)
    fields = []
    problems: list[UnsupportedType] = []
    untyped: str | None = None
    for param in params:
        hint = hints.get(param.name, Any)
        try:
            schema = _schema(hint, args_ctx, (args_ctx.namespace, f"{name}_{param.name}"))
            entry: dict[str, Any] = {"name": _field_name(param.name), "type": schema}
            if param.default is not param.empty:
                attach_default(entry, param.default)
            fields.append(entry)
        except Untyped as exc:
            untyped = untyped or f"parameter {param.name!r} {_anything(exc, hint)}"
        except _Unsupported as exc:
            problems.append(UnsupportedType(name, param.name, hint, _problem_text(exc, hint)))
    result_hint = hints.get("return", Any) if result else None
    result_schema: AvroSchema = "null"
    try:
        result_ctx = _Context(name, classes, owners)
        result_schema = _schema(result_hint, result_ctx, (result_ctx.namespace, f"{name}_result"))
    except Untyped as exc:
        untyped = untyped or f"the return value {_anything(exc, result_hint)}"
    except _Unsupported as exc:
        problems.append(UnsupportedType(name, "return", result_hint, _problem_text(exc, result_hint)))
    if untyped:
        return untyped
    if problems:
        raise problems[0]
    args = {"type": "record", "name": "Args", "namespace": args_ctx.namespace, "fields": fields}
    return Derived(args, result_schema, classes)


def _anything(exc: Untyped, outer: object) -> str:
    def label(hint: object) -> str:
        return "Any" if hint is Any else type_label(hint)

    if exc.hint is None or exc.hint is outer:
        return f"is annotated {label(outer)}, which allows any value"
    return f"is annotated {label(outer)}, whose {label(exc.hint)} allows any value"


def _problem_text(exc: _Unsupported, outer: object) -> str:
    where = f" (in {' → '.join(reversed(exc.inside))})" if exc.inside else ""
    if exc.annotation is not None and exc.annotation is not outer:
        return f"{type_label(exc.annotation)}{where} {exc.problem}"
    return f"{where.strip()} {exc.problem}".strip()


def _field_name(name: str) -> str:
    if not _AVRO_NAME.fullmatch(name):
        raise _Unsupported(None, f"the name {name!r} is not a valid Avro name ([A-Za-z_][A-Za-z0-9_]*)")
    return name


#: Where a ``Literal`` met at this place would be defined: (namespace, enum name).
LiteralName = tuple[str, str]


def _schema(hint: Any, ctx: _Context, literal_name: LiteralName) -> AvroSchema:
    hint = _unwrap(hint)
    if hint is None or hint is type(None):
        return "null"
    if any(hint is marker for marker in _GENERIC_MARKERS):
        raise Untyped(hint)
    if hint is bool:
        return "boolean"
    if hint is int:
        return "long"
    if hint is float:
        return "double"
    if hint is str:
        return "string"
    if hint is bytes:
        return "bytes"
    if hint is dt.datetime:
        return {"type": "long", "logicalType": "timestamp-millis"}
    if hint is dt.date:
        return {"type": "int", "logicalType": "date"}
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _union(hint, args, ctx, literal_name)
    if origin is list:
        if not args:
            raise Untyped(hint)
        return {"type": "array", "items": _schema(args[0], ctx, literal_name)}
    if origin is dict:
        if not args:
            raise Untyped(hint)
        key, value = args
        if _unwrap(key) is not str:
            raise _Unsupported(hint, f"has keys of type {type_label(key)}; Avro maps need str keys")
        return {"type": "map", "values": _schema(value, ctx, literal_name)}
    if origin is typing.Literal:
        return _literal(hint, args, ctx, literal_name)
    try:
        data = data_schema(hint, ctx.defined)
    except TypeError as exc:  # an ndarray dtype with no tensor datatype
        raise _Unsupported(hint, str(exc)) from None
    if data is not None:
        return data
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            return _enum(hint, ctx)
        if dataclasses.is_dataclass(hint):
            return _record(hint, ctx, _dataclass_fields(hint))
        if typing.is_typeddict(hint):
            return _record(hint, ctx, _typeddict_fields(hint))
    raise _Unsupported(hint, _why_not(hint, origin))


def _why_not(hint: Any, origin: Any) -> str:
    if origin in (set, frozenset) or hint in (set, frozenset):
        return "has no Avro form (use list[T])"
    if origin is tuple or hint is tuple:
        return "has no Avro form (use list[T] or a dataclass)"
    if origin is collections.abc.Callable or hint is Callable or hint is collections.abc.Callable:
        return "has no Avro form (functions cannot be sent)"
    return ("has no Avro form (supported: int, float, str, bool, bytes, None, unions, list[T], dict[str, T], "
            "Literal of names, Enum, dataclass, TypedDict, datetime, date)")


def _unwrap(hint: Any) -> Any:
    while True:
        supertype = getattr(hint, "__supertype__", None)  # typing.NewType
        if supertype is None:
            return hint
        hint = supertype


def _union(hint: Any, args: tuple[Any, ...], ctx: _Context, literal_name: LiteralName) -> AvroSchema:
    branches: list[AvroSchema] = []
    has_null = False
    for arg in args:
        arg = _unwrap(arg)
        if arg is None or arg is type(None):
            has_null = True
            continue
        branches.append(_schema(arg, ctx, literal_name))
    keys = [_branch_key(b) for b in branches]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise _Unsupported(hint, f"has two branches of Avro type {key!r}, which a reader could not tell apart")
    if has_null:
        branches.insert(0, "null")
    return branches if len(branches) > 1 else branches[0]


def _branch_key(schema: AvroSchema) -> str:
    if isinstance(schema, str):
        return schema
    if isinstance(schema, dict):
        if "name" in schema:
            return schema["name"]
        return schema["type"] if isinstance(schema["type"], str) else "?"
    return "union"


def _literal(hint: Any, args: tuple[Any, ...], ctx: _Context, literal_name: LiteralName) -> AvroSchema:
    symbols = tuple(dict.fromkeys(args))
    bad = [s for s in symbols if not (isinstance(s, str) and _AVRO_NAME.fullmatch(s))]
    if bad:
        raise _Unsupported(hint, f"has value(s) {', '.join(map(repr, bad))}; only strings that are valid Avro names "
                                 "([A-Za-z_][A-Za-z0-9_]*) can become an enum")
    namespace, wanted = literal_name
    base = re.sub(r"[^A-Za-z0-9_]", "_", wanted)
    name, n = base, 1
    while True:
        full = f"{namespace}.{name}"
        if full not in ctx.literals and full not in ctx.defined:
            ctx.literals[full] = symbols
            ctx.defined.add(full)
            return {"type": "enum", "name": name, "namespace": namespace, "symbols": list(symbols)}
        if ctx.literals.get(full) == symbols:
            return full
        n += 1
        name = f"{base}_{n}"


def _claim(cls: type, ctx: _Context) -> tuple[str, bool]:
    """The full name for ``cls`` and whether this schema already defines it."""
    name = cls.__name__
    if not _AVRO_NAME.fullmatch(name):
        raise _Unsupported(cls, f"has a name that is not a valid Avro name")
    owner = ctx.owners.setdefault(name, cls)
    if owner is not cls:
        raise _Unsupported(
            cls, f"shares its name with {owner.__module__}.{owner.__qualname__}; two classes named {name!r} "
                 "cannot both appear in one pipeline"
        )
    full = f"{TYPES_NAMESPACE}.{name}"
    ctx.classes[full] = cls
    if full in ctx.defined:
        return full, True
    ctx.defined.add(full)
    return full, False


def _enum(cls: type[enum.Enum], ctx: _Context) -> AvroSchema:
    full, done = _claim(cls, ctx)
    if done:
        return full
    symbols = [member.name for member in cls]
    bad = [s for s in symbols if not _AVRO_NAME.fullmatch(s)]
    if bad:
        raise _Unsupported(cls, f"has member name(s) {', '.join(map(repr, bad))} that are not valid Avro symbols")
    return {"type": "enum", "name": cls.__name__, "namespace": TYPES_NAMESPACE, "symbols": symbols}


def _dataclass_fields(cls: type) -> list[tuple[str, Any, bool, Any]]:
    """(name, hint, has default, default) of each init field."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception as exc:  # noqa: BLE001
        raise _Unsupported(cls, f"has annotations that cannot be resolved ({exc})") from None
    out = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.default is not dataclasses.MISSING:
            out.append((f.name, hints.get(f.name, Any), True, f.default))
        elif f.default_factory is not dataclasses.MISSING:  # the factory's value becomes the Avro default
            try:
                produced = f.default_factory()
            except Exception:  # noqa: BLE001 - no Avro default then; the class still works
                out.append((f.name, hints.get(f.name, Any), False, None))
                continue
            out.append((f.name, hints.get(f.name, Any), True, produced))
        else:
            out.append((f.name, hints.get(f.name, Any), False, None))
    return out


def _typeddict_fields(cls: type) -> list[tuple[str, Any, bool, Any]]:
    try:
        hints = typing.get_type_hints(cls)
    except Exception as exc:  # noqa: BLE001
        raise _Unsupported(cls, f"has annotations that cannot be resolved ({exc})") from None
    required = getattr(cls, "__required_keys__", frozenset(hints))
    out = []
    for key, hint in hints.items():
        if key in required:
            out.append((key, hint, False, None))
        else:  # a key that may be absent reads as null
            out.append((key, typing.Optional[hint], True, None))
    return out


def _record(cls: type, ctx: _Context, members: list[tuple[str, Any, bool, Any]]) -> AvroSchema:
    full, done = _claim(cls, ctx)
    if done:
        return full
    fields = []
    for name, hint, has_default, default in members:
        if not _AVRO_NAME.fullmatch(name):
            raise _Unsupported(cls, f"has field {name!r}, which is not a valid Avro name")
        try:
            field_schema = _schema(hint, ctx, (TYPES_NAMESPACE, f"{cls.__name__}_{name}"))
        except _Unsupported as exc:
            exc.inside.append(f"{cls.__name__}.{name}")
            raise
        entry: dict[str, Any] = {"name": name, "type": field_schema}
        if has_default:
            attach_default(entry, default)
        fields.append(entry)
    return {"type": "record", "name": cls.__name__, "namespace": TYPES_NAMESPACE, "fields": fields}


def schema_for_hint(hint: Any, pipeline: str = "hint", where: str = "value") -> tuple[AvroSchema, dict[str, type]]:
    """The Avro schema of one type hint, and the classes of its named types (for tools and tests).

    Raises :class:`UnsupportedType`, or :class:`Untyped` for ``Any``-like hints.
    """
    classes: dict[str, type] = {}
    ctx = _Context(pipeline, classes, {})
    try:
        return _schema(hint, ctx, (ctx.namespace, f"{pipeline}_{where}")), classes
    except _Unsupported as exc:
        raise UnsupportedType(pipeline, where, hint, _problem_text(exc, hint)) from None
