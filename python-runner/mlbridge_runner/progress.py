"""Progress reports from a running pipeline to its caller.

The rule: a pipeline parameter **annotated with** :class:`Progress` (any name, e.g.
``report: Progress``) receives a reporter from the runner. It is never taken from the request: a
caller that passes an argument of that name gets ``INVALID_ARGUMENTS``. ``Optional[Progress]`` /
``Progress | None`` and string annotations (``from __future__ import annotations``) naming it work
too; a string annotation is resolved by exact name lookup in the function's module, never evaluated.

.. code-block:: python

    from mlbridge_runner import Progress, pipeline

    @pipeline("train_model")
    def train_model(dataset: str, epochs: int = 5, progress: Progress | None = None) -> dict:
        for epoch in range(epochs):
            ...
            if progress:
                progress(epoch + 1, epochs, f"epoch {epoch + 1} done")

Each call of ``progress(current, total=None, message="")`` becomes a ``PROGRESS`` reply (same request
id) on the caller's reply topic, at most one per 100 ms per call; the latest report is always
sent, before the final reply.

The same object carries what a long run needs (``docs/jobs.md``):

- ``progress.cancelled`` turns true when the job or call was cancelled from any process;
  ``progress.raise_if_cancelled()`` raises :class:`~mlbridge_runner.Cancelled` then.
- ``progress.save_checkpoint(value)`` keeps a small JSON-like value in the job's state;
  ``progress.checkpoint`` is the last one saved — after a runner died, the one the previous attempt
  saved, so the pipeline resumes instead of starting over. ``progress.attempt`` counts attempts.
- ``progress.save_model(name, obj, metrics={...})`` stores a new immutable model version and
  publishes it to the inference pipelines declaring ``@pipeline(model=name)`` (``docs/models.md``).
"""

from __future__ import annotations

import builtins
import inspect
import threading
import time
import types
import typing
from typing import TYPE_CHECKING, Any, Callable, Final, Mapping, NamedTuple, Protocol

if TYPE_CHECKING:
    from .models import ModelSaver, ModelVersion

MAX_MESSAGE_CHARS: Final = 1024
MIN_INTERVAL_SECONDS: Final = 0.1


class Report(NamedTuple):
    current: float
    total: float | None
    message: str


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"progress {name} must be a number, got {type(value).__name__}")
    return float(value)


class RunControl(Protocol):
    """What the runner gives a running job or call besides its progress sink."""

    @property
    def cancelled(self) -> bool: ...

    @property
    def attempt(self) -> int: ...

    @property
    def checkpoint(self) -> Any: ...

    def save_checkpoint(self, value: Any) -> None: ...


class _LocalControl:
    """Outside the runner: never cancelled, attempt 1, checkpoints kept in memory."""

    __slots__ = ("checkpoint",)
    cancelled = False
    attempt = 1

    def __init__(self) -> None:
        self.checkpoint: Any = None

    def save_checkpoint(self, value: Any) -> None:
        self.checkpoint = value


