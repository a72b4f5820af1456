"""The runner's refusal of a typed call that Avro resolution would silently shorten.

A call written with a schema other than this runner's (another version of the pipeline) is read by
schema resolution, which skips fields the runner's schema lacks. When such a field carries a value
other than its default (or has none), the call is answered ``INCOMPATIBLE_ARGUMENTS`` (retryable)
instead of running without it; the consume loop first tries to hand it on to a runner whose version
has the field (:mod:`.handoff`). Same-schema calls never get here; a writer/reader pair is walked
once (:class:`~mlbridge_runner.contract.arg_loss.LossPlans`).
"""

from __future__ import annotations

from typing import Any, Callable

from .. import error_codes
from ..codec.envelopes import RemoteError
from ..contract.arg_loss import LossPlans
from ..contract.calls import TypedPlan
from ..contract.store import SchemaStore
from ..errors import IncompatibleArguments
from ..registry import Pipeline
from .failures import type_name

#: (pipeline name, args ref) → the catalogue version that published that args schema, or None.
VersionOf = Callable[[str, str], "int | None"]


class ArgumentLossCheck:
    def __init__(self, store: SchemaStore) -> None:
        self._store = store
        self._plans = LossPlans()
        #: Set once the catalogue view is open (names the client's version in the error).
        self.version_of: VersionOf | None = None

    def refusal(self, pipeline: Pipeline, plan: TypedPlan, ref: str, writer: Any, data: bytes) -> RemoteError | None:
        """The ``INCOMPATIBLE_ARGUMENTS`` error for ``data`` (written with ``ref``, parsed ``writer``)
        when reading it as ``pipeline``'s args would drop a non-default field; None otherwise."""
        key = ref.lower()
        raw = self._store.raw(key)
        lost = self._plans.lost_field(key, writer if raw is None else raw, plan.args_ref, plan.args.schema, data)
        if lost is None:
            return None
        version = None
        if self.version_of is not None:
            try:
                version = self.version_of(pipeline.name, key)
            except Exception:  # noqa: BLE001 - the version only decorates the message
                version = None
        exc = IncompatibleArguments(pipeline.name, lost, key, version, plan.args_ref, pipeline.version)
        return RemoteError(code=error_codes.INCOMPATIBLE_ARGUMENTS, type=type_name(exc), message=str(exc), retryable=True)


def catalog_version_of(versions: Callable[[str], dict[int, Any]]) -> VersionOf:
    """A :data:`VersionOf` over a catalogue view's ``versions(name)``."""

    def version_of(name: str, ref: str) -> int | None:
        for version, entry in versions(name).items():
            if entry.args_ref.lower() == ref:
                return version
        return None

    return version_of
