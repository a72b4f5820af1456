"""The answer to a request the runner could not decode, when one can be given.

The request itself always goes to the dead-letter topic (the caller of this module sends it); a
reply is added when the frame's address prefix (id, pipeline, args, argsSchema, replyTo: the same
in every envelope version) can be read and ``replyTo`` is a topic name:

- an unknown envelope version (``UnsupportedEnvelope``) → ``UNSUPPORTED_ENVELOPE``, naming the
  fingerprint and the versions this runner reads;
- a known version whose body is broken (``BodyDecodeError``) → ``UNDECODABLE_REQUEST``.

Other framing errors (too short, not ``C3 01``, a frame of another schema) carry no address one
could trust and get no reply.
"""

from __future__ import annotations

from typing import Callable

from .. import error_codes
from ..codec.envelope_types import RemoteError, RequestAddress
from ..codec.envelope_versions import UnsupportedEnvelope
from ..config import is_valid_topic
from ..errors import BodyDecodeError
from .failures import plain_error, type_name


def undecodable_answer(
    data: bytes, problem: Exception, peek: Callable[[bytes], RequestAddress | None]
) -> tuple[RequestAddress, RemoteError] | None:
    """The address and error to reply with for ``data`` that failed to decode with ``problem``, or
    ``None`` when no reply is possible."""
    if isinstance(problem, UnsupportedEnvelope):
        error = plain_error(
            error_codes.UNSUPPORTED_ENVELOPE,
            type_name(problem),
            f"the request's envelope version is unknown to this runner: {problem}",
        )
    elif isinstance(problem, BodyDecodeError):
        error = plain_error(
            error_codes.UNDECODABLE_REQUEST, type_name(problem), f"the request could not be decoded: {problem}"
        )
    else:
        return None
    address = peek(data)
    if address is None or not address.id or not is_valid_topic(address.reply_to):
        return None
    return address, error
