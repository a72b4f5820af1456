"""Loaded models, cached per runner process.

A call asks for its model once, when it starts, and keeps that object for its whole run: a newer
version published meanwhile is served to the calls that start after it, never swapped under a
running one. :meth:`ModelCache.warm` loads a newly published version in the background so the
first call after a publish does not pay for the load.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from .artifacts import ModelArtifacts
from .formats import ModelFormats
from .records import ModelVersion
from .view import ModelView


@dataclass(frozen=True)
class LoadedModel:
    record: ModelVersion
    obj: Any

    @property
    def version(self) -> int:
        return self.record.version


class ModelCache:
    """(name, version) → loaded object; at most ``keep`` versions per name stay loaded (the
    current one is never evicted; a call still running keeps its own reference anyway)."""

    def __init__(self, view: ModelView, artifacts: ModelArtifacts, formats: ModelFormats, keep: int = 3) -> None:
        self.view = view
        self._artifacts = artifacts
        self._formats = formats
        self._keep = max(1, keep)
        self._lock = threading.Lock()
        self._loaded: OrderedDict[tuple[str, int], LoadedModel] = OrderedDict()
        self._loading: dict[tuple[str, int], threading.Lock] = {}

    def get(self, name: str, pinned: int | None = None) -> LoadedModel:
        """The model for a call starting now. Raises a :class:`~.errors.ModelError` subclass."""
        record = self.view.resolve(name, pinned)
        key = (name, record.version)
        with self._lock:
            hit = self._loaded.get(key)
            if hit is not None:
                self._loaded.move_to_end(key)
                return hit
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:  # one load per version, however many calls wait for it
            with self._lock:
                hit = self._loaded.get(key)
            if hit is not None:
                return hit
            data = self._artifacts.load(record)
            loaded = LoadedModel(record, self._formats.loads(record.format, data, name, record.version))
            with self._lock:
                self._loaded[key] = loaded
                self._loading.pop(key, None)
                self._evict(name)
            return loaded

    def warm(self, name: str) -> threading.Thread:
        """Load ``name``'s current version in a background thread (errors surface on ``get``)."""

        def run() -> None:
            try:
                self.get(name)
            except Exception:  # noqa: BLE001 - the call that needs it reports the error
                pass

        thread = threading.Thread(target=run, name=f"mlbridge-model-warm-{name}", daemon=True)
        thread.start()
        return thread

    def loaded_versions(self, name: str) -> list[int]:
        with self._lock:
            return sorted(v for (n, v) in self._loaded if n == name)

    def _evict(self, name: str) -> None:
        current = self.view.current(name)
        mine = [k for k in self._loaded if k[0] == name]
        for key in mine[: max(0, len(mine) - self._keep)]:
            if key[1] != current:
                del self._loaded[key]
