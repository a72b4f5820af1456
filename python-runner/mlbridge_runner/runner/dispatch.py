"""Request → checked call → outcome. Nothing runs until the name is found in the registry and the
arguments bind to the function's signature.

A typed pipeline (``docs/typed-contract.md``) accepts its own args schema, any other writer schema
it can find in the :class:`~mlbridge_runner.contract.SchemaStore` (resolved against its own), and
the generic ``Value``; the reply mirrors the request (typed in, typed out).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from .. import error_codes
from ..blobs.claim_check import claim_check
from ..blobs.errors import BlobStoreError
from ..codec.envelopes import RemoteError, RequestEnvelope
from ..codec.segments import Segments
from ..codec.value import VALUE_V2_REFERENCE, decode_value, value_reference_of
from ..codec.value_result import encode_result_value
from ..contract.calls import TypedPlan
from ..contract.store import SchemaStore
from ..errors import (
    DeadlineExceeded,
    InvalidArguments,
    NotRegistered,
    ValueNotDecodable,
    ValueNotEncodable,
)
from ..frozen import slot_setters
from ..progress import Progress, Report, RunControl
from ..models import ModelError, ModelRuntime, pinned_version
from ..registry import MODEL_PARAM, Pipeline, Registry
from .argument_loss import ArgumentLossCheck
from .arguments import Binder
from .failures import plain_error, remote_error, type_name

MAX_NAME_IN_MESSAGE = 200
#: How long a call with an unknown writer schema waits for the catalogue to bring it.
SCHEMA_WAIT_S = 5.0
#: After a wait that found nothing, misses answer at once for this long: the catalogue had its
#: chance to catch up, and a stream of unknown references must not stall the loop 5 s each.
SCHEMA_WAIT_BACKOFF_S = 30.0


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def deadline_passed(request: RequestEnvelope, now_ms: int) -> bool:
    """Whether the caller has given up on ``request`` by ``now_ms`` (0: no deadline)."""
    return bool(request.deadline_ms) and now_ms > request.deadline_ms


class Rejected(Exception):
    """The request is answered with ``error`` without running anything; ``dead_letter``: the reason
    under which the request is also dead-lettered (None: a reply is enough); ``hand_on``: another
    runner may serve it (this one lacks the pipeline, or its version would drop an argument), so the
    consume loop tries that first (runner/handoff.py)."""

    def __init__(self, error: RemoteError, dead_letter: str | None = None, hand_on: bool = False) -> None:
        super().__init__(error.message)
        self.error = error
        self.dead_letter = dead_letter
        self.hand_on = hand_on


class SchemaPending(Exception):
    """Raised by :meth:`Dispatcher.prepare` with ``defer_waits``: the args were written with
    ``ref``, a schema the store does not hold yet. The caller parks the call, and calls
    ``prepare(request, waited=True)`` once the store has it or ``schema_wait_s`` has passed."""

    def __init__(self, ref: str) -> None:
        super().__init__(ref)
        self.ref = ref


@dataclass(frozen=True, slots=True)
class Call:
    """A request that passed every check and may run."""

    request: RequestEnvelope
    pipeline: Pipeline
    kwargs: dict[str, Any]
    received_at_ms: int
    #: The typed codecs of the pipeline (None: untyped, generic encoding).
    plan: TypedPlan | None = None
    #: The request was typed, so the result is too (the reply mirrors the request).
    typed_reply: bool = False
    #: The runner's models (``registry.models``) for a pipeline that uses or saves one.
    models: ModelRuntime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What running a call produced: an encoded result or an error."""

    #: A large result may be in pieces (codec/segments.py) or, typed, fastavro's bytearray.
    result: bytes | bytearray | Segments | None
    error: RemoteError | None
    started_at_ms: int
    finished_at_ms: int
    #: The schema of ``result`` (None: the generic ``Value``).
    result_ref: str | None = None


# The per-call path builds these at every call (see frozen.py); other places use the constructors.
_CALL_SETTERS = slot_setters(Call)
_OUTCOME_SETTERS = slot_setters(Outcome)
_new = object.__new__


