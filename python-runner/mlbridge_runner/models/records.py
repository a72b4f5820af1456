"""The records of the compacted model topic (``schemas/model.avsc``), single-object framed."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from fastavro import parse_schema
from fastavro.schema import to_parsing_canonical_form

from ..codec.crc64 import fingerprint_bytes
from ..codec.envelopes import read_framed, write_framed
from ..codec.schemas import WireSchema, find_schema_dir
from ..errors import BodyDecodeError, FramingError
from .errors import BadModelRecord

LATEST: Final = "latest"


def model_topic_for(request_topic: str) -> str:
    """The compacted topic of model versions next to a request topic."""
    return f"{request_topic}.models"


@dataclass(frozen=True)
class ModelVersion:
    """One immutable saved version (``tag`` None), or a tag pointing at ``version``."""

    name: str
    version: int
    format: str
    uri: str
    size: int
    sha256: str
    metrics: dict[str, float] = field(default_factory=dict)
    created_at_ms: int = 0
    created_by: str = ""
    tag: str | None = None

    @property
    def key(self) -> str:
        """The compaction key: ``name/version`` or ``name/tag``."""
        return f"{self.name}/{self.tag if self.tag is not None else self.version}"


def _find_model_schema() -> Path:
    packaged = find_schema_dir()
    for candidate in [packaged, *(p / "schemas" for p in Path(__file__).resolve().parents)]:
        if (candidate / "model.avsc").is_file():
            return candidate / "model.avsc"
    raise BadModelRecord(f"schemas/model.avsc not found next to {packaged}")


@functools.lru_cache(maxsize=1)
def model_schema() -> WireSchema:
    raw = json.loads(_find_model_schema().read_text(encoding="utf-8"))
    canonical = to_parsing_canonical_form(raw)
    return WireSchema("model", raw, parse_schema(raw, named_schemas={}), canonical, fingerprint_bytes(canonical))


def _to_wire(v: ModelVersion) -> dict[str, Any]:
    return {
        "kind": "VERSION" if v.tag is None else "TAG",
        "name": v.name,
        "version": v.version,
        "tag": v.tag,
        "format": v.format,
        "uri": v.uri,
        "size": v.size,
        "sha256": v.sha256,
        "metrics": dict(v.metrics),
        "createdAtMs": v.created_at_ms,
        "createdBy": v.created_by,
    }


def encode_model_record(v: ModelVersion) -> bytes:
    return write_framed(model_schema(), _to_wire(v))


def decode_model_record(data: bytes) -> ModelVersion:
    """Unframe and decode; raises :class:`BadModelRecord` naming the problem."""
    try:
        d = read_framed(model_schema(), data)
    except (FramingError, BodyDecodeError) as exc:
        raise BadModelRecord(f"not a model record: {exc}") from None
    return ModelVersion(
        name=d["name"],
        version=d["version"],
        format=d["format"],
        uri=d["uri"],
        size=d["size"],
        sha256=d["sha256"],
        metrics=dict(d["metrics"]),
        created_at_ms=d["createdAtMs"],
        created_by=d["createdBy"],
        tag=d["tag"] if d["kind"] == "TAG" else None,
    )
