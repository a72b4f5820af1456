"""Model formats: how a trained object becomes bytes and back.

No pickle by default. scikit-learn estimators go through ``skops`` (a format that loads only types
it was told to trust), numpy arrays through ``.npz`` (``allow_pickle=False``) or ``safetensors``;
anything else through save/load functions the pipeline author registers. ``joblib`` is pickle: its
loader runs whatever code the bytes name, so it is refused unless the operator started the runner
with ``--allow-pickle-models`` (``docs/models.md``).
"""

from __future__ import annotations

import importlib
import importlib.util
import io
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from .errors import MissingModelPackage, PickleModelRefused, UnknownModelFormat


def _need(module: str, package: str, fmt: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingModelPackage(
            f"the {fmt!r} model format needs the {package!r} package (pip install 'mlbridge-runner[models]')",
            package,
        ) from None


@dataclass(frozen=True)
class ModelFormat:
    """``save(obj) -> bytes``, ``load(bytes) -> obj``; ``handles(obj)`` picks it for ``save_model``
    without an explicit format; ``pickle`` marks formats whose loading executes code."""

    name: str
    save: Callable[[Any], bytes]
    load: Callable[[bytes], Any]
    handles: Callable[[Any], bool] | None = None
    pickle: bool = False


def _is_sklearn(obj: Any) -> bool:
    return any(c.__module__.split(".")[0] == "sklearn" for c in type(obj).__mro__)


def _is_arrays(obj: Any) -> bool:
    np = importlib.import_module("numpy") if _has("numpy") else None
    if np is None:
        return False
    if isinstance(obj, np.ndarray):
        return True
    return isinstance(obj, dict) and bool(obj) and all(
        isinstance(k, str) and isinstance(v, np.ndarray) for k, v in obj.items()
    )


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _skops_save(obj: Any) -> bytes:
    sio = _need("skops.io", "skops", "skops")
    return bytes(sio.dumps(obj))


def _skops_load(data: bytes) -> Any:
    sio = _need("skops.io", "skops", "skops")
    # Only the types skops itself lists as untrusted-but-present are refused unless they are all
    # scikit-learn / numpy / scipy ones: an artifact naming any other type is not loaded.
    untrusted = sio.get_untrusted_types(data=data)
    foreign = [t for t in untrusted if t.split(".")[0] not in ("sklearn", "numpy", "scipy", "builtins")]
    if foreign:
        raise PickleModelRefused(f"skops artifact names types outside scikit-learn/numpy/scipy: {foreign}")
    return sio.loads(data, trusted=untrusted)


_SINGLE = "__array__"


def _npz_save(obj: Any) -> bytes:
    np = _need("numpy", "numpy", "npz")
    arrays = {_SINGLE: obj} if isinstance(obj, np.ndarray) else dict(obj)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _npz_load(data: bytes) -> Any:
    np = _need("numpy", "numpy", "npz")
    with np.load(io.BytesIO(data), allow_pickle=False) as found:
        arrays = {k: found[k] for k in found.files}
    return arrays[_SINGLE] if list(arrays) == [_SINGLE] else arrays


def _safetensors_save(obj: Any) -> bytes:
    st = _need("safetensors.numpy", "safetensors", "safetensors")
    np = _need("numpy", "numpy", "safetensors")
    arrays = {_SINGLE: obj} if isinstance(obj, np.ndarray) else dict(obj)
    return bytes(st.save({k: np.ascontiguousarray(v) for k, v in arrays.items()}))


def _safetensors_load(data: bytes) -> Any:
    st = _need("safetensors.numpy", "safetensors", "safetensors")
    arrays = dict(st.load(data))
    return arrays[_SINGLE] if list(arrays) == [_SINGLE] else arrays


def _joblib_save(obj: Any) -> bytes:
    joblib = _need("joblib", "joblib", "joblib")
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    return buffer.getvalue()


def _joblib_load(data: bytes) -> Any:
    joblib = _need("joblib", "joblib", "joblib")
    return joblib.load(io.BytesIO(data))


class ModelFormats:
    """Name → :class:`ModelFormat`; the built-in ones plus those a pipeline author registers.
    ``allow_pickle`` is the operator's ``--allow-pickle-models``."""

    def __init__(self, allow_pickle: bool = False) -> None:
        self.allow_pickle = allow_pickle
        self._formats: dict[str, ModelFormat] = {}
        for fmt in (
            ModelFormat("skops", _skops_save, _skops_load, _is_sklearn),
            ModelFormat("npz", _npz_save, _npz_load, _is_arrays),
            ModelFormat("safetensors", _safetensors_save, _safetensors_load),
            ModelFormat("joblib", _joblib_save, _joblib_load, pickle=True),
        ):
            self._formats[fmt.name] = fmt

    def register(
        self,
        name: str,
        save: Callable[[Any], bytes],
        load: Callable[[bytes], Any],
        handles: Callable[[Any], bool] | None = None,
    ) -> None:
        """Add a format; registered ones are tried before the built-in ones when choosing."""
        if name in self._formats:
            raise ValueError(f"a model format named {name!r} is already registered")
        self._formats = {name: ModelFormat(name, save, load, handles), **self._formats}

    def names(self) -> list[str]:
        return list(self._formats)

    def get(self, name: str) -> ModelFormat:
        try:
            return self._formats[name]
        except KeyError:
            raise UnknownModelFormat(f"unknown model format {name!r} (known: {self.names()})") from None

    def choose(self, obj: Any) -> ModelFormat:
        """The format ``save_model`` uses for ``obj`` when none is named. Never a pickle one."""
        for fmt in self._formats.values():
            if fmt.handles is not None and not fmt.pickle and fmt.handles(obj):
                return fmt
        raise UnknownModelFormat(
            f"no model format saves a {type(obj).__qualname__}: register one with "
            "mlbridge_runner.models.register_model_format(name, save, load, handles) or pass format="
        )

    def dumps(self, obj: Any, format: str | None = None) -> tuple[str, bytes]:
        fmt = self.choose(obj) if format is None else self.get(format)
        return fmt.name, fmt.save(obj)

    def loads(self, format: str, data: bytes, name: str | None = None, version: int | None = None) -> Any:
        fmt = self.get(format)
        if fmt.pickle and not self.allow_pickle:
            raise PickleModelRefused(
                f"model {name!r} version {version} is in the pickle-based {format!r} format; loading it "
                "runs code chosen by whoever wrote it — start the runner with --allow-pickle-models "
                "only if every writer of the model store is trusted",
                name,
                version,
            )
        return fmt.load(data)