def _untyped_call(request: RequestEnvelope, pipeline: Pipeline, kwargs: dict[str, Any], received_at_ms: int) -> Call:
    call = _new(Call)
    set_request, set_pipeline, set_kwargs, set_received, set_plan, set_typed_reply, set_models = _CALL_SETTERS
    set_request(call, request)
    set_pipeline(call, pipeline)
    set_kwargs(call, kwargs)
    set_received(call, received_at_ms)
    set_plan(call, None)
    set_typed_reply(call, False)
    set_models(call, None)
    return call


def _ok_outcome(result: bytes | Segments, started_at_ms: int, finished_at_ms: int) -> Outcome:
    outcome = _new(Outcome)
    set_result, set_error, set_started, set_finished, set_ref = _OUTCOME_SETTERS
    set_result(outcome, result)
    set_error(outcome, None)
    set_started(outcome, started_at_ms)
    set_finished(outcome, finished_at_ms)
    set_ref(outcome, value_reference_of(result))  # value-v2.avsc when it holds a tensor or table
    return outcome


def _short_repr(name: str) -> str:
    text = repr(name)
    return text if len(text) <= MAX_NAME_IN_MESSAGE else text[:MAX_NAME_IN_MESSAGE] + "…'"


class Dispatcher:
    """Checks requests against one registry. Lookup is ``registry[name]``: an exact dict lookup.

    ``store`` holds the writer schemas other versions of the callers use (fed by the catalogue);
    an unknown ``crc64:`` reference waits up to ``schema_wait_s`` (default 5 s with a store given,
    0 without: nobody would ever fill a private store) before the call is refused; after such a
    wait came back empty, misses are refused without waiting for :data:`SCHEMA_WAIT_BACKOFF_S`.
    ``defer_waits``: instead of blocking in that wait, :meth:`prepare` raises :class:`SchemaPending`
    (the runner's consume loop must not stop for one call).
    """

    def __init__(
        self,
        registry: Registry,
        value_reference: str,
        clock: Callable[[], int] = now_ms,
        store: SchemaStore | None = None,
        schema_wait_s: float | None = None,
        registry_schemas: Callable[[str], Any | None] | None = None,
        defer_waits: bool = False,
    ) -> None:
        self._registry = registry
        self._value_reference = value_reference
        self._clock = clock
        self.store = store if store is not None else SchemaStore()
        self._schema_wait_s = schema_wait_s if schema_wait_s is not None else (SCHEMA_WAIT_S if store is not None else 0.0)
        #: Registry mode: parsed writer schema of a ``registry:<id>`` ref (None when unknown).
        self._registry_schemas = registry_schemas
        # Per pipeline, compiled on first use: its Binder (untyped) or TypedPlan (typed).
        self._plans: dict[str, tuple[Pipeline, Binder | TypedPlan]] = {}
        self._no_wait_until = 0.0
        self._defer_waits = defer_waits
        #: Refuses a call from another version whose argument this one's schema would drop.
        self.argument_loss = ArgumentLossCheck(self.store)

    @property
    def schema_wait_s(self) -> float:
        """How long a call with an unknown writer schema may wait for it (0: refused at once)."""
        return self._schema_wait_s

    def prepare(self, request: RequestEnvelope, waited: bool = False) -> Call:
        """Return the call to run, or raise :class:`Rejected` with the error reply to send (or, with
        ``defer_waits``, :class:`SchemaPending`; ``waited``: its wait is over, do not raise it again).
        An ``@pipeline(model=...)`` call gets its model here, once: the version current now (or
        pinned by the request) is the one it keeps to its end, whatever is published meanwhile."""
        call = self._prepare(request, waited)
        pipeline = call.pipeline
        if pipeline.model is None and (pipeline.progress_param is None or self._registry.models is None):
            return call
        return with_models(call, self._registry.models)

    def _prepare(self, request: RequestEnvelope, waited: bool) -> Call:
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
                ),
                hand_on=True,
            ) from None
        plan = self._plan_for(pipeline)
        try:
            # Args passed by reference: fetched and verified. The call keeps the request as it came
            # (the reference), so the fetched body is freed once decoded; a worker process fetches again.
            resolved = claim_check().resolve(request)
        except BlobStoreError as exc:
            raise Rejected(plain_error(error_codes.BLOB_UNAVAILABLE, exc.kind, str(exc)), "blob-unavailable") from None
        except ValueError as exc:
            raise Rejected(_invalid(str(exc))) from None
        ref = resolved.args_schema
        generic = ref == self._value_reference or ref.lower() == self._value_reference or ref == VALUE_V2_REFERENCE
        try:
            if type(plan) is Binder:
                if not generic:
                    raise Rejected(_invalid(
                        f"argsSchema {ref[:100]!r} is not supported by this runner; "
                        f"expected {self._value_reference!r} (the generic Value schema)"
                    ))
                kwargs = plan.bind(decode_value(resolved.args, root="args"))
                return _untyped_call(request, pipeline, kwargs, received)
            assert isinstance(plan, TypedPlan)
            if generic:
                try:
                    kwargs = plan.generic_args(decode_value(resolved.args, root="args"))
                except InvalidArguments as exc:  # an argument another published version takes: hand it on
                    refusal = self.argument_loss.generic_refusal(pipeline, plan, ref, exc.argument)
                    if refusal is None:
                        raise
                    raise Rejected(refusal, hand_on=True) from None
                return Call(request, pipeline, kwargs, received, plan, False)
            if ref == plan.args_ref or ref.lower() == plan.args_ref:
                return Call(request, pipeline, plan.decode_args(resolved.args), received, plan, True)
            writer = self._writer_schema(ref, waited)
            if writer is None:
                raise Rejected(_invalid(
                    f"argsSchema {ref[:100]!r} is unknown to this runner: not {pipeline.name!r}'s args schema "
                    f"({plan.args_ref}), not the generic Value schema, and not found in the catalogue"
                ))
            refusal = self.argument_loss.refusal(pipeline, plan, ref, writer, resolved.args)
            if refusal is not None:
                raise Rejected(refusal, hand_on=True)
            return Call(request, pipeline, plan.decode_args(resolved.args, writer), received, plan, True)
        except (InvalidArguments, ValueNotDecodable) as exc:
            raise Rejected(_invalid(str(exc))) from None
        except (Rejected, SchemaPending):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug here must answer the call, not stop the loop
            raise Rejected(remote_error(exc, error_codes.INTERNAL)) from None

    def _writer_schema(self, ref: str, waited: bool) -> Any | None:
        found = self.store.get(ref)
        if found is None and self._registry_schemas is not None and ref.startswith("registry:"):
            return self._registry_schemas(ref)
        if found is None and ref.startswith("crc64:") and self._schema_wait_s > 0:
            if time.monotonic() < self._no_wait_until:
                return None
            if self._defer_waits and not waited:
                raise SchemaPending(ref)
            found = self.store.get(ref) if waited else self.store.wait_for(ref, self._schema_wait_s)
            if found is None:
                self._no_wait_until = time.monotonic() + SCHEMA_WAIT_BACKOFF_S
        return found

    def untyped_plan(self, name: str) -> tuple[Pipeline, Binder] | None:
        """``name``'s pipeline and Binder when it is registered, untyped and already prepared once
        (the consume loop's short path; anything else goes through :meth:`prepare`)."""
        found = self._plans.get(name)
        if found is None:
            return None
        pipeline, plan = found
        # A model pipeline takes the general path: prepare() hands it its model.
        if type(plan) is not Binder or pipeline.model is not None or self._registry.get(name) is not pipeline:
            return None
        return pipeline, plan

    def check_deadline(self, request: RequestEnvelope) -> int:
        """Return the current time, or raise :class:`Rejected` if the request's deadline passed."""
        now = self._clock()
        if deadline_passed(request, now):
            raise Rejected(
                plain_error(
                    error_codes.DEADLINE_EXCEEDED,
                    type_name(DeadlineExceeded()),
                    f"deadline passed {now - request.deadline_ms} ms before the runner could start the call",
                )
            )
        return now

    def _plan_for(self, pipeline: Pipeline) -> Binder | TypedPlan:
        found = self._plans.get(pipeline.name)
        if found is not None and found[0] is pipeline:
            return found[1]
        plan: Binder | TypedPlan = TypedPlan(pipeline) if pipeline.contract.typed else Binder(pipeline)
        self._plans[pipeline.name] = (pipeline, plan)
        return plan


