"""The runner's refusal of a typed call that Avro resolution would silently shorten.

A call written with a schema other than this runner's (another version of the pipeline) is read by
schema resolution, which skips fields the runner's schema lacks. When such a field carries a value
other than its default (or has none), the call is answered ``INCOMPATIBLE_ARGUMENTS`` (retryable)
instead of running without it; the consume loop first tries to hand it on to a runner whose version
has the field (:mod:`.handoff`). Same-schema calls never get here; a writer/reader pair is walked
once (:class:`~mlbridge_runner.contract.arg_loss.LossPlans`).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from .. import error_codes
from ..codec.envelopes import RemoteError
from ..contract.arg_loss import LossPlans
from ..contract.calls import TypedPlan
from ..contract.store import SchemaStore
from ..errors import IncompatibleArguments
from ..registry import Pipeline
from .failures import type_name

#: Pipeline name → its published versions (``CatalogView.versions``: version → entry with
#: ``args_ref`` and ``args_schema``).
Versions = Callable[[str], "dict[int, Any]"]


class ArgumentLossCheck:
    def __init__(self, store: SchemaStore) -> None:
        self._store = store
        self._plans = LossPlans()
        #: Set once the catalogue view is open: names the client's version in the error, and tells
        #: which generic-call arguments another version has.
        self.versions: Versions | None = None

    def refusal(self, pipeline: Pipeline, plan: TypedPlan, ref: str, writer: Any, data: bytes) -> RemoteError | None:
        """The ``INCOMPATIBLE_ARGUMENTS`` error for ``data`` (written with ``ref``, parsed ``writer``)
        when reading it as ``pipeline``'s args would drop a non-default field; None otherwise."""
        key = ref.lower()
        raw = self._store.raw(key)
        lost = self._plans.lost_field(key, writer if raw is None else raw, plan.args_ref, plan.args.schema, data)
        if lost is None:
            return None
        version = next((v for v, entry in self._published(pipeline.name).items() if entry.args_ref.lower() == key), None)
        return _error(IncompatibleArguments(pipeline.name, lost, key, version, plan.args_ref, pipeline.version))

    def generic_refusal(self, pipeline: Pipeline, plan: TypedPlan, ref: str, argument: str | None) -> RemoteError | None:
        """For a generic (``Value``) call refused for an argument ``pipeline`` does not take: the
        ``INCOMPATIBLE_ARGUMENTS`` error when another published version of it takes that argument
        (the caller meant that version: a runner of it can serve the call), else None (a plain
        ``INVALID_ARGUMENTS``, e.g. a typo)."""
        if argument is None or any(f["name"] == argument for f in plan.args.schema.get("fields", ())):
            return None
        for version, entry in sorted(self._published(pipeline.name).items(), reverse=True):
            if version != pipeline.version and argument in _top_level_fields(entry.args_schema):
                return _error(IncompatibleArguments(pipeline.name, argument, ref, version, plan.args_ref, pipeline.version))
        return None

    def _published(self, name: str) -> dict[int, Any]:
        if self.versions is None:
            return {}
        try:
            return self.versions(name)
        except Exception:  # noqa: BLE001 - the catalogue only informs the refusal
            return {}


def _error(exc: IncompatibleArguments) -> RemoteError:
    return RemoteError(code=error_codes.INCOMPATIBLE_ARGUMENTS, type=type_name(exc), message=str(exc), retryable=True)


def _top_level_fields(schema_text: str) -> set[str]:
    try:
        schema = json.loads(schema_text)
    except ValueError:
        return set()
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return {f["name"] for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)} if isinstance(fields, list) else set()
