"""Check call arguments against a pipeline's signature before anything runs.

Missing and unexpected arguments are refused, with ``inspect.Signature.bind``'s wording; the
checks are compiled once per pipeline (:class:`Binder`) because this is the hot path of every
untyped call.
Annotations of the plain wire types (``int``, ``float``, ``bool``, ``str``, ``bytes``, ``list``,
``dict``, ``None``, their ``Optional``/``|`` unions and generic forms like ``list[int]``) are
checked too; any other annotation is trusted to the function. String annotations (``from
__future__ import annotations``) are recognised by exact name lookup, never evaluated.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from typing import Any, Callable

from ..errors import InvalidArguments
from ..registry import Pipeline

Check = Callable[[Any], bool]

_PLAIN: dict[Any, tuple[str, Check]] = {
    int: ("int", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    float: ("float", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)),
    bool: ("bool", lambda v: isinstance(v, bool)),
    str: ("str", lambda v: isinstance(v, str)),
    bytes: ("bytes", lambda v: isinstance(v, bytes)),
    list: ("list", lambda v: isinstance(v, list)),
    dict: ("dict", lambda v: isinstance(v, dict)),
    type(None): ("None", lambda v: v is None),
    None: ("None", lambda v: v is None),
}
_BY_NAME: dict[str, Any] = {
    "int": int, "float": float, "bool": bool, "str": str, "bytes": bytes,
    "list": list, "dict": dict, "None": None, "NoneType": None,
}
_OPTIONAL_STR = re.compile(r"(?:typing\.)?Optional\[(\w+)\]")
_GENERIC_STR = re.compile(r"(list|dict)\[.*\]")


def _from_string(annotation: str) -> tuple[str, Check] | None:
    parts = [p.strip().strip("'\"") for p in annotation.strip("'\"").split("|")]
    members: list[Any] = []
    for part in parts:
        if (m := _OPTIONAL_STR.fullmatch(part)) is not None:
            part, extra = m.group(1), None
            members.append(extra)
        if (g := _GENERIC_STR.fullmatch(part)) is not None:
            part = g.group(1)
        if part not in _BY_NAME:
            return None
        members.append(_BY_NAME[part])
    return _union(members)


def _union(members: list[Any]) -> tuple[str, Check] | None:
    checks = []
    for member in members:
        found = _describe(member)
        if found is None:
            return None
        checks.append(found)
    names = " | ".join(dict.fromkeys(name for name, _ in checks))
    funcs = tuple(check for _, check in checks)
    return names, lambda v: any(f(v) for f in funcs)


def _describe(annotation: Any) -> tuple[str, Check] | None:
    if isinstance(annotation, str):
        return _from_string(annotation)
    try:
        if annotation in _PLAIN:
            return _PLAIN[annotation]
    except TypeError:  # unhashable annotation object
        return None
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return _union(list(typing.get_args(annotation)))
    if origin in (list, dict):
        return _PLAIN[origin]
    return None


def compile_checks(signature: inspect.Signature) -> dict[str, tuple[str, Check]]:
    """Parameter name → (expected type description, predicate), for checkable annotations."""
    checks = {}
    for param in signature.parameters.values():
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if param.annotation is inspect.Parameter.empty:
            continue
        found = _describe(param.annotation)
        if found is not None:
            checks[param.name] = found
    return checks


class Binder:
    """The argument checks of one untyped pipeline, compiled once: :meth:`bind` is equivalent to
    :func:`bind_arguments` without building a ``BoundArguments`` per call."""

    __slots__ = ("name", "injected", "model", "accepts_any", "keywords", "positional_only", "required", "checks")

    def __init__(self, pipeline: Pipeline) -> None:
        runner_filled = (pipeline.progress_param, pipeline.model_param)
        params = [p for p in pipeline.signature.parameters.values() if p.name not in runner_filled]
        kinds = inspect.Parameter
        self.name = pipeline.name
        self.injected = pipeline.progress_param
        self.model = pipeline.model_param
        self.accepts_any = any(p.kind is kinds.VAR_KEYWORD for p in params)
        self.keywords = frozenset(p.name for p in params if p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY))
        self.positional_only = frozenset(p.name for p in params if p.kind is kinds.POSITIONAL_ONLY)
        self.required = tuple(
            p.name for p in params
            if p.default is p.empty and p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)
        )
        self.checks = tuple(compile_checks(pipeline.signature).items())

    def bind(self, args: Any) -> dict[str, Any]:
        """The keyword arguments to call the pipeline with, or raise :class:`InvalidArguments`."""
        if type(args) is not dict:
            if not isinstance(args, dict):
                raise InvalidArguments(
                    f"arguments of {self.name!r} must be a map of argument name to value, got {type(args).__name__}"
                )
        injected = self.injected
        if injected is not None and injected in args:
            raise InvalidArguments(
                f"{self.name}(): argument {injected!r} is a progress reporter supplied by the runner, "
                "not by the caller",
                injected,
            )
        if self.model is not None and self.model in args:
            raise InvalidArguments(
                f"{self.name}(): argument {self.model!r} is the model the runner loads, not one the caller passes",
                self.model,
            )
        for name in self.required:
            if name not in args:
                raise InvalidArguments(f"{self.name}(): missing a required argument: {name!r}", name)
        keywords = self.keywords
        for name in args:
            if name in keywords:
                continue
            if name in self.positional_only:  # as Signature.bind: even where **kwargs could take it
                raise InvalidArguments(
                    f"{self.name}(): {name!r} parameter is positional only, but was passed as a keyword", name
                )
            if not self.accepts_any:
                raise InvalidArguments(f"{self.name}(): got an unexpected keyword argument {name!r}", name)
        for name, (expected, check) in self.checks:
            if name in args and not check(args[name]):
                raise InvalidArguments(
                    f"{self.name}(): argument {name!r} expects {expected}, got {type(args[name]).__name__}", name
                )
        return dict(args)


_ARG_IN_MESSAGE = re.compile(r"'([^']*)'")


def bind_arguments(pipeline: Pipeline, args: Any, checks: dict[str, tuple[str, Check]]) -> dict[str, Any]:
    """Return the keyword arguments to call ``pipeline`` with, or raise :class:`InvalidArguments`.

    The reference implementation :class:`Binder` must agree with (kept for its tests)."""
    if not isinstance(args, dict):
        raise InvalidArguments(
            f"arguments of {pipeline.name!r} must be a map of argument name to value, got {type(args).__name__}"
        )
    injected = pipeline.progress_param
    if injected is not None and injected in args:
        raise InvalidArguments(
            f"{pipeline.name}(): argument {injected!r} is a progress reporter supplied by the runner, "
            "not by the caller",
            injected,
        )
    model = pipeline.model_param
    if model is not None and model in args:
        raise InvalidArguments(
            f"{pipeline.name}(): argument {model!r} is the model the runner loads, not one the caller passes", model
        )
    filled = {name: None for name in (injected, model) if name is not None}
    try:
        bound = pipeline.signature.bind(**args, **filled)
    except TypeError as exc:
        text = str(exc)
        found = _ARG_IN_MESSAGE.search(text)
        raise InvalidArguments(f"{pipeline.name}(): {text}", found.group(1) if found else None) from None
    for name, value in bound.arguments.items():
        if name in filled:
            continue
        check = checks.get(name)
        if check is not None and not check[1](value):
            raise InvalidArguments(
                f"{pipeline.name}(): argument {name!r} expects {check[0]}, got {type(value).__name__}", name
            )
    return dict(args)
