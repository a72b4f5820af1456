"""The start-time check against published versions (real schemas from real type hints)."""

from __future__ import annotations

from dataclasses import field, make_dataclass
from typing import Optional

import pytest

from mlbridge_runner import Registry
from mlbridge_runner.catalog.compatibility import EXIT_REFUSED, CatalogRefused, find_conflicts, find_forward_problems
from mlbridge_runner.catalog.entries import CatalogKind, pipeline_entry, schema_entry


def entry(fn, version=1, name="train", runner="other-runner"):
    registry = Registry()
    registry.register(fn, name, version=version)
    return pipeline_entry(registry[name], runner=runner)


def v1(dataset: str, epochs: int = 5) -> float:
    return 0.0


def v2_optional(dataset: str, epochs: int = 5, seed: int | None = None) -> float:
    return 0.0


def v2_required(dataset: str, epochs: int = 5, seed: int = 0, *, labels: str) -> float:
    return 0.0


def v2_removed_default(dataset: str, epochs: int) -> float:
    return 0.0


def v2_other_type(dataset: str, epochs: str = "5") -> float:
    return 0.0


# One class name across versions, as in a real evolution (records resolve by name).
Old = make_dataclass("Metrics", [("accuracy", float)])
Grown = make_dataclass("Metrics", [("accuracy", float), ("loss", float)])
GrownOptional = make_dataclass("Metrics", [("accuracy", float), ("loss", Optional[float], field(default=None))])
Renamed = make_dataclass("Scores", [("accuracy", float)])


def result_old(dataset: str) -> Old:  # type: ignore[valid-type]
    return Old(1.0)


def result_grown(dataset: str) -> Grown:  # type: ignore[valid-type]
    return Grown(1.0, 0.0)


def result_grown_optional(dataset: str) -> GrownOptional:  # type: ignore[valid-type]
    return GrownOptional(1.0)


def result_renamed(dataset: str) -> Renamed:  # type: ignore[valid-type]
    return Renamed(1.0)


def untyped(dataset, epochs=5):
    return 0.0


def test_nothing_published_means_no_conflict():
    assert find_conflicts([entry(v1)], []) == []


def test_same_version_same_schemas_is_fine():
    # Two runners of one version (a rolling restart, or two starting at once) both start.
    assert find_conflicts([entry(v1, runner="a")], [entry(v1, runner="b")]) == []


def test_same_version_other_schemas_is_refused():
    conflicts = find_conflicts([entry(v2_optional, 1)], [entry(v1, 1)])
    assert len(conflicts) == 1
    text = str(conflicts[0])
    assert "pipeline 'train' version 1 is already published with other schemas" in text
    assert "bump the version" in text and "@pipeline(version=2)" in text
    assert "catalog retire train 1" in text and "other-runner" in text
    assert (conflicts[0].pipeline, conflicts[0].version, conflicts[0].published_version) == ("train", 1, 1)


def test_same_version_untyped_over_typed_is_refused():
    assert len(find_conflicts([entry(untyped, 1)], [entry(v1, 1)])) == 1


def test_added_optional_parameter_is_compatible_both_ways():
    assert find_conflicts([entry(v2_optional, 2)], [entry(v1, 1)]) == []
    assert find_conflicts([entry(v1, 1)], [entry(v2_optional, 2)]) == []


def test_added_required_parameter_is_refused_naming_the_field():
    conflicts = find_conflicts([entry(v2_required, 2)], [entry(v1, 1)])
    assert [c.published_version for c in conflicts] == [1]
    text = str(conflicts[0])
    assert "pipeline 'train' version 2 cannot read the arguments of version 1 callers" in text
    assert "labels" in text
    assert "seed" not in text  # it has a default


def test_dropped_default_is_compatible():
    # Version 1 callers always send epochs (their client fills the default in).
    assert find_conflicts([entry(v2_removed_default, 2)], [entry(v1, 1)]) == []


def test_changed_parameter_type_is_refused():
    text = str(find_conflicts([entry(v2_other_type, 2)], [entry(v1, 1)])[0])
    assert "epochs" in text and "version 1" in text


def test_result_field_removed_is_refused_naming_the_field():
    # Version 1 callers read results expecting 'loss'; version 2 no longer writes it.
    conflicts = find_conflicts([entry(result_old, 2)], [entry(result_grown, 1)])
    assert len(conflicts) == 1
    text = str(conflicts[0])
    assert "callers of version 1 cannot read the result of version 2" in text
    assert "loss" in text


def test_result_field_removed_that_old_callers_default_is_compatible():
    assert find_conflicts([entry(result_old, 2)], [entry(result_grown_optional, 1)]) == []


def test_result_field_added_is_compatible():
    assert find_conflicts([entry(result_grown, 2)], [entry(result_old, 1)]) == []


