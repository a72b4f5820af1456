"""``register_model_format``: the pipeline author's own save/load functions, declared at import time
next to the pipelines (kept on the registry, the one global the runner has)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .formats import ModelFormat, ModelFormats

if TYPE_CHECKING:
    from ..registry import Registry


def register_model_format(
    name: str,
    save: Callable[[Any], bytes],
    load: Callable[[bytes], Any],
    handles: Callable[[Any], bool] | None = None,
    registry: Registry | None = None,
) -> None:
    """Teach ``save_model`` and model pipelines a format: ``save(obj) -> bytes``, ``load(bytes) -> obj``;
    ``handles(obj)`` lets ``save_model`` pick it without ``format=``. Registered formats are tried
    before the built-in ones. Never register a loader that unpickles: see docs/models.md."""
    from ..registry import default_registry

    target = default_registry if registry is None else registry
    ModelFormats().register(name, save, load, handles)  # the same checks, now rather than at start
    if any(f.name == name for f in target.model_formats):
        raise ValueError(f"a model format named {name!r} is already registered")
    target.model_formats = [*target.model_formats, ModelFormat(name, save, load, handles)]


def formats_for(registry: Registry, allow_pickle: bool) -> ModelFormats:
    formats = ModelFormats(allow_pickle)
    for fmt in registry.model_formats:
        formats.register(fmt.name, fmt.save, fmt.load, fmt.handles)
    return formats
