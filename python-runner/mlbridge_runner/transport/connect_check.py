"""Tell refused credentials and TLS failures apart from a broker that is merely not up yet.

librdkafka retries both forever and reports them only as log lines and ``error_cb`` events, while
the call that failed (``list_topics``) just says "broker transport failure". A runner waiting for
its broker must keep waiting; a runner with a wrong password or an untrusted certificate must stop
at once and say what to check. :class:`FailureWatch` collects what librdkafka reported while a
client connected and names the failure, if it is one of those.
"""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka import KafkaError

from ..errors import MlbridgeRunnerError


class KafkaSecurityError(MlbridgeRunnerError):
    """The brokers refused this runner's credentials or TLS failed; no retry can fix it."""

    #: "authentication" or "tls".
    kind = "security"

    def __init__(self, brokers: str, detail: str, hint: str) -> None:
        self.brokers = brokers
        self.detail = detail
        self.hint = hint
        super().__init__(f"{self.kind} failed with Kafka brokers {brokers}: {detail}. Check: {hint}")


class KafkaAuthenticationError(KafkaSecurityError):
    kind = "authentication"


class KafkaTlsError(KafkaSecurityError):
    kind = "tls"


_AUTH_HINT = (
    "the SASL username and password (MLBRIDGE_SASL_PASSWORD or --sasl-password-file), the mechanism "
    "(--sasl-mechanism: SCRAM users exist per mechanism), and that this listener expects SASL"
)
_CERT_HINT = (
    "that --ssl-ca names the CA that signed the broker's certificate, that the certificate names the "
    "host in --brokers, and the client certificate and key if the broker requires mutual TLS"
)
_TLS_TO_PLAIN_HINT = "the port is a PLAINTEXT or SASL_PLAINTEXT listener: use --security-protocol without SSL, or the TLS port"
_PLAIN_TO_TLS_HINT = "the port is probably a TLS listener: set --security-protocol SSL or SASL_SSL and --ssl-ca"


class _Recorder(logging.Logger):
    """Keeps librdkafka's log lines and passes them on to the runner's own kafka logger."""

    def __init__(self, forward: logging.Logger | None) -> None:
        super().__init__("mlbridge.kafka.connect-check")
        self.forward = forward
        self.lines: list[str] = []

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        text = str(msg) % args if args else str(msg)
        if len(self.lines) < 100:
            self.lines.append(text)
        if self.forward is not None:
            self.forward.log(level, msg, *args, **kwargs)


class FailureWatch:
    """Wraps a client's settings; after a failed call, :meth:`failure` names a security failure."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self._errors: list[KafkaError] = []
        self._recorder = _Recorder(settings.get("logger"))
        self._brokers = str(settings.get("bootstrap.servers", "?"))
        self._plaintext = not str(settings.get("security.protocol", "PLAINTEXT")).upper().endswith("SSL")
        self.settings = {**settings, "logger": self._recorder, "error_cb": self._errors.append}

    def failure(self) -> KafkaSecurityError | None:
        for error in self._errors:
            if error.code() == KafkaError._AUTHENTICATION:
                return KafkaAuthenticationError(self._brokers, error.str(), _AUTH_HINT)
        for error in self._errors:
            text = error.str()
            if "connecting to a PLAINTEXT broker listener" in text:
                return KafkaTlsError(self._brokers, text, _TLS_TO_PLAIN_HINT)
            if error.code() == KafkaError._SSL:
                return KafkaTlsError(self._brokers, text, _CERT_HINT)
        for line in self._recorder.lines:
            if "SASL authentication error" in line:
                return KafkaAuthenticationError(self._brokers, line, _AUTH_HINT)
            if "SSL handshake failed" in line:
                return KafkaTlsError(self._brokers, line, _CERT_HINT)
            # A TLS listener ends a plaintext connection at its first request (ApiVersion).
            if self._plaintext and "closed by peer" in line and "APIVERSION_QUERY" in line:
                return KafkaTlsError(self._brokers, line, _PLAIN_TO_TLS_HINT)
        return None


__all__ = ["FailureWatch", "KafkaAuthenticationError", "KafkaSecurityError", "KafkaTlsError"]