class Progress:
    """A progress reporter: ``progress(current, total=None, message="")``, and the handle a long
    run uses for cancellation and checkpoints.

    Annotate a pipeline parameter with this class to receive one. Outside the runner (e.g. in a
    unit test of the pipeline) ``Progress()`` is a reporter that discards reports, or pass
    ``Progress(callback)`` to collect them.
    """

    __slots__ = ("_sink", "_control", "_models")

    def __init__(
        self,
        sink: Callable[[Report], None] | None = None,
        control: RunControl | None = None,
        models: ModelSaver | None = None,
    ) -> None:
        self._sink = sink
        self._control: RunControl = control if control is not None else _LocalControl()
        self._models = models

    def save_model(
        self, name: str, obj: Any, metrics: Mapping[str, float] | None = None, format: str | None = None
    ) -> ModelVersion:
        """Store ``obj`` as a new immutable version of model ``name`` (format chosen from its type
        unless ``format`` names one: skops, npz, safetensors or a registered one) and publish it;
        returns the version record. Raises :class:`~mlbridge_runner.models.ModelError`."""
        if self._models is None:
            from .models.errors import ModelError

            raise ModelError(f"cannot save model {name!r}: this runner has no model store (--model-dir)", name)
        return self._models.save(name, obj, metrics, format)

    @property
    def cancelled(self) -> bool:
        """True once the job (or call) was cancelled: stop soon, :meth:`raise_if_cancelled` helps."""
        return self._control.cancelled

    def raise_if_cancelled(self) -> None:
        """Raise :class:`~mlbridge_runner.Cancelled` if the run was cancelled."""
        if self._control.cancelled:
            from .errors import Cancelled

            raise Cancelled("the run was cancelled")

    @property
    def attempt(self) -> int:
        """1 for the first run; +1 each time another runner took the job over after a runner died."""
        return self._control.attempt

    @property
    def checkpoint(self) -> Any:
        """The last checkpoint saved (by this attempt or, after a runner died, by the previous one)."""
        return self._control.checkpoint

    def save_checkpoint(self, value: Any) -> None:
        """Keep ``value`` (JSON-like: dict, list, str, number, bool, None, bytes) as the job's
        checkpoint; a later attempt receives it as :attr:`checkpoint`. Raises
        :class:`~mlbridge_runner.errors.ValueNotEncodable` for what the wire cannot carry."""
        self._control.save_checkpoint(value)

    def __call__(self, current: float, total: float | None = None, message: str = "") -> None:
        report = Report(
            _number("current", current),
            None if total is None else _number("total", total),
            str(message)[:MAX_MESSAGE_CHARS],
        )
        if self._sink is not None:
            self._sink(report)

    def __repr__(self) -> str:
        return "<mlbridge_runner.Progress>"


def _resolve_string(annotation: str, fn: Callable[..., Any]) -> bool:
    namespace = getattr(fn, "__globals__", {})
    for part in annotation.replace("Optional[", "").replace("]", "").split("|"):
        words = part.strip().strip("'\"").split(".")
        if not words or not all(w.isidentifier() for w in words):
            continue
        target: Any = namespace.get(words[0], getattr(builtins, words[0], None))
        for word in words[1:]:
            target = getattr(target, word, None)
        if target is Progress:
            return True
    return False


def is_progress_annotation(annotation: Any, fn: Callable[..., Any]) -> bool:
    if annotation is Progress:
        return True
    if isinstance(annotation, str):
        return _resolve_string(annotation, fn)
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return any(arg is Progress for arg in typing.get_args(annotation))
    return False


def progress_parameter(signature: inspect.Signature, fn: Callable[..., Any]) -> str | None:
    """The name of the parameter annotated with :class:`Progress`, if any (at most one)."""
    found = [p for p in signature.parameters.values() if is_progress_annotation(p.annotation, fn)]
    if not found:
        return None
    if len(found) > 1:
        raise ValueError(f"more than one parameter is annotated with Progress: {[p.name for p in found]}")
    param = found[0]
    if param.kind not in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY):
        raise ValueError(f"the Progress parameter {param.name!r} must be a keyword-capable parameter")
    return param.name


class ProgressLimiter:
    """Rate-limits one call's reports: at most one per ``interval`` seconds; a report that comes
    too soon is held and sent later (by :meth:`flush_due`, a later report or :meth:`close`), newer
    reports replacing it. Thread-safe; ``send`` is called under the lock so reports stay in order."""

    def __init__(
        self, send: Callable[[Report], None], interval: float = MIN_INTERVAL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._send = send
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last: float | None = None
        self._pending: Report | None = None
        self._closed = False

    def report(self, report: Report) -> None:
        with self._lock:
            if self._closed:
                return
            now = self._clock()
            if self._last is None or now - self._last >= self._interval:
                self._emit(report, now)
            else:
                self._pending = report

    def flush_due(self) -> None:
        with self._lock:
            if self._closed or self._pending is None:
                return
            now = self._clock()
            if self._last is None or now - self._last >= self._interval:
                self._emit(self._pending, now)

    def close(self, flush: bool) -> None:
        """The call ended: send the held report (``flush``) and ignore any later one."""
        with self._lock:
            if flush and not self._closed and self._pending is not None:
                self._emit(self._pending, self._clock())
            self._closed = True

    def _emit(self, report: Report, now: float) -> None:
        self._pending = None
        self._last = now
        try:
            self._send(report)
        except Exception:  # noqa: BLE001 - a progress report must never fail the call
            pass
