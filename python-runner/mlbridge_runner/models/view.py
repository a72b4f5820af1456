"""What the model topic says now: every version of every model and where its tags point."""

from __future__ import annotations

import threading
from typing import Callable

from .errors import ModelNotFound
from .records import LATEST, ModelVersion


class ModelView:
    """Folded from the model topic's records (in any order: a version record and a tag record
    are independent keys). Thread-safe; ``on_change(name)`` runs after a record changed ``name``'s
    resolved version, outside the lock."""

    def __init__(self, on_change: Callable[[str], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._versions: dict[str, dict[int, ModelVersion]] = {}
        self._tags: dict[str, dict[str, int]] = {}
        self._on_change = on_change

    def apply(self, record: ModelVersion) -> None:
        with self._lock:
            before = self._current(record.name)
            if record.tag is None:
                self._versions.setdefault(record.name, {})[record.version] = record
            else:
                self._tags.setdefault(record.name, {})[record.tag] = record.version
            after = self._current(record.name)
        if before != after and self._on_change is not None:
            self._on_change(record.name)

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._versions)

    def versions(self, name: str) -> list[ModelVersion]:
        """Oldest first."""
        with self._lock:
            found = self._versions.get(name, {})
            return [found[v] for v in sorted(found)]

    def tags(self, name: str) -> dict[str, int]:
        with self._lock:
            return dict(self._tags.get(name, {}))

    def next_version(self, name: str) -> int:
        with self._lock:
            return max(self._versions.get(name, {}), default=0) + 1

    def current(self, name: str) -> int | None:
        """The version an unpinned call receives: the ``latest`` tag's, else the newest."""
        with self._lock:
            return self._current(name)

    def resolve(self, name: str, pinned: int | None = None) -> ModelVersion:
        """The record of ``pinned`` or of the current version; :class:`ModelNotFound` otherwise."""
        with self._lock:
            version = pinned if pinned is not None else self._current(name)
            found = self._versions.get(name, {}).get(version) if version is not None else None
        if found is None:
            what = f"version {pinned}" if pinned is not None else "any version"
            raise ModelNotFound(f"model {name!r}: {what} has not been published", name, pinned)
        return found

    def _current(self, name: str) -> int | None:
        versions = self._versions.get(name)
        tagged = self._tags.get(name, {}).get(LATEST)
        if tagged is not None and versions and tagged in versions:
            return tagged
        return max(versions) if versions else None