_INVALID_TYPE = type_name(InvalidArguments(""))


def with_models(call: Call, models: ModelRuntime | None) -> Call:
    """``call`` with the runner's models attached and, for a model pipeline, its model loaded."""
    pipeline = call.pipeline
    kwargs = call.kwargs
    if pipeline.model is not None:
        try:
            if models is None:
                raise ModelError(
                    f"pipeline {pipeline.name!r} uses model {pipeline.model!r} but this runner has no model store "
                    "(--model-dir)"
                )
            loaded = models.get(pipeline.model, pinned_version(call.request.headers))
        except ModelError as exc:
            raise Rejected(remote_error(exc, error_codes.PIPELINE_ERROR)) from None
        kwargs = {**kwargs, MODEL_PARAM: loaded.obj}
    return Call(call.request, pipeline, kwargs, call.received_at_ms, call.plan, call.typed_reply, models)


def _invalid(message: str) -> RemoteError:
    return plain_error(error_codes.INVALID_ARGUMENTS, _INVALID_TYPE, message)


def execute(
    call: Call,
    clock: Callable[[], int] = now_ms,
    progress: Callable[[Report], None] | None = None,
    control: Cancellable | None = None,
) -> Outcome:
    """Run the pipeline and encode its result. Never raises. ``progress`` receives the reports of
    a pipeline that declares a :class:`~mlbridge_runner.Progress` parameter; ``control`` (a job's or
    a cancellable call's) is what that parameter reports cancellation and checkpoints through, and
    cancels an ``async`` pipeline's task."""
    started = clock()
    kwargs = call.kwargs
    pipeline = call.pipeline
    plan = call.plan
    if plan is None and pipeline.progress_param is None and not pipeline.is_async and control is None:
        return run_untyped(pipeline.fn, kwargs, started, clock)
    if pipeline.progress_param is not None:
        saver = None if call.models is None else call.models.saver(call.request.id)
        kwargs = {**kwargs, pipeline.progress_param: Progress(progress, control, saver)}
    try:
        if pipeline.is_async:
            value = asyncio.run(_cancellable(pipeline.fn(**kwargs), control))
        else:
            value = pipeline.fn(**kwargs)
    except BaseException as exc:  # noqa: BLE001 - SystemExit in a pipeline must not stop the runner
        return _failed(exc, started, clock)
    try:
        if plan is None:
            encoded = encode_result_value(value)
        elif call.typed_reply:
            return Outcome(plan.encode_result(value, True), None, started, clock(), plan.result_ref)
        else:
            encoded = encode_result_value(plan.encode_result(value, False))
    except BaseException as exc:  # noqa: BLE001 - e.g. a __len__ that raises
        return _not_encodable(exc, started, clock)
    return _ok_outcome(encoded, started, clock())


