"""Failures talking to the schema registry, with a stable ``reason`` like the TS client's."""

from __future__ import annotations

from typing import Literal

from ..errors import MlbridgeRunnerError

Reason = Literal["unavailable", "schema-not-found", "rejected", "unauthorized", "bad-schema"]


class SchemaRegistryError(MlbridgeRunnerError):
    """The registry could not serve a request; ``reason`` says why, ``retryable`` if a retry may help.

    ``reason``: ``unavailable`` (no answer, transport failure, 5xx), ``schema-not-found`` (unknown id
    or subject), ``rejected`` (schema refused: incompatible or invalid), ``unauthorized`` (401/403),
    ``bad-schema`` (the registry's schema is not Avro JSON).
    """

    def __init__(
        self,
        reason: Reason,
        message: str,
        *,
        url: str,
        status: int | None = None,
        schema_id: int | None = None,
        subject: str | None = None,
    ) -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.url = url
        self.status = status
        self.schema_id = schema_id
        self.subject = subject

    @property
    def retryable(self) -> bool:
        return self.reason == "unavailable"
