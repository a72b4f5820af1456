"""Find, load and parse the wire schemas once.

Looked for in ``mlbridge_runner/schemas/`` (the copy made by ``scripts/sync-schemas.sh`` and shipped
in the package), otherwise in the nearest ``schemas/`` folder above the package (the repository
or the npm package root).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fastavro import parse_schema
from fastavro.schema import to_parsing_canonical_form

from ..errors import SchemaNotFound
from .crc64 import fingerprint_bytes

NAMES: Final = ("value", "request", "reply", "catalog", "job", "presence")
#: Loaded too, but not part of fingerprints.json's set: its vectors are in schemas/vectors/data.json.
EXTRA_NAMES: Final = ("value-v2",)
_PACKAGE_DIR: Final = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class WireSchema:
    """One parsed schema and its single-object fingerprint."""

    name: str
    raw: dict[str, Any]
    parsed: Any
    canonical_form: str
    fingerprint: bytes

    @property
    def reference(self) -> str:
        """``crc64:<hex>``, the form used in ``Request.argsSchema`` / ``Reply.resultSchema``."""
        return f"crc64:{self.fingerprint.hex()}"


def find_schema_dir(start: Path = _PACKAGE_DIR) -> Path:
    """The folder holding ``request.avsc``, ``reply.avsc``, ``value.avsc`` and ``error-codes.json``."""
    candidates = [start / "schemas"] + [parent / "schemas" for parent in start.parents]
    for candidate in candidates:
        if all((candidate / f"{name}.avsc").is_file() for name in NAMES):
            return candidate
    raise SchemaNotFound(
        "wire schemas not found in "
        + ", ".join(str(c) for c in candidates[:4])
        + " … — run scripts/sync-schemas.sh or reinstall the package"
    )


def _load(directory: Path, name: str) -> WireSchema:
    raw = json.loads((directory / f"{name}.avsc").read_text(encoding="utf-8"))
    canonical = to_parsing_canonical_form(raw)
    return WireSchema(
        name=name,
        raw=raw,
        parsed=parse_schema(raw, named_schemas={}),
        canonical_form=canonical,
        fingerprint=fingerprint_bytes(canonical),
    )


@dataclass(frozen=True)
class WireSchemas:
    directory: Path
    value: WireSchema
    request: WireSchema
    reply: WireSchema
    catalog: WireSchema
    job: WireSchema
    presence: WireSchema
    #: Value version 2 (value-v2.avsc): version 1 plus tensors and Arrow tables.
    value_v2: WireSchema

    def error_codes(self) -> dict[str, str]:
        """``error-codes.json``'s code → description, in file order."""
        data = json.loads((self.directory / "error-codes.json").read_text(encoding="utf-8"))
        return dict(data["codes"])


@functools.lru_cache(maxsize=1)
def wire_schemas() -> WireSchemas:
    """The wire schemas, loaded and parsed once per process."""
    directory = find_schema_dir()
    return WireSchemas(directory, *(_load(directory, name) for name in NAMES + EXTRA_NAMES))
