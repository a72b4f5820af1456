"""Registry subjects and refs (docs/typed-contract.md §6), the same as ``src/registry/subjects.ts``.

The request envelope follows Confluent's TopicNameStrategy (``<topic>-value``), so a stock
KafkaAvroSerializer producing to the request topic uses the same subject.
"""

from __future__ import annotations

import re
from typing import Final

REPLY_SUBJECT: Final = "mlbridge.reply-value"
REF_PREFIX: Final = "registry:"
_ID_DIGITS: Final = re.compile(r"(0|[1-9][0-9]{0,9})")


def request_subject(request_topic: str) -> str:
    return f"{request_topic}-value"


def args_subject(pipeline: str) -> str:
    return f"mlbridge.pipeline.{pipeline}.args-value"


def result_subject(pipeline: str) -> str:
    return f"mlbridge.pipeline.{pipeline}.result-value"


def registry_ref(schema_id: int) -> str:
    return f"{REF_PREFIX}{schema_id}"


def parse_registry_ref(ref: str) -> int | None:
    """The id of a ``registry:<id>`` ref; None for any other ref or a malformed id."""
    if not ref.startswith(REF_PREFIX):
        return None
    digits = ref[len(REF_PREFIX) :]
    if not _ID_DIGITS.fullmatch(digits):
        return None
    schema_id = int(digits)
    return schema_id if schema_id <= 0x7FFFFFFF else None
