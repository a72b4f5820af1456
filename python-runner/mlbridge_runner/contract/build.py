"""Registration-time assembly of a :class:`PipelineContract` and the codec that serves it."""

from __future__ import annotations

import inspect
from typing import Any, Callable

from ..errors import RegistryError
from .explicit import check_args_record, parse_explicit
from .hints import Derived, derive, derive_or_reason
from .model import PipelineContract, schema_ref


def value_reference() -> str:
    from ..codec.schemas import wire_schemas  # late: registering must not need the files before use

    return wire_schemas().value.reference


def build_contract(
    name: str,
    fn: Callable[..., Any],
    signature: inspect.Signature,
    skip: str | None,
    *,
    version: object = 1,
    timeout: float | None = None,
    args_schema: object = None,
    result_schema: object = None,
) -> tuple[PipelineContract, dict[str, type]]:
    """The contract of ``fn`` and the classes of its named types (full Avro name → class)."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RegistryError(f"pipeline {name!r}: version must be an int >= 1, got {version!r}")
    doc = inspect.cleandoc(fn.__doc__) if getattr(fn, "__doc__", None) else ""
    timeout_ms = None if timeout is None else int(round(timeout * 1000))
    derived: Derived | None = None
    untyped_reason: str | None = None
    if args_schema is None or result_schema is None:
        found = derive_or_reason(name, fn, signature, skip, args=args_schema is None, result=result_schema is None)
        derived, untyped_reason = (found, None) if isinstance(found, Derived) else (None, found)
    if args_schema is None and result_schema is None:
        if derived is None:
            ref = value_reference()
            return PipelineContract(False, version, doc, None, None, ref, ref, timeout_ms, untyped_reason), {}
        classes = derived.classes
    else:
        classes = _classes_of_hints(name, fn, signature, skip, derived)
    args = check_args_record(name, parse_explicit(name, "args_schema", args_schema), signature, skip) \
        if args_schema is not None else (derived.args_schema if derived is not None else None)
    result = parse_explicit(name, "result_schema", result_schema) \
        if result_schema is not None else (derived.result_schema if derived is not None else None)
    if args is None or result is None:
        given, other = ("args_schema", "result_schema") if args_schema is not None else ("result_schema", "args_schema")
        raise RegistryError(
            f"pipeline {name!r}: {given} is given but {other} cannot be derived from the type hints "
            f"(unannotated, Any or *args/**kwargs); give {other} too"
        )
    contract = PipelineContract(
        typed=True, version=version, doc=doc, args_schema=args, result_schema=result,
        args_ref=schema_ref(args), result_ref=schema_ref(result), timeout_ms=timeout_ms,
    )
    return contract, classes


def _classes_of_hints(
    name: str, fn: Callable[..., Any], signature: inspect.Signature, skip: str | None, derived: Derived | None
) -> dict[str, type]:
    """The classes the hints name, to build the named types of explicit schemas too (by name)."""
    try:
        full = derive(name, fn, signature, skip)
    except RegistryError:
        full = None
    if full is not None:
        return full.classes
    return derived.classes if derived is not None else {}
