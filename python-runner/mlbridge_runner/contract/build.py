"""Registration-time assembly of a :class:`PipelineContract` and the codec that serves it."""

from __future__ import annotations

import inspect
from typing import Any, Callable

from ..errors import RegistryError
from .explicit import check_args_record, parse_explicit
from .hints import Derived, derive
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
    derived: Derived | None
    if args_schema is None or result_schema is None:
        derived = derive(name, fn, signature, skip)
    else:
        try:  # only for the classes to build from the explicit schemas' named types
            derived = derive(name, fn, signature, skip)
        except RegistryError:
            derived = None
    if args_schema is None and result_schema is None and derived is None:
        ref = value_reference()
        return PipelineContract(False, version, doc, None, None, ref, ref, timeout_ms), {}
    if derived is None:
        given = "args_schema" if args_schema is not None else "result_schema"
        other = "result_schema" if args_schema is not None else "args_schema"
        raise RegistryError(
            f"pipeline {name!r}: {given} is given but {other} cannot be derived from the type hints "
            f"(unannotated, Any or *args/**kwargs); give {other} too"
        )
    args = derived.args_schema
    result = derived.result_schema
    if args_schema is not None:
        args = check_args_record(name, parse_explicit(name, "args_schema", args_schema), signature, skip)
    if result_schema is not None:
        result = parse_explicit(name, "result_schema", result_schema)
    contract = PipelineContract(
        typed=True, version=version, doc=doc, args_schema=args, result_schema=result,
        args_ref=schema_ref(args), result_ref=schema_ref(result), timeout_ms=timeout_ms,
    )
    return contract, derived.classes
