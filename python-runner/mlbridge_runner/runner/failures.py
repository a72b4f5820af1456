"""Turn a Python exception into a structured ``RemoteError``."""

from __future__ import annotations

import builtins
import traceback as _traceback

from .. import error_codes
from ..codec.envelopes import RemoteCause, RemoteError

MAX_MESSAGE_CHARS = 8_192
MAX_TRACEBACK_CHARS = 65_536
MAX_CAUSES = 16


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 20] + f"… [{len(text) - limit + 20} more chars]"


def type_name(exc: BaseException) -> str:
    """``ValueError`` for builtins, ``package.module.Class`` otherwise."""
    cls = type(exc)
    module = getattr(cls, "__module__", None) or "?"
    if module == "builtins" and getattr(builtins, cls.__name__, None) is cls:
        return str(cls.__qualname__)
    return f"{module}.{cls.__qualname__}"


def safe_message(exc: BaseException) -> str:
    try:
        return _clip(str(exc), MAX_MESSAGE_CHARS)
    except Exception as inner:  # noqa: BLE001 - a broken __str__ must not escape
        return f"<str() of {type(exc).__name__} raised {type(inner).__name__}>"


def _chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen = {id(exc)}
    current: BaseException | None = exc
    while current is not None and len(chain) < MAX_CAUSES:
        nxt = current.__cause__
        if nxt is None and not current.__suppress_context__:
            nxt = current.__context__
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        chain.append(nxt)
        current = nxt
    return chain


def format_traceback(exc: BaseException) -> str:
    try:
        return _clip("".join(_traceback.format_exception(exc)), MAX_TRACEBACK_CHARS)
    except Exception:  # noqa: BLE001
        return ""


def remote_error(exc: BaseException, code: str, retryable: bool = False) -> RemoteError:
    """The wire form of ``exc``: type, message, traceback and the cause chain (outermost first)."""
    return RemoteError(
        code=code,
        type=type_name(exc),
        message=safe_message(exc),
        traceback=format_traceback(exc),
        retryable=retryable,
        causes=tuple(RemoteCause(type_name(c), safe_message(c)) for c in _chain(exc)),
    )


def result_too_large_error(size: int, limit: int | None) -> RemoteError:
    """RESULT_TOO_LARGE for a call's reply the producer or the broker refused for its size.

    The message states the sizes in a fixed form the TypeScript client reads into
    ``ResultTooLargeError.sizeBytes`` / ``limitBytes``: ``<size> bytes encoded`` and, when the limit
    is known (the producer refused it), ``the limit is <limit> bytes``. When the broker refused it,
    the limit is the reply topic's ``max.message.bytes``, which the runner does not know.
    """
    where = (
        f"the limit is {limit} bytes (the runner's message.max.bytes)"
        if limit is not None
        else "the broker refused it (the reply topic's max.message.bytes is the limit)"
    )
    return plain_error(
        error_codes.RESULT_TOO_LARGE,
        "ResultTooLarge",
        f"the result does not fit a reply: the reply is {size} bytes encoded; {where}",
    )


def plain_error(code: str, type_: str, message: str) -> RemoteError:
    """An error the runner itself detected (no traceback to show)."""
    return RemoteError(code=code, type=type_, message=_clip(message, MAX_MESSAGE_CHARS))