class Cancellable(RunControl, Protocol):
    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` (from any thread) once the run is cancelled; at once if it already is."""
        ...


async def _cancellable(coroutine: Any, control: Cancellable | None) -> Any:
    """Await ``coroutine`` as a task that a cancellation from another thread cancels."""
    task = asyncio.ensure_future(coroutine)
    if control is not None:
        loop = asyncio.get_running_loop()
        control.on_cancel(lambda: loop.call_soon_threadsafe(task.cancel))
    return await task


def run_untyped(
    fn: Callable[..., Any], kwargs: dict[str, Any], started_at_ms: int, clock: Callable[[], int] = now_ms
) -> Outcome:
    """Call a plain synchronous pipeline with bound ``kwargs`` and encode its result as a generic
    ``Value``. Never raises. :func:`execute` in the commonest case, also called by the consume
    loop's short path without building a :class:`Call`."""
    try:
        value = fn(**kwargs)
    except BaseException as exc:  # noqa: BLE001 - SystemExit in a pipeline must not stop the runner
        return _failed(exc, started_at_ms, clock)
    try:
        encoded = encode_result_value(value)
    except BaseException as exc:  # noqa: BLE001 - e.g. a __len__ that raises
        return _not_encodable(exc, started_at_ms, clock)
    return _ok_outcome(encoded, started_at_ms, clock())


def _failed(exc: BaseException, started_at_ms: int, clock: Callable[[], int]) -> Outcome:
    return Outcome(None, remote_error(exc, error_codes.PIPELINE_ERROR), started_at_ms, clock())


def _not_encodable(exc: BaseException, started_at_ms: int, clock: Callable[[], int]) -> Outcome:
    if isinstance(exc, ValueNotEncodable):
        error = plain_error(error_codes.RESULT_NOT_ENCODABLE, type_name(exc), str(exc))
    else:
        error = remote_error(exc, error_codes.RESULT_NOT_ENCODABLE)
    return Outcome(None, error, started_at_ms, clock())
