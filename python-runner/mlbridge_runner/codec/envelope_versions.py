"""The envelope versions a reader knows (``schemas/versions/index.json``) and reading a frame of a
known version other than the current one by Avro schema resolution.

The current version never comes here: ``envelopes.py`` keeps its hand-written (and C) fast path for
today's fingerprint and asks this module only when a frame carries another one. A known older or
newer version is read with fastavro (writer = that version's schema, reader = today's), so the
caller always sees today's envelope shape; an unknown one raises :class:`UnsupportedEnvelope`,
naming the fingerprint and the versions known, for the runner to answer (``runner/undecodable.py``).
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass
from typing import Any, Final, Literal

from fastavro import parse_schema, schemaless_reader
from fastavro.schema import to_parsing_canonical_form

from ..errors import BodyDecodeError, SchemaNotFound, UnknownFingerprint
from .crc64 import fingerprint_bytes
from .schemas import WireSchema, wire_schemas

EnvelopeKind = Literal["request", "reply"]
KINDS: Final[tuple[EnvelopeKind, ...]] = ("request", "reply")


class UnsupportedEnvelope(UnknownFingerprint):
    """A request or reply frame whose fingerprint is none of the envelope versions this side knows.

    Dead-lettered as ``unknown-fingerprint`` like any unknown fingerprint; unlike other framing
    errors, a request of this kind is also answered (``UNSUPPORTED_ENVELOPE``) when its address
    can be read.
    """

    def __init__(self, kind: EnvelopeKind, fingerprint: bytes, known: "EnvelopeVersions") -> None:
        self.kind = kind
        self.fingerprint = fingerprint
        self.known = known
        super().__init__(
            f"{kind} envelope fingerprint {fingerprint.hex()} is not a version this reader knows "
            f"(it reads {known.describe()}); schemas/versions/index.json lists the published versions"
        )


@dataclass(frozen=True)
class EnvelopeVersion:
    kind: EnvelopeKind
    version: int
    #: ``published`` (written by released code) or ``synthetic`` (kept for the vectors and tests).
    status: str
    fingerprint: bytes
    raw: dict[str, Any]
    parsed: Any


@dataclass(frozen=True)
class EnvelopeVersions:
    """Every known version of one envelope, by fingerprint."""

    kind: EnvelopeKind
    current: EnvelopeVersion
    by_fingerprint: dict[bytes, EnvelopeVersion]

    def describe(self) -> str:
        """``v0 c2a8c5d36098a0f2, v1 c6bdd8d6a1a66e41 (current), …``: for error messages."""
        return ", ".join(
            f"v{v.version} {v.fingerprint.hex()}" + (" (current)" if v is self.current else "")
            for v in sorted(self.by_fingerprint.values(), key=lambda v: v.version)
        )


class EnvelopeIndexError(SchemaNotFound):
    """``schemas/versions/index.json`` is missing or contradicts the schema files it lists."""


def _load_kind(directory: Any, kind: EnvelopeKind, entry: dict[str, Any], current: WireSchema) -> EnvelopeVersions:
    versions: dict[bytes, EnvelopeVersion] = {}
    chosen: EnvelopeVersion | None = None
    for item in entry["versions"]:
        raw = json.loads((directory / item["file"]).read_text(encoding="utf-8"))
        fp = fingerprint_bytes(to_parsing_canonical_form(raw))
        if fp.hex() != item["fingerprint"]:
            raise EnvelopeIndexError(
                f"{kind} v{item['version']}: index.json says fingerprint {item['fingerprint']}, "
                f"{item['file']} has {fp.hex()}"
            )
        version = EnvelopeVersion(kind, int(item["version"]), str(item["status"]), fp, raw, parse_schema(raw, named_schemas={}))
        versions[fp] = version
        if version.version == entry["current"]:
            chosen = version
    if chosen is None or chosen.fingerprint != current.fingerprint:
        raise EnvelopeIndexError(
            f"the current {kind} version in schemas/versions/index.json is not schemas/{kind}.avsc "
            f"(fingerprint {current.fingerprint.hex()})"
        )
    return EnvelopeVersions(kind, chosen, versions)


@functools.lru_cache(maxsize=1)
def envelope_versions() -> dict[EnvelopeKind, EnvelopeVersions]:
    """The request and reply versions, loaded once per process."""
    schemas = wire_schemas()
    directory = schemas.directory / "versions"
    try:
        index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
    except OSError as exc:
        raise EnvelopeIndexError(f"{directory / 'index.json'}: {exc} — run scripts/sync-schemas.sh") from None
    current = {"request": schemas.request, "reply": schemas.reply}
    return {kind: _load_kind(directory, kind, index[kind], current[kind]) for kind in KINDS}


def read_other_version(kind: EnvelopeKind, fingerprint: bytes, body: bytes | memoryview) -> dict[str, Any]:
    """The body of a ``kind`` frame written with version ``fingerprint``, in today's field names.

    Raises :class:`UnsupportedEnvelope` for an unknown fingerprint and :class:`BodyDecodeError`
    when the body does not decode with that version's schema.
    """
    versions = envelope_versions()[kind]
    writer = versions.by_fingerprint.get(bytes(fingerprint))
    if writer is None:
        raise UnsupportedEnvelope(kind, bytes(fingerprint), versions)
    data = bytes(body)
    buf = io.BytesIO(data)
    try:
        record = schemaless_reader(buf, writer.parsed, versions.current.parsed)
    except Exception as exc:  # noqa: BLE001 - fastavro raises EOFError, ValueError, IndexError, ...
        raise BodyDecodeError(
            f"{kind} body (version {writer.version}) does not decode: {type(exc).__name__}: {exc}"
        ) from None
    if buf.tell() != len(data):
        raise BodyDecodeError(f"{len(data) - buf.tell()} trailing bytes after the {kind} body (version {writer.version})")
    return record  # type: ignore[return-value]


def is_other_wire_schema(fingerprint: bytes) -> bool:
    """Whether ``fingerprint`` is a known schema that is no request version (a reply, a Value, a
    catalogue entry …): such a frame on the request topic is no request of any version, so nothing
    in it is taken for a reply address."""
    schemas = wire_schemas()
    others = {s.fingerprint for s in (schemas.value, schemas.value_v2, schemas.catalog, schemas.job, schemas.presence)}
    others.update(envelope_versions()["reply"].by_fingerprint)
    return bytes(fingerprint) in others
