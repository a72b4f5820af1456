"""The runner's Kafka security settings (librdkafka keys) from flags, environment and a file.

Secrets never come from the command line, where ``ps`` shows them: the SASL password and the TLS
key's password come from the environment or from a file, as do any in the ``--kafka-config`` file.
Order, later wins: the ``--kafka-config`` file, then the flags (or their environment variables).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")

ENV_SASL_PASSWORD = "MLBRIDGE_SASL_PASSWORD"
ENV_SSL_KEY_PASSWORD = "MLBRIDGE_SSL_KEY_PASSWORD"
ENV_REGISTRY_PASSWORD = "MLBRIDGE_SCHEMA_REGISTRY_PASSWORD"


@dataclass(frozen=True)
class SecurityInputs:
    """What the user gave; files are named, not read, until :func:`kafka_security_settings`."""

    protocol: str | None = None
    mechanism: str | None = None
    username: str | None = None
    password_file: str | None = None
    ca: str | None = None
    cert: str | None = None
    key: str | None = None
    key_password_file: str | None = None
    config_file: str | None = None


def read_properties(path: str) -> dict[str, str]:
    """``key=value`` lines of a Java-style properties file (``#``/``!`` comments, blank lines)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the Kafka config file {path!r}: {exc.strerror}") from None
    settings: dict[str, str] = {}
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfigError(f"{path}:{number}: expected key=value, got {line[:40]!r}")
        settings[key.strip()] = value.strip()
    return settings


def read_secret(env_name: str, file_path: str | None, what: str) -> str | None:
    """The secret in file ``file_path`` (trailing newline dropped), else env ``env_name``, else None."""
    if file_path:
        try:
            value = Path(file_path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(f"cannot read the {what} file {file_path!r}: {exc.strerror}") from None
        if not value:
            raise ConfigError(f"the {what} file {file_path!r} is empty")
        return value
    value = os.environ.get(env_name, "")
    return value or None


def _readable(path: str, what: str) -> str:
    if not os.access(path, os.R_OK):
        raise ConfigError(f"the {what} {path!r} does not exist or is not readable")
    return path


def kafka_security_settings(inputs: SecurityInputs) -> dict[str, str]:
    """librdkafka settings for ``inputs``; ``{}`` for a plaintext cluster. Raises ConfigError."""
    settings = read_properties(inputs.config_file) if inputs.config_file else {}
    settings.pop("bootstrap.servers", None)  # --brokers says where
    sasl = inputs.mechanism is not None or inputs.username is not None
    tls = any(v is not None for v in (inputs.ca, inputs.cert, inputs.key))
    protocol = inputs.protocol or settings.get("security.protocol") or (
        ("SASL_SSL" if sasl else "SSL") if sasl or tls else None
    )
    if protocol is not None:
        protocol = protocol.upper()
        if protocol not in PROTOCOLS:
            raise ConfigError(f"security protocol must be one of {', '.join(PROTOCOLS)}, got {protocol!r}")
        settings["security.protocol"] = protocol
    if inputs.mechanism is not None:
        mechanism = inputs.mechanism.upper()
        if mechanism not in MECHANISMS:
            raise ConfigError(f"SASL mechanism must be one of {', '.join(MECHANISMS)}, got {inputs.mechanism!r}")
        settings["sasl.mechanism"] = mechanism
    if inputs.username is not None:
        settings["sasl.username"] = inputs.username
    password = read_secret(ENV_SASL_PASSWORD, inputs.password_file, "SASL password")
    if password is not None and (protocol or "").startswith("SASL"):
        settings["sasl.password"] = password
    if (protocol or "").startswith("SASL"):
        settings.setdefault("sasl.mechanism", "SCRAM-SHA-512")
        for key, hint in (("sasl.username", "--sasl-username"), ("sasl.password", f"{ENV_SASL_PASSWORD} or --sasl-password-file")):
            if key not in settings and settings.get("sasl.mechanism") != "OAUTHBEARER":
                raise ConfigError(f"security protocol {protocol} needs {key}: set {hint}")
    if inputs.ca is not None:
        settings["ssl.ca.location"] = _readable(inputs.ca, "CA certificate file (--ssl-ca)")
    if inputs.cert is not None:
        settings["ssl.certificate.location"] = _readable(inputs.cert, "client certificate file (--ssl-cert)")
    if inputs.key is not None:
        settings["ssl.key.location"] = _readable(inputs.key, "client key file (--ssl-key)")
    if (inputs.cert is None) != (inputs.key is None):
        raise ConfigError("mutual TLS needs both --ssl-cert and --ssl-key")
    key_password = read_secret(ENV_SSL_KEY_PASSWORD, inputs.key_password_file, "TLS key password")
    if key_password is not None:
        settings["ssl.key.password"] = key_password
    return settings


def redacted(settings: dict[str, str]) -> dict[str, str]:
    """``settings`` fit for a log line: passwords and secrets replaced."""
    return {k: ("***" if any(w in k for w in ("password", "secret", "jaas")) else v) for k, v in settings.items()}


__all__ = [
    "ENV_REGISTRY_PASSWORD",
    "ENV_SASL_PASSWORD",
    "ENV_SSL_KEY_PASSWORD",
    "MECHANISMS",
    "PROTOCOLS",
    "SecurityInputs",
    "kafka_security_settings",
    "read_properties",
    "read_secret",
    "redacted",
]
