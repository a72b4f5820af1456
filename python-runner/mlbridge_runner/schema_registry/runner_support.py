"""What a runner started with ``--schema-registry URL`` does differently.

- Requests on the request topic decode in either framing (``C3 01`` single-object, ``00`` Confluent).
  A Confluent frame whose schema id is unknown or cannot be looked up is refused like an
  undecodable body (DLQ, and an error reply when its reply address can be read).
- ``registry:<id>`` argument refs are writer schemas looked up in the registry.
- A request that came Confluent-framed is answered Confluent-framed (reply.avsc registered under
  ``mlbridge.reply-value``), with a typed result named ``registry:<id>`` (registered under
  ``mlbridge.pipeline.<name>.result-value``). Should the registry fail at that point, the reply
  goes single-object framed with its ``crc64:`` ref instead: a registry client reads both, so the
  answer is never lost.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict
from typing import Any, Iterable, Mapping

from ..codec import envelopes as single_object
from ..codec.envelope_types import ReplyEnvelope, ReplyStatus, RequestAddress, RequestEnvelope
from ..codec.framing import MAGIC as SINGLE_OBJECT_MAGIC
from ..codec.schemas import wire_schemas
from ..errors import BodyDecodeError
from ..logging import WARNING, log_event
from ..registry import Pipeline
from . import framing
from .client import RegistryClient
from .envelopes import RegistryEnvelopes, encode_reply
from .errors import SchemaRegistryError
from .subjects import args_subject, parse_registry_ref, registry_ref, result_subject

#: Request ids remembered as Confluent-framed until their final reply (bounded: calls that are
#: never answered here, e.g. revoked, must not grow it forever).
MAX_MARKED = 100_000
#: WARNING: the schema registry failed; fields: error, reason, and id (request) when replying.
REGISTRY_FAILED = "schema_registry.failed"


class UnknownSchemaId(BodyDecodeError):
    """The registry does not know the frame's schema id (or it is no Avro request schema)."""

    reason = "unknown-schema-id"


class SchemaRegistryUnavailable(BodyDecodeError):
    """The frame's schema id could not be looked up: the registry did not answer."""

    reason = "schema-registry-unavailable"


class RunnerRegistry:
    """Registry-mode decoding and encoding for one runner (thread-safe)."""

    def __init__(self, client: RegistryClient, request_topic: str, pipelines: Iterable[Pipeline]) -> None:
        self.client = client
        self.envelopes = RegistryEnvelopes(client)
        self.request_topic = request_topic
        self._lock = threading.Lock()
        self._confluent: OrderedDict[str, None] = OrderedDict()
        #: crc64 result ref of each own typed pipeline → (pipeline name, schema JSON).
        self._results: dict[str, tuple[str, Any]] = {}
        self._args: dict[str, Any] = {}
        for pipeline in pipelines:
            contract = pipeline.contract
            if contract is not None and contract.typed:
                self._results.setdefault(contract.result_ref, (pipeline.name, contract.result_schema))
                self._args[pipeline.name] = contract.args_schema

    @classmethod
    def open(
        cls,
        url: str,
        request_topic: str,
        pipelines: Iterable[Pipeline],
        *,
        basic_auth: tuple[str, str] | None = None,
    ) -> RunnerRegistry:
        return cls(RegistryClient(url, basic_auth=basic_auth), request_topic, pipelines)

    def register_own(self) -> None:
        """Register the envelopes and own typed schemas up front, so the first calls need no HTTP.

        A registry that fails here is logged, not fatal: everything is registered again on use.
        """
        try:
            self.envelopes.request_schema_id(self.request_topic)
            self.envelopes.reply_schema_id()
            for name, schema in self._args.items():
                self.client.register(args_subject(name), _text(schema))
            for name, schema in self._results.values():
                self.client.register(result_subject(name), _text(schema))
        except SchemaRegistryError as exc:
            log_event(WARNING, REGISTRY_FAILED, error=str(exc), reason=exc.reason)

    # ------------------------------------------------------------------ requests

    def decode_request(self, data: bytes) -> RequestEnvelope:
        """A request in either framing; registry failures raise :class:`UnknownSchemaId` /
        :class:`SchemaRegistryUnavailable` (both a ``BodyDecodeError`` with a DLQ ``reason``)."""
        if framing.detect_framing(data) != "confluent":
            return single_object.decode_request(data)
        try:
            request = self.envelopes.decode_request(data)
        except SchemaRegistryError as exc:
            if exc.retryable:
                raise SchemaRegistryUnavailable(str(exc)) from None
            raise UnknownSchemaId(str(exc)) from None
        self._mark(request.id)
        return request

    def peek_request_address(self, data: bytes) -> RequestAddress | None:
        """id, pipeline and replyTo from the front of a request in either framing, or None."""
        if framing.detect_framing(data) == "confluent":
            # The envelope's first fields are the same in every request.avsc version we accept.
            data = SINGLE_OBJECT_MAGIC + wire_schemas().request.fingerprint + bytes(data[framing.HEADER_SIZE :])
        return single_object.peek_request_address(data)

    def writer_schema(self, ref: str) -> Any | None:
        """The parsed writer schema of a ``registry:<id>`` ref; None for other refs and unknown ids.

        Raises :class:`SchemaRegistryError` (``unavailable``) when the registry cannot be asked.
        """
        schema_id = parse_registry_ref(ref)
        if schema_id is None:
            return None
        try:
            return self.client.parsed_schema(schema_id)
        except SchemaRegistryError as exc:
            if exc.reason in ("schema-not-found", "bad-schema"):
                return None
            raise

    # ------------------------------------------------------------------ replies

    def encode_reply(self, reply: ReplyEnvelope) -> bytes:
        """Confluent-framed when the request was, else single-object (see the module doc)."""
        with self._lock:
            confluent = reply.id in self._confluent
            if reply.status is not ReplyStatus.PROGRESS:
                self._confluent.pop(reply.id, None)
        if not confluent:
            return single_object.encode_reply(reply)
        try:
            named = self._with_registry_result(reply)
            return encode_reply(self.envelopes.reply_schema_id(), named)
        except SchemaRegistryError as exc:
            log_event(WARNING, REGISTRY_FAILED, id=reply.id, error=f"{exc}; replying single-object", reason=exc.reason)
            return single_object.encode_reply(reply)

    def _with_registry_result(self, reply: ReplyEnvelope) -> ReplyEnvelope:
        own = self._results.get(reply.result_schema) if reply.status is ReplyStatus.OK else None
        if own is None:
            return reply
        name, schema = own
        schema_id = self.client.register(result_subject(name), _text(schema))
        return dataclasses.replace(reply, result_schema=registry_ref(schema_id))

    def _mark(self, request_id: str) -> None:
        with self._lock:
            self._confluent[request_id] = None
            if len(self._confluent) > MAX_MARKED:
                self._confluent.popitem(last=False)


def open_runner_registry(config: Any, pipelines: Mapping[str, Pipeline]) -> RunnerRegistry | None:
    """The registry mode of a runner configured with ``schema_registry``, else None (no HTTP yet).

    Raises ``ConfigError`` for a bad URL or when the ``registry`` extra is not installed.
    """
    url = getattr(config, "schema_registry", None)
    if not url:
        return None
    return RunnerRegistry.open(
        url, config.request_topic, pipelines.values(), basic_auth=getattr(config, "schema_registry_auth", None)
    )


def _text(schema: Any) -> str:
    """Schema JSON as the TS client writes it (``JSON.stringify``), so both register the same text."""
    return json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
