"""Structured logs: one JSON object per line on stderr.

Quiet by default: at INFO only lifecycle events are logged; per-call events are DEBUG. Every line
has ``ts`` (ISO 8601 UTC), ``level``, ``event`` and the event's own fields.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging as _stdlib_logging
import os
import re
import sys
from typing import Any, Final

LOGGER_NAME: Final = "mlbridge_runner"
KAFKA_LOGGER_NAME: Final = "mlbridge_runner.kafka"
LEVELS: Final = ("debug", "info", "warning", "warn", "error")
ENV_LEVEL: Final = "MLBRIDGE_LOG_LEVEL"

DEBUG: Final = _stdlib_logging.DEBUG
INFO: Final = _stdlib_logging.INFO
WARNING: Final = _stdlib_logging.WARNING
ERROR: Final = _stdlib_logging.ERROR
#: ``warn`` is accepted too: MLBRIDGE_LOG_LEVEL is shared with the TypeScript side, which spells it so.
_LEVEL_NUMBERS: Final = {"debug": DEBUG, "info": INFO, "warning": WARNING, "warn": WARNING, "error": ERROR}

_LEVEL_NAMES: Final = {DEBUG: "debug", INFO: "info", WARNING: "warn", ERROR: "error"}

_logger = _stdlib_logging.getLogger(LOGGER_NAME)


class JsonLinesFormatter(_stdlib_logging.Formatter):
    def format(self, record: _stdlib_logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": _dt.datetime.fromtimestamp(record.created, _dt.timezone.utc).isoformat(timespec="milliseconds"),
            # One spelling for both languages' log lines: the TypeScript logger writes "warn".
            "level": _LEVEL_NAMES.get(record.levelno, record.levelname.lower()),
            "event": getattr(record, "event", None)
            or ("kafka.log" if record.name == KAFKA_LOGGER_NAME else "log"),
        }
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        if not getattr(record, "event", None):
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class RepeatFilter(_stdlib_logging.Filter):
    """Lets through one librdkafka line per (facility, client) every ``window`` seconds: a broker
    that is down makes librdkafka report every reconnect attempt."""

    def __init__(self, window: float = 30.0) -> None:
        super().__init__()
        self._window = window
        self._last: dict[tuple[str, ...], float] = {}

    def filter(self, record: _stdlib_logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        key = tuple(str(a) for a in args[:2]) or (record.getMessage(),)
        last = self._last.get(key)
        if last is not None and record.created - last < self._window:
            return False
        self._last[key] = record.created
        return True


#: librdkafka's words for broker states that pass by themselves — a coordinator or a partition
#: leader still loading or moving, as on a broker that has just started (the first idempotent
#: producer of a fresh cluster reads "GETPID ... Coordinator load in progress: retrying").
#: librdkafka retries these on its own, so they are not warnings; if one never passes, what
#: depends on it fails with its own error (``kafka.error``, a timeout).
TRANSIENT_BROKER_STATES: Final = re.compile(
    r"Coordinator load in progress|Coordinator not available|Not coordinator"
    r"|Leader not available|Not leader for partition|Not leader or follower",
    re.IGNORECASE,
)


class TransientFilter(_stdlib_logging.Filter):
    """Turns librdkafka lines about a transient broker state (:data:`TRANSIENT_BROKER_STATES`)
    into DEBUG lines: dropped unless the runner logs at debug."""

    def filter(self, record: _stdlib_logging.LogRecord) -> bool:
        if record.levelno <= DEBUG or not TRANSIENT_BROKER_STATES.search(record.getMessage()):
            return True
        # The level was checked on the way in; handlers let through whatever reaches them.
        if not _logger.isEnabledFor(DEBUG):
            return False
        record.levelno, record.levelname = DEBUG, "DEBUG"
        return True


def kafka_logger() -> _stdlib_logging.Logger:
    """The logger handed to confluent-kafka clients (``logger=``): JSON ``kafka.log`` lines."""
    return _stdlib_logging.getLogger(KAFKA_LOGGER_NAME)


def resolve_level(level: str | None) -> int:
    """``--log-level`` first, then ``MLBRIDGE_LOG_LEVEL``, then ``info``."""
    name = (level or os.environ.get(ENV_LEVEL) or "info").strip().lower()
    if name not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)}, got {name!r}")
    return _LEVEL_NUMBERS[name]


def configure(level: str | None = None) -> None:
    """Send this package's logs to stderr as JSON lines at ``level``."""
    handler = _stdlib_logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLinesFormatter())
    _logger.handlers[:] = [handler]
    _logger.setLevel(resolve_level(level))
    _logger.propagate = False
    kafka = kafka_logger()
    kafka.filters[:] = [TransientFilter(), RepeatFilter()]


def enabled(level: int) -> bool:
    return _logger.isEnabledFor(level)


def log_event(level: int, event: str, /, *, exc_info: bool = False, **fields: Any) -> None:
    """Log ``event`` with ``fields`` (callers pass only cheap values or check :func:`enabled`)."""
    if _logger.isEnabledFor(level):
        _logger.log(level, event, extra={"event": event, "fields": fields}, exc_info=exc_info)
