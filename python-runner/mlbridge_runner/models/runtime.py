"""One runner's models: the view of the model topic, the loaded-model cache and the saver."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .artifacts import ModelArtifacts
from .cache import LoadedModel, ModelCache
from .formats import ModelFormats
from .records import ModelVersion
from .saver import ModelSaver
from .view import ModelView

#: Request header pinning the version a call receives (``invoke(..., {modelVersion: 3})``).
MODEL_VERSION_HEADER = "mlbridge-model-version"


class ModelRuntime:
    """``get`` for inference calls, ``saver`` for training runs. A newly current version is loaded
    in the background as soon as the view learns of it, so calls switch to it without waiting."""

    def __init__(
        self,
        artifacts: ModelArtifacts,
        publish: Callable[[ModelVersion], None],
        formats: ModelFormats | None = None,
        warm: bool = True,
    ) -> None:
        self.formats = formats if formats is not None else ModelFormats()
        self.view = ModelView(on_change=self._changed if warm else None)
        self.cache = ModelCache(self.view, artifacts, self.formats)
        self._artifacts = artifacts
        self._publish = publish

    def _changed(self, name: str) -> None:
        self.cache.warm(name)

    def get(self, name: str, pinned: int | None = None) -> LoadedModel:
        return self.cache.get(name, pinned)

    def saver(self, created_by: str = "") -> ModelSaver:
        return ModelSaver(self.view, self._artifacts, self.formats, self._publish, created_by)


def pinned_version(headers: Mapping[str, Any] | None) -> int | None:
    """The version a request pins through :data:`MODEL_VERSION_HEADER`, if any."""
    raw = (headers or {}).get(MODEL_VERSION_HEADER)
    if raw is None:
        return None
    text = raw.decode() if isinstance(raw, (bytes, bytearray)) else str(raw)
    try:
        version = int(text)
    except ValueError:
        return None
    return version if version >= 1 else None
