"""The pipeline whitelist: only functions registered here can ever be called.

Lookup is an exact ``dict`` lookup of the name carried by a request. Nothing from a message is ever
evaluated, imported or resolved as an attribute.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, TypeVar, overload

from .contract.build import build_contract
from .contract.model import PipelineContract
from .progress import progress_parameter
from .errors import AlreadyRegistered, InvalidPipelineName, NotRegistered, RegistryError

if TYPE_CHECKING:
    from .models import ModelFormat, ModelRuntime

F = TypeVar("F", bound=Callable[..., Any])

#: Letters, digits, ``_``, ``.``, ``-``; starts with a letter or ``_``; at most 200 characters.
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,199}")
#: The keyword argument an ``@pipeline(model=...)`` pipeline receives its loaded model as.
MODEL_PARAM = "model"


@dataclass(frozen=True)
class Pipeline:
    """One registered pipeline function."""

    name: str
    fn: Callable[..., Any]
    signature: inspect.Signature = field(repr=False, compare=False)
    timeout: float | None = None
    is_async: bool = False
    #: The parameter annotated with :class:`~mlbridge_runner.Progress`: injected by the runner,
    #: never taken from a request.
    progress_param: str | None = None
    #: Schemas, version and doc callers see (``contract.typed`` is False for generic pipelines).
    contract: PipelineContract = field(default=None, compare=False)  # type: ignore[assignment]
    #: Full Avro name → the dataclass / Enum / TypedDict class a typed call builds for it.
    classes: dict[str, type] = field(default_factory=dict, repr=False, compare=False)
    #: Declared ``@pipeline(job=True)``: a training-style pipeline meant for ``submit()``. Shown in
    #: the catalogue (lane JOB); never run on the consume loop's thread.
    job: bool = False
    #: ``@pipeline(model="name")``: the model this inference pipeline uses, passed loaded as the
    #: keyword argument :data:`MODEL_PARAM` (never taken from a request; ``docs/models.md``).
    model: str | None = None

    @property
    def model_param(self) -> str | None:
        return MODEL_PARAM if self.model is not None else None

    @property
    def version(self) -> int:
        return self.contract.version

    @property
    def doc(self) -> str:
        return self.contract.doc


def validate_name(name: object) -> str:
    """Return ``name`` if it is an acceptable pipeline name, else raise :class:`InvalidPipelineName`."""
    if not isinstance(name, str):
        raise InvalidPipelineName(f"pipeline name must be a str, got {type(name).__name__}")
    if name == "":
        raise InvalidPipelineName("pipeline name must not be empty")
    if name != name.strip():
        raise InvalidPipelineName(f"pipeline name {name!r} has surrounding whitespace")
    if NAME_PATTERN.fullmatch(name) is None:
        raise InvalidPipelineName(
            f"pipeline name {name!r} must match {NAME_PATTERN.pattern} "
            "(letters, digits, '_', '.', '-'; starting with a letter or '_')"
        )
    return name


def _validate_timeout(timeout: object) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise RegistryError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    return float(timeout)


def _model_signature(name: str, model: object, signature: inspect.Signature) -> inspect.Signature:
    """The signature callers see: without the ``model`` parameter the runner fills."""
    if model is None:
        return signature
    validate_name(model)
    param = signature.parameters.get(MODEL_PARAM)
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    if param is None or param.kind not in kinds:
        raise RegistryError(
            f"pipeline {name!r} declares model={model!r}: it needs a keyword-capable parameter named {MODEL_PARAM!r}"
        )
    return signature.replace(parameters=[p for p in signature.parameters.values() if p.name != MODEL_PARAM])


def _check_callable(name: str, fn: object) -> inspect.Signature:
    if not callable(fn):
        raise RegistryError(f"pipeline {name!r}: expected a function, got {type(fn).__name__}")
    signature = inspect.signature(fn)
    for param in signature.parameters.values():
        if param.kind is inspect.Parameter.POSITIONAL_ONLY and param.default is inspect.Parameter.empty:
            raise RegistryError(
                f"pipeline {name!r}: parameter {param.name!r} is positional-only without a default; "
                "callers pass keyword arguments only"
            )
    return signature


class Registry(dict[str, Pipeline]):
    """Name → :class:`Pipeline`. A missing name raises :class:`NotRegistered`."""

    #: The runner's models (view, cache, saver), set when the runner starts with a model store;
    #: ``@pipeline(model=...)`` calls are refused without one (``docs/models.md``).
    models: ModelRuntime | None = None
    #: Formats added with :func:`~mlbridge_runner.models.register_model_format`.
    model_formats: list[ModelFormat] = []

    def __missing__(self, name: str) -> Pipeline:
        raise NotRegistered(name, self.names())

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self.keys())

    def register(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        timeout: float | None = None,
        *,
        version: int = 1,
        args_schema: Any = None,
        result_schema: Any = None,
        job: bool = False,
        model: str | None = None,
    ) -> Pipeline:
        """Register ``fn`` under ``name`` (default: its ``__name__``) and return the entry.

        ``version`` (int >= 1) and the explicit Avro ``args_schema``/``result_schema`` (dict, list,
        type name or JSON text) describe its contract; without them the schemas come from the type
        hints (``docs/typed-contract.md``). Raises :class:`RegistryError` (e.g.
        :class:`~mlbridge_runner.contract.UnsupportedType`) naming what is wrong.
        """
        chosen = validate_name(getattr(fn, "__name__", None) if name is None else name)
        if chosen in self:
            raise AlreadyRegistered(f"a pipeline named {chosen!r} is already registered ({self[chosen].fn!r})")
        signature = _check_callable(chosen, fn)
        try:
            injected = progress_parameter(signature, fn)
        except ValueError as exc:
            raise RegistryError(f"pipeline {chosen!r}: {exc}") from None
        checked_timeout = _validate_timeout(timeout)
        contract, classes = build_contract(
            chosen, fn, _model_signature(chosen, model, signature), injected, version=version, timeout=checked_timeout,
            args_schema=args_schema, result_schema=result_schema,
        )
        entry = Pipeline(
            name=chosen,
            fn=fn,
            timeout=checked_timeout,
            signature=signature,
            is_async=inspect.iscoroutinefunction(fn),
            progress_param=injected,
            contract=contract,
            classes=classes,
            job=bool(job),
            model=model,
        )
        dict.__setitem__(self, chosen, entry)
        return entry

    def __setitem__(self, name: str, value: Pipeline) -> None:
        raise RegistryError("use Registry.register() or the @pipeline decorator to add pipelines")

    @overload
    def pipeline(self, fn: F, /) -> F: ...

    @overload
    def pipeline(
        self,
        fn_or_name: str | None = None,
        /,
        *,
        name: str | None = None,
        timeout: float | None = None,
        version: int = 1,
        args_schema: Any = None,
        result_schema: Any = None,
        job: bool = False,
        model: str | None = None,
    ) -> Callable[[F], F]: ...

    def pipeline(
        self,
        fn_or_name: Any = None,
        /,
        *,
        name: str | None = None,
        timeout: float | None = None,
        version: int = 1,
        args_schema: Any = None,
        result_schema: Any = None,
        job: bool = False,
        model: str | None = None,
    ) -> Any:
        """Decorator registering into this registry; see :func:`pipeline`."""
        if callable(fn_or_name):
            options = (name, timeout, args_schema, result_schema)
            if any(o is not None for o in options) or version != 1 or job or model is not None:
                raise RegistryError("use @pipeline(name=..., timeout=...) with parentheses to pass options")
            self.register(fn_or_name)
            return fn_or_name
        if fn_or_name is not None and name is not None:
            raise RegistryError("give the pipeline name once: @pipeline('x') or @pipeline(name='x')")
        chosen = fn_or_name if fn_or_name is not None else name
        if chosen is not None:
            validate_name(chosen)  # fail at the decorator line, before the function body is seen

        def decorate(fn: F) -> F:
            self.register(
                fn, chosen, timeout, version=version, args_schema=args_schema, result_schema=result_schema, job=job,
                model=model,
            )
            return fn

        return decorate


#: The registry ``@pipeline`` fills and the runner serves.
default_registry = Registry()


@overload
def pipeline(fn: F, /) -> F: ...


@overload
def pipeline(
    fn_or_name: str | None = None,
    /,
    *,
    name: str | None = None,
    timeout: float | None = None,
    version: int = 1,
    args_schema: Any = None,
    result_schema: Any = None,
    job: bool = False,
    model: str | None = None,
) -> Callable[[F], F]: ...


def pipeline(
    fn_or_name: Any = None,
    /,
    *,
    name: str | None = None,
    timeout: float | None = None,
    version: int = 1,
    args_schema: Any = None,
    result_schema: Any = None,
    job: bool = False,
    model: str | None = None,
) -> Any:
    """Register a function as a pipeline in :data:`default_registry`.

    ``@pipeline`` (name = the function's ``__name__``), ``@pipeline("train_model")`` or
    ``@pipeline(name="train_model", timeout=600, version=2)``. ``timeout`` is in seconds. When every
    parameter and the return value are annotated, the pipeline is *typed*: its Avro schemas come
    from the hints (or from explicit ``args_schema=``/``result_schema=``), see
    ``docs/typed-contract.md``. ``job=True`` declares a training-style pipeline meant for
    ``client.submit()`` (its lane in the catalogue is JOB; see ``docs/jobs.md``); any pipeline can be
    submitted as a job and any can be invoked, but a job pipeline never runs on the loop's thread.
    ``model="anomaly-detector"`` declares the model an inference pipeline uses: the runner passes
    it loaded as the ``model`` keyword argument — the current version, or the one the call pins
    (``docs/models.md``). The function is returned unchanged, so it can still be called directly.
    """
    return default_registry.pipeline(
        fn_or_name, name=name, timeout=timeout, version=version, args_schema=args_schema, result_schema=result_schema,
        job=job, model=model,
    )
