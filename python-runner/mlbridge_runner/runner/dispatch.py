"""Request → checked call → outcome. Nothing runs until the name is found in the registry and the
arguments bind to the function's signature."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Callable

from .. import error_codes
from ..codec.envelopes import RemoteError, RequestEnvelope
from ..codec.value import decode_value, encode_value
from ..errors import (
    DeadlineExceeded,
    InvalidArguments,
    NotRegistered,
    ValueNotDecodable,
    ValueNotEncodable,
)
from ..progress import Progress, Report
from ..registry import Pipeline, Registry
from .arguments import Check, bind_arguments, compile_checks
from .failures import plain_error, remote_error, type_name

MAX_NAME_IN_MESSAGE = 200


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Rejected(Exception):
    """The request is answered with ``error`` without running anything."""

    def __init__(self, error: RemoteError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True, slots=True)
class Call:
    """A request that passed every check and may run."""

    request: RequestEnvelope
    pipeline: Pipeline
    kwargs: dict[str, Any]
    received_at_ms: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """What running a call produced: an encoded result or an error."""

    result: bytes | None
    error: RemoteError | None
    started_at_ms: int
    finished_at_ms: int


def _short_repr(name: str) -> str:
    text = repr(name)
    return text if len(text) <= MAX_NAME_IN_MESSAGE else text[:MAX_NAME_IN_MESSAGE] + "…'"


class Dispatcher:
    """Checks requests against one registry. Lookup is ``registry[name]``: an exact dict lookup."""

    def __init__(self, registry: Registry, value_reference: str, clock: Callable[[], int] = now_ms) -> None:
        self._registry = registry
        self._value_reference = value_reference
        self._clock = clock
        self._checks: dict[str, dict[str, tuple[str, Check]]] = {}

    def prepare(self, request: RequestEnvelope) -> Call:
        """Return the call to run, or raise :class:`Rejected` with the error reply to send."""
        received = self.check_deadline(request)
        try:
            pipeline = self._registry[request.pipeline]
        except NotRegistered as exc:
            raise Rejected(
                plain_error(
                    error_codes.UNKNOWN_PIPELINE,
                    type_name(exc),
                    f"no pipeline named {_short_repr(request.pipeline)} is registered; "
                    f"registered: {', '.join(exc.registered) or '(none)'}",
                )
            ) from None
        if request.args_schema.lower() != self._value_reference:
            raise Rejected(
                plain_error(
                    error_codes.INVALID_ARGUMENTS,
                    type_name(InvalidArguments("")),
                    f"argsSchema {request.args_schema[:100]!r} is not supported by this runner; "
                    f"expected {self._value_reference!r} (the generic Value schema)",
                )
            )
        try:
            args = decode_value(request.args, root="args")
            kwargs = bind_arguments(pipeline, args, self._checks_for(pipeline))
        except (InvalidArguments, ValueNotDecodable) as exc:
            raise Rejected(
                plain_error(error_codes.INVALID_ARGUMENTS, type_name(InvalidArguments("")), str(exc))
            ) from None
        return Call(request=request, pipeline=pipeline, kwargs=kwargs, received_at_ms=received)

    def check_deadline(self, request: RequestEnvelope) -> int:
        """Return the current time, or raise :class:`Rejected` if the request's deadline passed."""
        now = self._clock()
        if request.deadline_ms and now > request.deadline_ms:
            raise Rejected(
                plain_error(
                    error_codes.DEADLINE_EXCEEDED,
                    type_name(DeadlineExceeded()),
                    f"deadline passed {now - request.deadline_ms} ms before the runner could start the call",
                )
            )
        return now

    def _checks_for(self, pipeline: Pipeline) -> dict[str, tuple[str, Check]]:
        checks = self._checks.get(pipeline.name)
        if checks is None:
            checks = self._checks[pipeline.name] = compile_checks(pipeline.signature)
        return checks


def execute(
    call: Call, clock: Callable[[], int] = now_ms, progress: Callable[[Report], None] | None = None
) -> Outcome:
    """Run the pipeline and encode its result. Never raises. ``progress`` receives the reports of
    a pipeline that declares a :class:`~mlbridge_runner.Progress` parameter."""
    started = clock()
    kwargs = call.kwargs
    if call.pipeline.progress_param is not None:
        kwargs = {**kwargs, call.pipeline.progress_param: Progress(progress)}
    try:
        if call.pipeline.is_async:
            value = asyncio.run(call.pipeline.fn(**kwargs))
        else:
            value = call.pipeline.fn(**kwargs)
    except BaseException as exc:  # noqa: BLE001 - SystemExit in a pipeline must not stop the runner
        return Outcome(None, remote_error(exc, error_codes.PIPELINE_ERROR), started, clock())
    try:
        encoded = encode_value(value, root="result")
    except ValueNotEncodable as exc:
        return Outcome(None, plain_error(error_codes.RESULT_NOT_ENCODABLE, type_name(exc), str(exc)), started, clock())
    except BaseException as exc:  # noqa: BLE001 - e.g. a __len__ that raises
        return Outcome(None, remote_error(exc, error_codes.RESULT_NOT_ENCODABLE), started, clock())
    return Outcome(encoded, None, started, clock())
