"""Register and look up Avro schemas in a Confluent-compatible registry.

Wraps ``confluent_kafka.schema_registry.SchemaRegistryClient`` (retries, auth, its own caches)
and adds what the runner needs on its hot path: the parsed fastavro schema of an id, parsed once,
and the library's failures turned into :class:`SchemaRegistryError` with a ``reason``.

Lookups can run on the runner's consume thread, so failures are remembered too: an id the
registry does not know (or that is no Avro schema) is refused without asking again for
:data:`MISSING_TTL_S`, and after the registry failed to answer every call fails at once for
:data:`UNAVAILABLE_BACKOFF_S`. Without that, a stream of requests naming a bogus id cost one HTTP
round trip each, and with the registry down each waited out the client's timeout and retries
(seconds) while every other call of the runner waited behind it.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable, Protocol

from fastavro import parse_schema

from ..errors import ConfigError
from .errors import SchemaRegistryError


class _Client(Protocol):
    """The two calls used from ``SchemaRegistryClient`` (a fake in unit tests)."""

    def register_schema(self, subject_name: str, schema: Any) -> int: ...

    def get_schema(self, schema_id: int) -> Any: ...


def _confluent_client(url: str, basic_auth: tuple[str, str] | None, timeout_s: float, max_retries: int) -> _Client:
    try:
        from confluent_kafka.schema_registry import SchemaRegistryClient
    except ImportError as exc:  # the 'registry' extra brings httpx, attrs, cachetools, authlib
        raise ConfigError(
            f"--schema-registry needs the registry extra: pip install 'mlbridge-runner[registry]' ({exc})"
        ) from None
    conf: dict[str, Any] = {
        "url": url,
        "timeout": timeout_s,
        "max.retries": max_retries,
        "retries.wait.ms": 100,
        "retries.max.wait.ms": 1000,
    }
    if basic_auth is not None:
        conf["basic.auth.user.info"] = f"{basic_auth[0]}:{basic_auth[1]}"
    return SchemaRegistryClient(conf)


def _schema(text: str) -> Any:
    from confluent_kafka.schema_registry import Schema

    return Schema(text, "AVRO")


#: How long an id the registry did not know stays refused without asking (it may be registered later).
MISSING_TTL_S = 30.0
#: After the registry failed to answer, how long every call fails without trying.
UNAVAILABLE_BACKOFF_S = 2.0
#: Missing ids remembered at most (a flood of distinct bogus ids must not grow it without bound).
MAX_MISSING = 10_000


class RegistryClient:
    """One registry; thread-safe. Ids never change meaning, so what was seen is kept."""

    def __init__(
        self,
        url: str,
        *,
        basic_auth: tuple[str, str] | None = None,
        timeout_s: float = 5.0,
        max_retries: int = 2,
        client: _Client | None = None,
        make_schema: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) <= len("https://"):
            raise ConfigError(f"the schema registry URL must be http(s)://…, got {url!r}")
        self.url = url
        self._client = client if client is not None else _confluent_client(url, basic_auth, timeout_s, max_retries)
        self._make_schema = make_schema if make_schema is not None else _schema
        self._lock = threading.Lock()
        self._texts: dict[int, str] = {}
        self._parsed: dict[int, Any] = {}
        self._ids: dict[tuple[str, str], int] = {}
        self._clock = clock
        #: Ids found missing or not Avro: (until, the error to raise again).
        self._missing: dict[int, tuple[float, SchemaRegistryError]] = {}
        #: Set when the registry failed to answer: (until, that failure).
        self._unavailable: tuple[float, SchemaRegistryError] | None = None

    def register(self, subject: str, schema_text: str) -> int:
        """The id of ``schema_text`` under ``subject``, registering it if the subject lacks it."""
        with self._lock:
            known = self._ids.get((subject, schema_text))
        if known is not None:
            return known
        self._check_available(f"registering a schema under {subject}", subject=subject)
        try:
            schema_id = int(self._client.register_schema(subject, self._make_schema(schema_text)))
        except Exception as exc:  # noqa: BLE001 - the library raises its own errors and httpx's
            raise self._failed(_translate(exc, self.url, f"registering a schema under {subject}", subject=subject)) from exc
        with self._lock:
            self._ids[(subject, schema_text)] = schema_id
            self._texts.setdefault(schema_id, schema_text)
        return schema_id

    def schema_text(self, schema_id: int) -> str:
        """The schema text of a registry id (asks the registry once per id)."""
        with self._lock:
            known = self._texts.get(schema_id)
        if known is not None:
            return known
        if isinstance(schema_id, bool) or not isinstance(schema_id, int) or schema_id < 0:
            raise SchemaRegistryError("schema-not-found", f"{schema_id!r} is not a registry schema id", url=self.url)
        with self._lock:
            missing = self._missing.get(schema_id)
        if missing is not None and self._clock() < missing[0]:
            raise missing[1]
        self._check_available(f"looking up schema id {schema_id}", schema_id=schema_id)
        try:
            schema = self._client.get_schema(schema_id)
        except Exception as exc:  # noqa: BLE001
            raise self._failed(_translate(exc, self.url, f"looking up schema id {schema_id}", schema_id=schema_id)) from exc
        schema_type = getattr(schema, "schema_type", "AVRO") or "AVRO"
        text = getattr(schema, "schema_str", None)
        if schema_type != "AVRO" or not isinstance(text, str):
            raise self._failed(SchemaRegistryError(
                "bad-schema", f"schema id {schema_id} is a {schema_type} schema, not Avro", url=self.url, schema_id=schema_id
            ))
        with self._lock:
            self._texts[schema_id] = text
        return text

    def _check_available(self, action: str, *, schema_id: int | None = None, subject: str | None = None) -> None:
        """Raise at once while the registry is in its back-off after failing to answer."""
        with self._lock:
            down = self._unavailable
        if down is None:
            return
        until, failure = down
        left = until - self._clock()
        if left > 0:
            raise SchemaRegistryError(
                "unavailable",
                f"schema registry at {self.url} is unavailable ({action}): not asked again for {left:.1f} s "
                f"after: {failure}",
                url=self.url,
                status=failure.status,
                schema_id=schema_id,
                subject=subject,
            )

    def _failed(self, error: SchemaRegistryError) -> SchemaRegistryError:
        """Remember what the registry answered (missing ids; unavailability); returns ``error``."""
        now = self._clock()
        with self._lock:
            if error.reason == "unavailable":
                self._unavailable = (now + UNAVAILABLE_BACKOFF_S, error)
            else:
                self._unavailable = None  # it answered
                if error.reason in ("schema-not-found", "bad-schema") and error.schema_id is not None:
                    if len(self._missing) >= MAX_MISSING:
                        self._missing.clear()
                    self._missing[error.schema_id] = (now + MISSING_TTL_S, error)
        return error

    def cached_schema_text(self, schema_id: int) -> str | None:
        with self._lock:
            return self._texts.get(schema_id)

    def schema_json(self, schema_id: int) -> Any:
        """The schema of an id as JSON (dict, list or str); ``bad-schema`` when it is not JSON."""
        text = self.schema_text(schema_id)
        try:
            return json.loads(text)
        except ValueError as exc:
            raise SchemaRegistryError(
                "bad-schema", f"schema id {schema_id} is not JSON: {exc}", url=self.url, schema_id=schema_id
            ) from None

    def parsed_schema(self, schema_id: int) -> Any:
        """The fastavro-parsed schema of an id, parsed once; ``bad-schema`` when it is not valid Avro."""
        with self._lock:
            known = self._parsed.get(schema_id)
        if known is not None:
            return known
        raw = self.schema_json(schema_id)
        try:
            parsed = parse_schema(raw, named_schemas={})
        except Exception as exc:  # noqa: BLE001 - fastavro raises SchemaParseException, ValueError, ...
            raise SchemaRegistryError(
                "bad-schema", f"schema id {schema_id} is not a valid Avro schema: {exc}", url=self.url, schema_id=schema_id
            ) from None
        with self._lock:
            self._parsed[schema_id] = parsed
        return parsed


def _translate(
    exc: Exception, url: str, action: str, *, schema_id: int | None = None, subject: str | None = None
) -> SchemaRegistryError:
    if isinstance(exc, SchemaRegistryError):
        return exc
    status = getattr(exc, "http_status_code", None)
    detail = getattr(exc, "error_message", None) or str(exc) or type(exc).__name__
    where = {"url": url, "schema_id": schema_id, "subject": subject}
    if not isinstance(status, int) or status <= 0 or status >= 500 or status in (408, 429):
        return SchemaRegistryError(
            "unavailable", f"schema registry at {url} is unavailable ({action}): {detail}",
            status=status if isinstance(status, int) and status > 0 else None, **where,
        )
    if status in (401, 403):
        return SchemaRegistryError(
            "unauthorized", f"schema registry at {url} refused the credentials ({action}): {detail}", status=status, **where
        )
    if status == 404:
        return SchemaRegistryError(
            "schema-not-found", f"schema registry at {url} does not know that ({action}): {detail}", status=status, **where
        )
    return SchemaRegistryError("rejected", f"schema registry at {url} refused {action}: {detail}", status=status, **where)
