"""Why a pipeline was left untyped (``PipelineContract.untyped_reason``), and the ``pipeline.untyped``
line the runner logs at start so a forgotten ``-> T`` does not silently cost the types."""

from __future__ import annotations

from typing import Any

import pytest

from mlbridge_runner import Registry
from mlbridge_runner.contract.hints import UnresolvedHints


def register(fn, **options):
    registry = Registry()
    registry.register(fn, "p", **options)
    return registry["p"].contract


def no_return(a: int):
    return a


def bare_param(a: int, b) -> int:  # noqa: ANN001
    return a


def any_param(a: int, b: Any) -> int:
    return a


def object_result(a: int) -> object:
    return a


def bare_list(a: list) -> int:
    return 0


def bare_dict_result(a: int) -> dict:
    return {}


def nested_any(a: dict[str, Any]) -> int:
    return 0


def kwargs(a: int, **more: int) -> int:
    return a


def varargs(*a: int) -> int:
    return 0


def any_beats_unsupported(a: set[int], b: Any) -> int:
    return 0


def typed(a: int, b: int = 0) -> int:
    return a + b


@pytest.mark.parametrize(
    ("fn", "reason"),
    [
        (no_return, "no return annotation"),
        (bare_param, "parameter 'b' has no annotation"),
        (any_param, "parameter 'b' is annotated Any, which allows any value"),
        (object_result, "the return value is annotated object, which allows any value"),
        (bare_list, "parameter 'a' is annotated list, which allows any value"),
        (bare_dict_result, "the return value is annotated dict, which allows any value"),
        (nested_any, "parameter 'a' is annotated dict[str, Any], whose Any allows any value"),
        (kwargs, "parameter 'more' is *args/**kwargs"),
        (varargs, "parameter 'a' is *args/**kwargs"),
        (any_beats_unsupported, "parameter 'b' is annotated Any, which allows any value"),
        (lambda: None, "no return annotation"),
    ],
)
def test_the_reason_names_the_place(fn, reason):
    contract = register(fn)
    assert contract.typed is False
    assert contract.untyped_reason == reason


def unresolved(a: "Missing") -> int:  # noqa: F821
    return 0


def test_unresolvable_hints_give_their_error_as_reason():
    with pytest.warns(UnresolvedHints):
        contract = register(unresolved)
    assert contract.untyped_reason is not None
    assert contract.untyped_reason.startswith("its type hints cannot be resolved (NameError") and "Missing" in contract.untyped_reason


@pytest.mark.parametrize("fn", [typed, lambda: 1])
def test_typed_pipelines_have_no_reason(fn):
    if fn is typed:
        assert register(fn).untyped_reason is None
    else:  # an explicit schema on both sides is typed whatever the hints say
        contract = register(fn, args_schema={"type": "record", "name": "Args", "fields": []}, result_schema="long")
        assert contract.typed and contract.untyped_reason is None


def test_the_reason_is_not_part_of_the_contract():
    # Two untyped pipelines have one contract whatever made them untyped (catalogue comparisons).
    assert register(no_return) == register(bare_param)

