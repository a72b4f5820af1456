"""The start-time check: may this runner publish its pipelines next to what the catalogue holds?

For each own pipeline at version V, against the published entries of the same name:

- version V published with other refs → refuse: a version names one contract, so a change needs a
  new version (or the old entry retired);
- every other published version X, when both are typed: our args schema must read X's args (X's
  callers can call us) and X's result schema must read our result (X's callers can read us).

An untyped side needs no schema check: a typed runner still accepts generic ``Value`` arguments,
and an untyped one accepts any.

The reverse direction (runners still at X must read our arguments, our callers must read X's
results) only warns (:func:`find_forward_problems`): the catalogue cannot tell whether any runner
at X is still running, and once the rollout is done nothing breaks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from ..errors import MlbridgeRunnerError
from .entries import CatalogEntry, CatalogKind

#: The runner's exit code when it refuses to start (the CLI's "bad command line or pipelines").
EXIT_REFUSED = 2

#: ``check_readable(reader_schema, writer_schema) -> problems`` (empty: the reader reads the writer).
ReadableCheck = Callable[[Any, Any], list[str]]


@dataclass(frozen=True, slots=True)
class Conflict:
    """One reason this runner must not start."""

    pipeline: str
    version: int
    published_version: int
    problem: str

    def __str__(self) -> str:
        return self.problem


class CatalogRefused(MlbridgeRunnerError):
    """The catalogue holds versions of our pipelines that ours cannot stand next to."""

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        self.conflicts = list(conflicts)
        listed = "\n  ".join(str(c) for c in self.conflicts)
        super().__init__(f"refusing to start: {len(self.conflicts)} catalogue conflict(s):\n  {listed}")


def _default_check() -> ReadableCheck:
    from ..contract import check_readable  # only typed pipelines need it

    return check_readable


def _same_version(own: CatalogEntry, published: CatalogEntry) -> Conflict | None:
    if (own.args_ref, own.result_ref) == (published.args_ref, published.result_ref):
        return None
    changed = [
        f"{what} {theirs} → {ours}"
        for what, theirs, ours in (
            ("args", published.args_ref, own.args_ref),
            ("result", published.result_ref, own.result_ref),
        )
        if theirs != ours
    ]
    return Conflict(
        own.name,
        own.version,
        published.version,
        f"pipeline {own.name!r} version {own.version} is already published with other schemas "
        f"({', '.join(changed)}; published by {published.runner or 'an unknown runner'}): bump the version "
        f"(@pipeline(version={own.version + 1})) or retire the old entry "
        f"(python -m mlbridge_runner catalog retire {own.name} {own.version})",
    )


def _across_versions(own: CatalogEntry, published: CatalogEntry, check: ReadableCheck) -> list[Conflict]:
    conflicts = []
    for problem in check(json.loads(own.args_schema), json.loads(published.args_schema)):
        conflicts.append(
            Conflict(
                own.name,
                own.version,
                published.version,
                f"pipeline {own.name!r} version {own.version} cannot read the arguments of version "
                f"{published.version} callers: {problem} (give new parameters a default, or retire version "
                f"{published.version}: python -m mlbridge_runner catalog retire {own.name} {published.version})",
            )
        )
    for problem in check(json.loads(published.result_schema), json.loads(own.result_schema)):
        conflicts.append(
            Conflict(
                own.name,
                own.version,
                published.version,
                f"pipeline {own.name!r}: callers of version {published.version} cannot read the result of "
                f"version {own.version}: {problem} (give new result fields a default, or retire version "
                f"{published.version}: python -m mlbridge_runner catalog retire {own.name} {published.version})",
            )
        )
    return conflicts


@dataclass(frozen=True, slots=True)
class ForwardProblem:
    """Calls of our version that break if they reach a runner at another published version."""

    pipeline: str
    version: int
    published_version: int
    #: "arguments": runners at ``published_version`` cannot read our calls' arguments;
    #: "result": our callers cannot read the result of a runner at ``published_version``.
    direction: str
    problem: str

    def __str__(self) -> str:
        at = "still at" if self.published_version < self.version else "at"
        what = "fail" if self.direction == "arguments" else "return a result version {v} callers cannot read"
        return (
            f"pipeline {self.pipeline!r}: version {self.version} calls that reach a runner {at} version "
            f"{self.published_version} {what.format(v=self.version)}: {self.problem}; finish the rollout of "
            f"version {self.version} runners before clients use version {self.version}, or give the field a default"
        )


def _forward(own: CatalogEntry, published: CatalogEntry, check: ReadableCheck) -> list[ForwardProblem]:
    sides = (
        ("arguments", json.loads(published.args_schema), json.loads(own.args_schema)),
        ("result", json.loads(own.result_schema), json.loads(published.result_schema)),
    )
    return [
        ForwardProblem(own.name, own.version, published.version, direction, problem)
        for direction, reader, writer in sides
        for problem in check(reader, writer)
    ]


def find_forward_problems(
    own: Iterable[CatalogEntry], published: Iterable[CatalogEntry], check: ReadableCheck | None = None
) -> list[ForwardProblem]:
    """Where calls of our versions break on runners at other published versions (warned, not refused)."""
    problems: list[ForwardProblem] = []
    for mine in own:
        for theirs in sorted(_pipelines_named(published, mine.name), key=lambda e: e.version):
            if theirs.version == mine.version or not (mine.typed and theirs.typed):
                continue
            if check is None:
                check = _default_check()
            try:
                problems.extend(_forward(mine, theirs, check))
            except Exception:  # noqa: BLE001 - incomparable schemas are already refused by find_conflicts
                continue
    return problems


def _pipelines_named(published: Iterable[CatalogEntry], name: str) -> list[CatalogEntry]:
    return [e for e in published if e.kind is CatalogKind.PIPELINE and e.name == name]


def find_conflicts(
    own: Iterable[CatalogEntry], published: Iterable[CatalogEntry], check: ReadableCheck | None = None
) -> list[Conflict]:
    """Every conflict between this runner's entries and the published ones (empty: may start)."""
    by_name: dict[str, list[CatalogEntry]] = {}
    for entry in published:
        if entry.kind is CatalogKind.PIPELINE:
            by_name.setdefault(entry.name, []).append(entry)
    conflicts: list[Conflict] = []
    for mine in own:
        for theirs in sorted(by_name.get(mine.name, ()), key=lambda e: e.version):
            if theirs.version == mine.version:
                same = _same_version(mine, theirs)
                if same is not None:
                    conflicts.append(same)
            elif mine.typed and theirs.typed:
                if check is None:
                    check = _default_check()
                try:
                    conflicts.extend(_across_versions(mine, theirs, check))
                except Exception as exc:  # noqa: BLE001 - cannot prove compatibility: do not start
                    conflicts.append(
                        Conflict(
                            mine.name,
                            mine.version,
                            theirs.version,
                            f"pipeline {mine.name!r}: the schemas of versions {mine.version} and {theirs.version} "
                            f"cannot be compared: {type(exc).__name__}: {exc}",
                        )
                    )
    return conflicts


__all__ = [
    "EXIT_REFUSED", "Conflict", "CatalogRefused", "ForwardProblem", "ReadableCheck", "find_conflicts",
    "find_forward_problems",
]
