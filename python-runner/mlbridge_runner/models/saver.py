"""``progress.save_model(name, obj, metrics=...)``: a new immutable version, stored then published."""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping

from .artifacts import ModelArtifacts, sha256_hex
from .errors import ArtifactExists, ModelError
from .formats import ModelFormats
from .records import ModelVersion
from .view import ModelView

_MAX_RACES = 20


def _metrics(metrics: Mapping[str, Any] | None, name: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in (metrics or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ModelError(f"model {name!r}: metric {key!r} must be a number, got {type(value).__name__}", name)
        out[str(key)] = float(value)
    return out


class ModelSaver:
    """Serializes, stores (the version number is claimed by the store's create-if-absent, so two
    runners saving the same model at once get different versions) and publishes the record."""

    def __init__(
        self,
        view: ModelView,
        artifacts: ModelArtifacts,
        formats: ModelFormats,
        publish: Callable[[ModelVersion], None],
        created_by: str = "",
    ) -> None:
        self._view = view
        self._artifacts = artifacts
        self._formats = formats
        self._publish = publish
        self._created_by = created_by

    def save(
        self, name: str, obj: Any, metrics: Mapping[str, Any] | None = None, format: str | None = None
    ) -> ModelVersion:
        from ..registry import validate_name

        validate_name(name)
        checked = _metrics(metrics, name)
        fmt, data = self._formats.dumps(obj, format)
        version = self._view.next_version(name)
        for _ in range(_MAX_RACES):
            try:
                uri = self._artifacts.put(f"{name}/v{version}", data)
                break
            except ArtifactExists:
                version += 1
        else:
            raise ModelError(f"model {name!r}: could not claim a version number", name)
        record = ModelVersion(
            name, version, fmt, uri, len(data), sha256_hex(data), checked, int(time.time() * 1000), self._created_by
        )
        self._publish(record)
        self._view.apply(record)
        return record
