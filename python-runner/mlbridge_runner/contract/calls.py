"""A typed pipeline's call path: arguments in (typed, resolved or generic), result out (typed or
generic), every misfit turned into the runner's errors with the field path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InvalidArguments, ValueNotEncodable
from .convert import ConversionError
from .typed_codec import TypedCodec, TypedDecodeError

if TYPE_CHECKING:
    from ..registry import Pipeline


class TypedPlan:
    """Codecs of one typed pipeline's arguments and result, built once per pipeline."""

    def __init__(self, pipeline: Pipeline) -> None:
        contract = pipeline.contract
        assert contract.typed and contract.args_schema is not None and contract.result_schema is not None
        self.name = pipeline.name
        self.injected = pipeline.progress_param
        self.args = TypedCodec(contract.args_schema, pipeline.classes)
        self.result = TypedCodec(contract.result_schema, pipeline.classes)
        self.args_ref = contract.args_ref
        self.result_ref = contract.result_ref

    def decode_args(self, data: bytes, writer: Any | None = None) -> dict[str, Any]:
        """Typed argument bytes (written with ``writer``, default ours) → keyword arguments."""
        try:
            return self.args.decode(data, "args", writer)
        except TypedDecodeError as exc:
            raise InvalidArguments(f"{self.name}(): {exc}") from None
        except ConversionError as exc:
            raise self._invalid(exc) from None

    def generic_args(self, value: Any) -> dict[str, Any]:
        """A generic ``Value`` map of arguments → keyword arguments, checked through the schema."""
        if not isinstance(value, dict):
            raise InvalidArguments(
                f"arguments of {self.name!r} must be a map of argument name to value, got {type(value).__name__}"
            )
        if self.injected is not None and self.injected in value:
            raise InvalidArguments(
                f"{self.name}(): argument {self.injected!r} is a progress reporter supplied by the runner, "
                "not by the caller",
                self.injected,
            )
        try:
            return self.args.from_generic(value, "args")
        except ConversionError as exc:
            raise self._invalid(exc) from None

    def encode_args(self, kwargs: dict[str, Any]) -> bytes:
        """Keyword arguments → typed bytes of our own args schema (to hand a call on)."""
        try:
            return self.args.encode(kwargs, "args")
        except ConversionError as exc:
            raise self._invalid(exc) from None

    def encode_result(self, value: Any, typed: bool) -> bytes | Any:
        """The typed result bytes, or (``typed=False``) the plain value for a generic reply.

        Raises :class:`ValueNotEncodable` naming the path when ``value`` does not fit the schema.
        """
        try:
            if typed:
                return self.result.encode(value, "result", keep_large=True)
            return self.result.to_generic(value, "result")
        except ConversionError as exc:
            problem = str(exc)[len(exc.path) + 2:]
            raise ValueNotEncodable(exc.path, problem) from None

    def _invalid(self, exc: ConversionError) -> InvalidArguments:
        parts = exc.path.split(".", 2)
        top = parts[1].split("[", 1)[0] if len(parts) > 1 else None
        if exc.path == "args" and exc.kind == "missing":
            return InvalidArguments(f"{self.name}(): missing a required argument: {exc.field!r}", exc.field)
        if exc.path == "args" and exc.kind == "unexpected":
            return InvalidArguments(f"{self.name}(): got an unexpected keyword argument {exc.field!r}", exc.field)
        if len(parts) == 2 and exc.kind == "type" and top == parts[1]:
            return InvalidArguments(f"{self.name}(): argument {top!r} expects {exc.expected}, got {exc.got} ({exc.path})", top)
        return InvalidArguments(f"{self.name}(): {exc}", top)
