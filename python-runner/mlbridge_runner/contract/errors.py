"""Errors of the typed contract (registration-time; the call-time ones live in convert/typed_codec)."""

from __future__ import annotations

from ..errors import RegistryError


class UnsupportedType(RegistryError):
    """A type hint has no Avro form. Names the pipeline, the parameter (or ``return``) and the type."""

    def __init__(self, pipeline: str, where: str, annotation: object, problem: str) -> None:
        self.pipeline = pipeline
        self.where = where
        self.annotation = annotation
        self.problem = problem
        place = "the return value" if where == "return" else f"parameter {where!r}"
        super().__init__(f"pipeline {pipeline!r}: {place} has type {type_label(annotation)}: {problem}")


class InvalidSchema(RegistryError):
    """An explicit ``args_schema``/``result_schema`` is not valid Avro or does not fit the function."""


def type_label(annotation: object) -> str:
    if isinstance(annotation, type) and not getattr(annotation, "__args__", None):
        return annotation.__qualname__ if annotation.__module__ == "builtins" else f"{annotation.__module__}.{annotation.__qualname__}"
    return repr(annotation).replace("typing.", "")
