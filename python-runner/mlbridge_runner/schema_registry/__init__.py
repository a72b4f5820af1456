"""Optional Confluent-compatible schema registry (``--schema-registry URL``).

Requests and replies framed with the Confluent wire format (``00`` + 4-byte schema id); schemas
registered under TopicNameStrategy subjects. Needs the ``registry`` extra
(``confluent-kafka[schemaregistry]``); nothing here is imported unless the option is used.
"""

from __future__ import annotations

from .client import RegistryClient
from .envelopes import RegistryEnvelopes, encode_reply, encode_request, envelope_schema_text
from .errors import SchemaRegistryError
from .framing import detect_framing, frame, unframe
from .subjects import (
    REPLY_SUBJECT,
    args_subject,
    parse_registry_ref,
    registry_ref,
    request_subject,
    result_subject,
)

__all__ = [
    "REPLY_SUBJECT",
    "RegistryClient",
    "RegistryEnvelopes",
    "SchemaRegistryError",
    "args_subject",
    "detect_framing",
    "encode_reply",
    "encode_request",
    "envelope_schema_text",
    "frame",
    "parse_registry_ref",
    "registry_ref",
    "request_subject",
    "result_subject",
    "unframe",
]