def test_result_field_added_with_default_is_compatible():
    assert find_conflicts([entry(result_grown_optional, 2)], [entry(result_old, 1)]) == []


def test_renamed_result_record_is_refused():
    text = str(find_conflicts([entry(result_renamed, 2)], [entry(result_old, 1)])[0])
    assert "Scores" in text and "Metrics" in text


def test_every_published_version_is_checked():
    published = [entry(v1, 1), entry(v2_optional, 2), entry(v2_other_type, 5)]
    conflicts = find_conflicts([entry(v2_optional, 3)], published)
    assert {c.published_version for c in conflicts} == {5}


def test_untyped_sides_need_no_schema_check():
    def explode(reader, writer):
        raise AssertionError("must not be called")

    assert find_conflicts([entry(untyped, 2)], [entry(v1, 1)], explode) == []
    assert find_conflicts([entry(v1, 2)], [entry(untyped, 1)], explode) == []


def test_other_pipelines_and_schema_entries_are_ignored():
    other = entry(v2_other_type, 1, name="other")
    schema = schema_entry("crc64:0011223344556677", "long")
    assert schema.kind is CatalogKind.SCHEMA
    assert find_conflicts([entry(v1, 1)], [other, schema]) == []


def test_a_checker_failure_refuses_with_the_reason():
    def broken(reader, writer):
        raise ValueError("cannot compare")

    conflicts = find_conflicts([entry(v2_optional, 2)], [entry(v1, 1)], broken)
    assert "cannot be compared: ValueError: cannot compare" in str(conflicts[0])


def test_refusal_lists_every_conflict():
    conflicts = find_conflicts(
        [entry(v2_required, 2), entry(v2_optional, 1, name="other")],
        [entry(v1, 1), entry(v1, 1, name="other")],
    )
    refused = CatalogRefused(conflicts)
    assert len(refused.conflicts) == 2
    assert str(refused).startswith("refusing to start: 2 catalogue conflict(s):")
    assert "'train'" in str(refused) and "'other'" in str(refused)
    assert EXIT_REFUSED == 2


@pytest.mark.parametrize("own_version", [1, 2])
def test_a_runner_is_never_in_conflict_with_its_own_entries(own_version):
    mine = entry(v2_optional, own_version)
    assert find_conflicts([mine], [mine]) == []


# The reverse direction: runners still at the published version must read our calls, and our
# callers must read their results. Only warned about (find_forward_problems), never refused.


def v2_dropped_required(epochs: int = 5) -> float:
    return 0.0


def test_removed_required_parameter_starts_but_is_a_forward_problem():
    own, published = [entry(v2_dropped_required, 2)], [entry(v1, 1)]
    assert find_conflicts(own, published) == []
    problems = find_forward_problems(own, published)
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.pipeline, problem.version, problem.published_version, problem.direction) == ("train", 2, 1, "arguments")
    assert "'dataset'" in problem.problem
    text = str(problem)
    assert text.startswith("pipeline 'train': version 2 calls that reach a runner still at version 1 fail: field 'dataset'")
    assert "finish the rollout of version 2 runners before clients use version 2, or give the field a default" in text


def test_added_result_field_without_default_is_a_forward_problem():
    # Version 2 callers expect 'loss'; a version 1 runner does not write it.
    own, published = [entry(result_grown, 2)], [entry(result_old, 1)]
    assert find_conflicts(own, published) == []
    [problem] = find_forward_problems(own, published)
    assert problem.direction == "result" and "'loss'" in problem.problem
    assert "version 2 calls that reach a runner still at version 1 return a result version 2 callers cannot read" in str(problem)


def test_a_newer_published_version_is_named_without_still():
    [problem] = find_forward_problems([entry(result_grown, 1)], [entry(result_old, 2)])
    assert "reach a runner at version 2" in str(problem)


@pytest.mark.parametrize(
    ("own", "published"),
    [
        (entry(v2_optional, 2), entry(v1, 1)),  # a new optional parameter: old runners ignore it
        (entry(result_grown_optional, 2), entry(result_old, 1)),  # a new result field with a default
        (entry(v1, 1), entry(v1, 1, runner="b")),  # same version: not compared
        (entry(untyped, 2), entry(v1, 1)),  # untyped side: any value is read
        (entry(v1, 2), entry(untyped, 1)),
    ],
)
def test_no_forward_problem(own, published):
    assert find_forward_problems([own], [published]) == []


def test_forward_problems_ignore_other_names_and_schema_entries():
    published = [entry(v1, 1, name="other"), schema_entry("train", "long")]
    assert find_forward_problems([entry(v2_dropped_required, 2)], published) == []


def test_forward_problems_of_each_published_version_in_version_order():
    problems = find_forward_problems([entry(v2_dropped_required, 3)], [entry(v1, 2), entry(v1, 1)])
    assert [p.published_version for p in problems] == [1, 2]
