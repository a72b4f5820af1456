"""What a runner does with the catalogue before it takes requests, in order:

1. create the compacted topic if nobody has yet;
2. read it to its end;
3. refuse to start (:class:`CatalogRefused`) if our pipelines conflict with published versions,
   and warn (``catalog.forward_incompatible``) where our calls would break on runners at another one;
4. publish our entries and wait for the broker to acknowledge them;
5. hand back the view, which from then on tails the topic in the background.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from .. import events
from ..config import RunnerConfig
from ..logging import ERROR, INFO, WARNING, kafka_logger, log_event
from ..registry import Registry
from ..transport.config import connection_settings
from ..transport.topics import TopicSetupError, ensure_catalog_topic
from .compatibility import CatalogRefused, ReadableCheck, find_conflicts, find_forward_problems
from .entries import CatalogEntry, pipeline_entry
from .publisher import CatalogPublishError, publish_entries, publisher_settings
from .view import CatalogUnavailable, CatalogView, SchemaSink, view_settings

CATCH_UP_SECONDS = 10.0
PUBLISH_SECONDS = 15.0


def own_entries(registry: Registry, runner: str = "", published_at_ms: int = 0) -> list[CatalogEntry]:
    """This registry's entries, by pipeline name."""
    return [pipeline_entry(registry[name], runner, published_at_ms) for name in registry.names()]


def _client_id(identity: str) -> str:
    return "mlbridge-catalog-" + identity.replace("/", "-")


def _retrying(stop: threading.Event, topic: str, action: Callable[[], Any]) -> bool:
    """Run ``action`` until it succeeds (``True``) or ``stop`` is set (``False``)."""
    attempt = 0
    while not stop.is_set():
        attempt += 1
        try:
            action()
            return True
        except (TopicSetupError, CatalogUnavailable) as exc:
            log_event(WARNING, events.CATALOG_WAITING, topic=topic, error=str(exc), attempt=attempt)
            stop.wait(min(5.0, 0.5 * attempt))
    return False


def open_catalog(
    config: RunnerConfig,
    registry: Registry,
    identity: str,
    stop: threading.Event,
    store: SchemaSink | None = None,
    check: ReadableCheck | None = None,
) -> CatalogView | None:
    """Steps 1–5 above. Returns the tailing view, or ``None`` if ``stop`` was set meanwhile.

    Raises :class:`CatalogRefused` (logged as ``catalog.refused``; the runner exits 2) or
    :class:`CatalogPublishError`.
    """
    topic = config.catalog_topic
    client_id = _client_id(identity)
    connection = connection_settings(config)
    admin = {**connection, "client.id": client_id, "logger": kafka_logger()}
    if not _retrying(stop, topic, lambda: ensure_catalog_topic(admin, topic, timeout=3.0, replication_factor=config.replication_factor)):
        return None
    view = CatalogView({**view_settings(config.brokers, client_id), **connection, "logger": kafka_logger()}, topic, store)
    try:
        if not _retrying(stop, topic, lambda: view.catch_up(CATCH_UP_SECONDS)):
            view.close()
            return None
        log_event(INFO, events.CATALOG_LOADED, topic=topic, entries=len(view.entries()), skipped=view.skipped)
        mine = own_entries(registry, identity, int(time.time() * 1000))
        conflicts = find_conflicts(mine, view.pipelines(), check)
        if conflicts:
            refused = CatalogRefused(conflicts)
            log_event(
                ERROR,
                events.CATALOG_REFUSED,
                topic=topic,
                message=str(refused),
                conflicts=[
                    {"pipeline": c.pipeline, "version": c.version, "published_version": c.published_version, "problem": c.problem}
                    for c in conflicts
                ],
            )
            raise refused
        for problem in find_forward_problems(mine, view.pipelines(), check):
            log_event(
                WARNING,
                events.CATALOG_FORWARD_INCOMPATIBLE,
                topic=topic,
                pipeline=problem.pipeline,
                version=problem.version,
                published_version=problem.published_version,
                direction=problem.direction,
                problem=problem.problem,
                message=str(problem),
            )
        settings = {**publisher_settings(config.brokers, client_id, PUBLISH_SECONDS), **connection, "logger": kafka_logger()}
        publish_entries(settings, topic, mine, PUBLISH_SECONDS)
        log_event(INFO, events.CATALOG_PUBLISHED, topic=topic, keys=[entry.key for entry in mine])
        view.start()
        return view
    except BaseException:
        view.close()
        raise


__all__ = ["open_catalog", "own_entries", "CatalogRefused", "CatalogPublishError"]
