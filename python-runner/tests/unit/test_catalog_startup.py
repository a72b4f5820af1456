"""The runner's catalogue start-up order, with the broker-facing parts replaced by fakes."""

from __future__ import annotations

import threading

import pytest

from mlbridge_runner import Registry
from mlbridge_runner.catalog import startup
from mlbridge_runner.catalog.compatibility import CatalogRefused
from mlbridge_runner.catalog.entries import pipeline_entry
from mlbridge_runner.catalog.view import CatalogUnavailable
from mlbridge_runner.config import RunnerConfig
from mlbridge_runner.transport.topics import TopicSetupError


def make_registry(version: int = 1, required: bool = False) -> Registry:
    registry = Registry()
    if required:

        def add(a: int, c: int) -> int:
            return a + c

    else:

        def add(a: int) -> int:  # type: ignore[misc]
            return a

    registry.register(add, "add", version=version)
    return registry


class FakeView:
    instances: list["FakeView"] = []

    def __init__(self, published=(), failures: int = 0) -> None:
        self.published = list(published)
        self.failures = failures
        self.started = False
        self.closed = False
        self.skipped = 0
        FakeView.instances.append(self)

    def catch_up(self, timeout_s):
        if self.failures:
            self.failures -= 1
            raise CatalogUnavailable("not yet")

    def entries(self):
        return self.published

    def pipelines(self):
        return self.published

    def start(self):
        self.started = True

    def close(self):
        self.closed = True


@pytest.fixture
def fakes(monkeypatch):
    state = {"published": [], "view_args": {}, "topic_failures": 0, "sent": []}

    def ensure(admin, topic, timeout=10.0, replication_factor=None):
        if state["topic_failures"]:
            state["topic_failures"] -= 1
            raise TopicSetupError("broker away")
        return True

    def view(settings, topic, store=None):
        return FakeView(state["published"], **state["view_args"])

    def publish(settings, topic, entries, timeout_s=15.0):
        state["sent"].append((topic, [e.key for e in entries]))

    monkeypatch.setattr(startup, "ensure_catalog_topic", ensure)
    monkeypatch.setattr(startup, "CatalogView", view)
    monkeypatch.setattr(startup, "publish_entries", publish)
    FakeView.instances.clear()
    return state


CONFIG = RunnerConfig(catalog_topic="t.catalog")


class Stop(threading.Event):
    """The retry back-off does not really wait in these tests."""

    def wait(self, timeout=None):
        return self.is_set()


def test_publishes_then_tails(fakes):
    view = startup.open_catalog(CONFIG, make_registry(), "me", Stop())
    assert view is FakeView.instances[0] and view.started and not view.closed
    assert fakes["sent"] == [("t.catalog", ["pipeline/add/1"])]


def test_refusal_publishes_nothing_and_closes_the_view(fakes):
    fakes["published"] = [pipeline_entry(make_registry(1)["add"])]
    with pytest.raises(CatalogRefused) as refused:
        startup.open_catalog(CONFIG, make_registry(2, required=True), "me", Stop())
    assert refused.value.conflicts[0].pipeline == "add"
    assert fakes["sent"] == [] and FakeView.instances[0].closed and not FakeView.instances[0].started


def test_waits_for_the_topic_and_the_catalogue(fakes):
    fakes["topic_failures"] = 2
    fakes["view_args"] = {"failures": 2}
    view = startup.open_catalog(CONFIG, make_registry(), "me", Stop())
    assert view is not None and view.started


def test_a_stop_while_waiting_returns_none(fakes):
    fakes["topic_failures"] = 10**6
    stop = Stop()
    original = startup.ensure_catalog_topic

    def fail_then_stop(admin, topic, timeout=10.0, replication_factor=None):
        stop.set()
        return original(admin, topic, timeout, replication_factor)

    startup.ensure_catalog_topic = fail_then_stop  # type: ignore[assignment]
    try:
        assert startup.open_catalog(CONFIG, make_registry(), "me", stop) is None
    finally:
        startup.ensure_catalog_topic = original  # type: ignore[assignment]
    assert fakes["sent"] == []


def test_stop_while_reading_closes_the_view(fakes):
    stop = Stop()
    fakes["view_args"] = {"failures": 10**6}
    original = FakeView.catch_up

    def failing(self, timeout_s):
        stop.set()
        return original(self, timeout_s)

    FakeView.catch_up = failing  # type: ignore[method-assign]
    try:
        assert startup.open_catalog(CONFIG, make_registry(), "me", stop) is None
    finally:
        FakeView.catch_up = original  # type: ignore[method-assign]
    assert FakeView.instances[0].closed and fakes["sent"] == []


def test_own_entries_are_sorted_by_name():
    registry = Registry()
    registry.register(lambda: None, "b")
    registry.register(lambda: None, "a")
    assert [e.key for e in startup.own_entries(registry, "me", 5)] == ["pipeline/a/1", "pipeline/b/1"]
    assert {e.runner for e in startup.own_entries(registry, "me", 5)} == {"me"}


def test_forward_problems_are_warned_once_each_and_the_runner_still_publishes(fakes, monkeypatch):
    from mlbridge_runner import events
    from mlbridge_runner.logging import WARNING

    logged = []
    monkeypatch.setattr(startup, "log_event", lambda level, event, **fields: logged.append((level, event, fields)))
    # Version 1 takes a required 'c' that version 2 no longer sends.
    fakes["published"] = [pipeline_entry(make_registry(1, required=True)["add"])]
    view = startup.open_catalog(CONFIG, make_registry(2), "me", Stop())
    assert view is not None and view.started
    assert fakes["sent"] == [("t.catalog", ["pipeline/add/2"])]
    warned = [(level, fields) for level, event, fields in logged if event == events.CATALOG_FORWARD_INCOMPATIBLE]
    assert len(warned) == 1
    level, fields = warned[0]
    assert level == WARNING
    assert {k: fields[k] for k in ("topic", "pipeline", "version", "published_version", "direction")} == {
        "topic": "t.catalog", "pipeline": "add", "version": 2, "published_version": 1, "direction": "arguments",
    }
    assert "'c'" in fields["problem"]
    assert fields["message"].startswith("pipeline 'add': version 2 calls that reach a runner still at version 1 fail: field 'c'")
    assert "finish the rollout of version 2 runners" in fields["message"]


def test_no_forward_warning_when_versions_read_each_other(fakes, monkeypatch):
    logged = []
    monkeypatch.setattr(startup, "log_event", lambda level, event, **fields: logged.append(event))
    fakes["published"] = [pipeline_entry(make_registry(1)["add"])]
    assert startup.open_catalog(CONFIG, make_registry(2), "me", Stop()) is not None
    assert "catalog.forward_incompatible" not in logged and "catalog.published" in logged
