"""@pipeline(model=...) through the dispatcher: the model is injected at prepare, never taken from the
caller, pinned by the request header; save_model reaches the store through Progress."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlbridge_runner import Progress, Registry
from mlbridge_runner.codec.envelopes import RequestEnvelope
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import decode_value, encode_value
from mlbridge_runner.errors import RegistryError
from mlbridge_runner.models import DirectoryArtifacts, ModelFormats, ModelRuntime, ModelVersion
from mlbridge_runner.runner.dispatch import Dispatcher, Rejected, execute

REF = wire_schemas().value.reference


def _registry(tmp_path: Path | None) -> tuple[Registry, list[ModelVersion]]:
    registry = Registry()
    published: list[ModelVersion] = []
    if tmp_path is not None:
        registry.models = ModelRuntime(DirectoryArtifacts(tmp_path), published.append, ModelFormats(), warm=False)

    @registry.pipeline("scale", model="m")
    def scale(x: float, model=None) -> float:  # type: ignore[no-untyped-def]
        return float(model[0]) * x

    @registry.pipeline("untyped_scale", model="m")
    def untyped_scale(x, model=None):  # type: ignore[no-untyped-def]
        return float(model[0]) * x

    @registry.pipeline("train")
    def train(v: float, progress: Progress) -> int:
        return progress.save_model("m", np.array([v])).version

    return registry, published


def _call(dispatcher: Dispatcher, name: str, args: dict, headers: dict | None = None) -> object:
    request = RequestEnvelope(id="r-1", pipeline=name, args=encode_value(args, root="args"), args_schema=REF,
                              reply_to="t", headers=headers or {})
    outcome = execute(dispatcher.prepare(request))
    assert outcome.error is None, outcome.error
    return decode_value(outcome.result, root="result")


def test_save_then_use_then_pin(tmp_path: Path) -> None:
    registry, published = _registry(tmp_path)
    dispatcher = Dispatcher(registry, REF)
    assert _call(dispatcher, "train", {"v": 2.0}) == 1
    assert _call(dispatcher, "train", {"v": 3.0}) == 2
    assert [p.created_by for p in published] == ["r-1", "r-1"]
    for name in ("scale", "untyped_scale"):
        assert _call(dispatcher, name, {"x": 10.0}) == 30.0
        assert _call(dispatcher, name, {"x": 10.0}, {"mlbridge-model-version": "1"}) == 20.0


def test_model_is_not_a_caller_argument_and_not_in_the_contract(tmp_path: Path) -> None:
    registry, _ = _registry(tmp_path)
    assert [f["name"] for f in registry["scale"].contract.args_schema["fields"]] == ["x"]
    dispatcher = Dispatcher(registry, REF)
    _call(dispatcher, "train", {"v": 1.0})
    request = RequestEnvelope(id="r-2", pipeline="untyped_scale", args=encode_value({"x": 1.0, "model": 5}, root="args"),
                              args_schema=REF, reply_to="t")
    with pytest.raises(Rejected) as refused:
        dispatcher.prepare(request)
    assert "the model the runner loads" in refused.value.error.message


def test_without_a_store_or_a_version_the_call_is_refused_by_name(tmp_path: Path) -> None:
    for path, expected in ((None, "no model store"), (tmp_path, "has not been published")):
        registry, _ = _registry(path)
        request = RequestEnvelope(id="r-3", pipeline="scale", args=encode_value({"x": 1.0}, root="args"),
                                  args_schema=REF, reply_to="t")
        with pytest.raises(Rejected) as refused:
            Dispatcher(registry, REF).prepare(request)
        assert expected in refused.value.error.message and refused.value.error.code == "PIPELINE_ERROR"


def test_model_option_needs_a_model_parameter() -> None:
    with pytest.raises(RegistryError, match="parameter named 'model'"):
        Registry().register(lambda x: x, "bad", model="m")


def test_save_model_outside_a_runner_says_why() -> None:
    with pytest.raises(Exception, match="no model store"):
        Progress().save_model("m", np.zeros(1))
