"""Models: formats (no pickle by default), the topic records, the registry view, the cache/swap
semantics and saving through the store."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import numpy as np
import pytest

from mlbridge_runner.models import (
    DirectoryArtifacts,
    LATEST,
    ModelArtifactCorrupt,
    ModelFormats,
    ModelNotFound,
    ModelRuntime,
    ModelVersion,
    ModelView,
    PickleModelRefused,
    UnknownModelFormat,
    decode_model_record,
    encode_model_record,
    pinned_version,
)
from mlbridge_runner.models.errors import BadModelRecord


def _runtime(tmp_path: Path, allow_pickle: bool = False) -> tuple[ModelRuntime, list[ModelVersion]]:
    published: list[ModelVersion] = []
    runtime = ModelRuntime(DirectoryArtifacts(tmp_path), published.append, ModelFormats(allow_pickle), warm=False)
    return runtime, published


# ------------------------------------------------------------------ formats


def test_npz_round_trips_one_array_and_a_dict_of_arrays() -> None:
    formats = ModelFormats()
    single = np.arange(12, dtype=np.float32).reshape(3, 4)
    name, data = formats.dumps(single)
    assert name == "npz"
    back = formats.loads(name, data)
    assert back.dtype == np.float32 and np.array_equal(back, single)
    weights = {"w": np.ones((2, 2)), "b": np.array([np.nan, np.inf])}
    back2 = formats.loads(*formats.dumps(weights))
    assert set(back2) == {"w", "b"} and np.array_equal(back2["w"], weights["w"])
    assert np.isnan(back2["b"][0]) and np.isinf(back2["b"][1])


def test_npz_refuses_object_arrays_on_load() -> None:
    formats = ModelFormats()
    data = formats.get("npz").save({"o": np.array([{"a": 1}], dtype=object)})
    with pytest.raises(ValueError):
        formats.loads("npz", data)


def test_safetensors_round_trip() -> None:
    pytest.importorskip("safetensors")
    formats = ModelFormats()
    arrays = {"w": np.arange(6, dtype=np.int16).reshape(2, 3)}
    back = formats.loads("safetensors", formats.dumps(arrays, "safetensors")[1])
    assert np.array_equal(back["w"], arrays["w"]) and back["w"].dtype == np.int16


def test_sklearn_estimator_goes_through_skops() -> None:
    pytest.importorskip("skops")
    ensemble = pytest.importorskip("sklearn.ensemble")
    x = np.random.default_rng(0).normal(size=(200, 3))
    model = ensemble.IsolationForest(n_estimators=10, random_state=0).fit(x)
    formats = ModelFormats()
    name, data = formats.dumps(model)
    assert name == "skops"
    back = formats.loads(name, data)
    assert np.array_equal(back.predict(x), model.predict(x))


def test_joblib_is_never_chosen_and_refused_without_the_flag() -> None:
    pytest.importorskip("joblib")
    data = ModelFormats().get("joblib").save({"any": "object"})
    with pytest.raises(PickleModelRefused, match="allow-pickle-models"):
        ModelFormats().loads("joblib", data, "m", 1)
    assert ModelFormats(allow_pickle=True).loads("joblib", data) == {"any": "object"}


def test_an_object_no_format_handles_names_the_way_out() -> None:
    with pytest.raises(UnknownModelFormat, match="register_model_format"):
        ModelFormats().dumps(object())
    with pytest.raises(UnknownModelFormat):
        ModelFormats().loads("nope", b"")


def test_registered_format_is_chosen_before_the_built_in_ones() -> None:
    class Rule:
        def __init__(self, limit: float) -> None:
            self.limit = limit

    formats = ModelFormats()
    formats.register("rule", lambda r: str(r.limit).encode(), lambda b: Rule(float(b)), lambda o: isinstance(o, Rule))
    name, data = formats.dumps(Rule(0.75))
    assert name == "rule" and formats.loads(name, data).limit == 0.75
    with pytest.raises(ValueError):
        formats.register("rule", bytes, bytes)


# ------------------------------------------------------------------ records


def test_record_round_trips_and_rejects_garbage() -> None:
    v = ModelVersion("det", 3, "skops", "file:///m/det/v3", 10, "ab" * 32, {"f1": 0.9}, 1700, "job-1")
    assert decode_model_record(encode_model_record(v)) == v and v.key == "det/3"
    tag = ModelVersion("det", 2, "skops", "file:///m/det/v2", 10, "cd" * 32, {}, 1800, "ops", tag=LATEST)
    assert decode_model_record(encode_model_record(tag)) == tag and tag.key == "det/latest"
    with pytest.raises(BadModelRecord):
        decode_model_record(b"\xc3\x01" + b"\x00" * 8 + b"\x07")
    with pytest.raises(BadModelRecord):
        decode_model_record(encode_model_record(v)[:-3])


# ------------------------------------------------------------------ view


def _v(version: int, tag: str | None = None) -> ModelVersion:
    return ModelVersion("m", version, "npz", f"file:///x/{version}", 1, "0", tag=tag)


def test_view_newest_unless_latest_tag_points_elsewhere() -> None:
    changes: list[str] = []
    view = ModelView(on_change=changes.append)
    with pytest.raises(ModelNotFound):
        view.resolve("m")
    view.apply(_v(1))
    view.apply(_v(2))
    assert view.current("m") == 2 and view.next_version("m") == 3
    view.apply(_v(1, LATEST))  # a rollback
    assert view.current("m") == 1 and view.resolve("m").version == 1
    assert view.resolve("m", 2).version == 2
    view.apply(_v(3))
    assert view.current("m") == 1  # a tag wins over a newer version
    view.apply(_v(9, LATEST))  # a tag at a version not seen (yet): newest is used
    assert view.current("m") == 3
    with pytest.raises(ModelNotFound, match="version 7"):
        view.resolve("m", 7)
    assert changes == ["m", "m", "m", "m"]
    assert [v.version for v in view.versions("m")] == [1, 2, 3]


def test_pinned_version_header() -> None:
    assert pinned_version({"mlbridge-model-version": b"4"}) == 4
    assert pinned_version({"mlbridge-model-version": "0"}) is None
    assert pinned_version({"mlbridge-model-version": b"x"}) is None
    assert pinned_version(None) is None


# ------------------------------------------------------------------ store, save, cache


def test_save_then_get_and_versions_are_immutable(tmp_path: Path) -> None:
    runtime, published = _runtime(tmp_path)
    saver = runtime.saver("job-7")
    first = saver.save("m", np.zeros(3), metrics={"loss": 0.5})
    second = saver.save("m", np.ones(3))
    assert [p.version for p in published] == [1, 2] and first.created_by == "job-7"
    assert first.metrics == {"loss": 0.5} and first.format == "npz"
    assert np.array_equal(runtime.get("m").obj, np.ones(3))
    assert np.array_equal(runtime.get("m", 1).obj, np.zeros(3))
    with pytest.raises(Exception, match="immutable"):
        DirectoryArtifacts(tmp_path).put("m/v1", b"other")


def test_two_savers_with_stale_views_claim_different_versions(tmp_path: Path) -> None:
    a, _ = _runtime(tmp_path)
    b, _ = _runtime(tmp_path)
    va = a.saver().save("m", np.zeros(1))
    vb = b.saver().save("m", np.ones(1))  # b's view has not seen version 1
    assert (va.version, vb.version) == (1, 2)


def test_corrupt_or_missing_artifact_is_a_typed_error(tmp_path: Path) -> None:
    runtime, _ = _runtime(tmp_path)
    record = runtime.saver().save("m", np.zeros(4))
    Path(record.uri.removeprefix("file://")).write_bytes(b"x" * record.size)
    with pytest.raises(ModelArtifactCorrupt, match="SHA-256"):
        runtime.get("m")
    Path(record.uri.removeprefix("file://")).unlink()
    with pytest.raises(ModelNotFound):
        runtime.get("m")


def test_metrics_must_be_numbers(tmp_path: Path) -> None:
    runtime, published = _runtime(tmp_path)
    with pytest.raises(Exception, match="metric 'note'"):
        runtime.saver().save("m", np.zeros(1), metrics={"note": "good"})
    assert published == []


def test_cache_loads_once_and_a_call_keeps_its_object_across_a_swap(tmp_path: Path) -> None:
    runtime, _ = _runtime(tmp_path)
    saver = runtime.saver()
    saver.save("m", np.zeros(2))
    loads: list[bytes] = []
    original = runtime.formats.get("npz").load
    runtime.formats._formats["npz"] = dataclasses.replace(
        runtime.formats.get("npz"), load=lambda b: (loads.append(b), original(b))[1]
    )
    started = [runtime.get("m") for _ in range(5)]  # calls that started on version 1
    assert len(loads) == 1 and all(s.obj is started[0].obj for s in started)
    saver.save("m", np.ones(2))
    assert runtime.get("m").version == 2 and started[0].version == 1
    assert np.array_equal(started[0].obj, np.zeros(2))  # untouched by the swap
    assert len(loads) == 2


def test_concurrent_first_gets_load_once(tmp_path: Path) -> None:
    runtime, _ = _runtime(tmp_path)
    runtime.saver().save("m", np.zeros(1000))
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(runtime.get("m").obj)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r is results[0] for r in results)


def test_warm_loads_a_new_version_before_any_call_asks(tmp_path: Path) -> None:
    published: list[ModelVersion] = []
    runtime = ModelRuntime(DirectoryArtifacts(tmp_path), published.append)
    runtime.saver().save("m", np.zeros(1))
    for _ in range(100):
        if runtime.cache.loaded_versions("m") == [1]:
            break
        threading.Event().wait(0.01)
    assert runtime.cache.loaded_versions("m") == [1]


def test_pickle_model_refused_on_get_without_flag(tmp_path: Path) -> None:
    pytest.importorskip("joblib")
    runtime, _ = _runtime(tmp_path)
    runtime.saver().save("m", {"a": 1}, format="joblib")
    with pytest.raises(PickleModelRefused):
        runtime.get("m")
    trusting, _ = _runtime(tmp_path, allow_pickle=True)
    for record in runtime.view.versions("m"):
        trusting.view.apply(record)
    assert trusting.get("m").obj == {"a": 1}


# ------------------------------------------------------------------ shared vectors


def test_shared_vectors_decode_and_encode_byte_for_byte() -> None:
    import json

    from mlbridge_runner.models.records import model_schema

    path = Path(__file__).resolve().parents[3] / "schemas" / "vectors" / "models.json"
    vectors = json.loads(path.read_text(encoding="utf-8"))
    assert vectors["fingerprint"] == model_schema().fingerprint.hex()
    assert {c["name"] for c in vectors["cases"]} >= {"version", "latest-tag"}
    for case in vectors["cases"]:
        record = decode_model_record(bytes.fromhex(case["hex"]))
        value = case["value"]
        assert (record.name, record.version, record.tag, record.metrics) == (
            value["name"], value["version"], value["tag"], value["metrics"]
        )
        assert record.key == case["key"]
        assert encode_model_record(record).hex() == case["hex"]


def test_register_model_format_reaches_the_runner_formats() -> None:
    from mlbridge_runner.models import register_model_format
    from mlbridge_runner.models.custom import formats_for
    from mlbridge_runner.registry import Registry

    registry = Registry()
    register_model_format("text", lambda o: o.encode(), lambda b: b.decode(), lambda o: isinstance(o, str), registry=registry)
    with pytest.raises(ValueError, match="already registered"):
        register_model_format("text", bytes, bytes, registry=registry)
    with pytest.raises(ValueError):
        register_model_format("npz", bytes, bytes, registry=registry)  # a built-in name
    formats = formats_for(registry, allow_pickle=False)
    assert formats.dumps("hello") == ("text", b"hello")
    assert formats.loads("text", b"hi") == "hi"
    assert Registry().model_formats == []  # registering on one registry leaves others alone
