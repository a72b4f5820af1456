"""Error codes carried in ``RemoteError.code``.

One list, shared with the TypeScript client: ``schemas/error-codes.json`` is the source and a unit
test checks that :data:`ALL` equals its keys, in order.
"""

from __future__ import annotations

from typing import Final

UNKNOWN_PIPELINE: Final = "UNKNOWN_PIPELINE"
INVALID_ARGUMENTS: Final = "INVALID_ARGUMENTS"
PIPELINE_ERROR: Final = "PIPELINE_ERROR"
PIPELINE_TIMEOUT: Final = "PIPELINE_TIMEOUT"
CANCELLED: Final = "CANCELLED"
REQUEST_TOO_LARGE: Final = "REQUEST_TOO_LARGE"
DEADLINE_EXCEEDED: Final = "DEADLINE_EXCEEDED"
UNDECODABLE_REQUEST: Final = "UNDECODABLE_REQUEST"
RESULT_NOT_ENCODABLE: Final = "RESULT_NOT_ENCODABLE"
INTERNAL: Final = "INTERNAL"

ALL: Final[tuple[str, ...]] = (
    UNKNOWN_PIPELINE,
    INVALID_ARGUMENTS,
    PIPELINE_ERROR,
    PIPELINE_TIMEOUT,
    CANCELLED,
    REQUEST_TOO_LARGE,
    DEADLINE_EXCEEDED,
    UNDECODABLE_REQUEST,
    RESULT_NOT_ENCODABLE,
    INTERNAL,
)
