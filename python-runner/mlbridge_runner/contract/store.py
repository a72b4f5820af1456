"""Reference → parsed writer schema, shared between the catalogue tailer and the dispatcher."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastavro import parse_schema

from .model import AvroSchema, schema_from_text, schema_ref


class SchemaStore:
    """Thread-safe map of ``crc64:`` references to parsed schemas.

    The catalogue tailer :meth:`add`\\ s every schema it reads; a dispatcher that meets an unknown
    writer reference :meth:`wait_for`\\ s it (bounded) before refusing the call.
    """

    def __init__(self) -> None:
        self._parsed: dict[str, Any] = {}
        self._raw: dict[str, AvroSchema] = {}
        self._changed = threading.Condition()

    def add(self, schema: AvroSchema | str) -> str:
        """Parse and remember ``schema`` (Python objects or JSON text); returns its reference.

        Raises the parser's error (``fastavro`` ``SchemaParseException``/``ValueError``) for an
        invalid schema; nothing is stored then.
        """
        raw = schema_from_text(schema)
        ref = schema_ref(raw)
        if ref in self._parsed:
            return ref
        parsed = parse_schema(raw, named_schemas={})
        with self._changed:
            self._parsed.setdefault(ref, parsed)
            self._raw.setdefault(ref, raw)
            self._changed.notify_all()
        return ref

    def get(self, ref: str) -> Any | None:
        """The parsed schema for ``ref`` (case of the hex ignored), or None."""
        return self._parsed.get(ref.lower())

    def raw(self, ref: str) -> AvroSchema | None:
        """The schema for ``ref`` as given to :meth:`add` (JSON objects), or None."""
        return self._raw.get(ref.lower())

    def wait_for(self, ref: str, timeout_s: float) -> Any | None:
        """The parsed schema for ``ref``, waiting up to ``timeout_s`` for someone to add it."""
        key = ref.lower()
        found = self._parsed.get(key)
        if found is not None or timeout_s <= 0:
            return found
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while (found := self._parsed.get(key)) is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)
        return found

    def refs(self) -> list[str]:
        """Every known reference, sorted."""
        return sorted(self._parsed)

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and ref.lower() in self._parsed

    def __len__(self) -> int:
        return len(self._parsed)
