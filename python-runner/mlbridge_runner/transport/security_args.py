"""The runner's command-line flags for Kafka security, replication and registry credentials.

Each flag has an environment variable (for containers); secrets have only the environment and
files — never a flag, since the command line is visible to every user of the machine (``ps``).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..errors import ConfigError
from .security import (
    ENV_REGISTRY_PASSWORD,
    ENV_SASL_PASSWORD,
    ENV_SSL_KEY_PASSWORD,
    MECHANISMS,
    PROTOCOLS,
    SecurityInputs,
    kafka_security_settings,
    read_secret,
)


def _env(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


class _Refused(argparse.Action):
    """A secret given as a flag: refused, without echoing it. Also keeps argparse from taking
    ``--sasl-password`` as an abbreviation of ``--sasl-password-file``."""

    def __init__(self, *args: Any, advice: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.advice = advice

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option_string: str | None = None) -> None:
        parser.error(f"{option_string} is not accepted: the command line is visible to every user (ps); {self.advice}")


def add_security_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "Kafka security (docs/production.md)",
        f"secrets come from the environment ({ENV_SASL_PASSWORD}, {ENV_SSL_KEY_PASSWORD}, {ENV_REGISTRY_PASSWORD}) "
        "or from files, never from the command line",
    )
    group.add_argument(
        "--kafka-config", default=_env("MLBRIDGE_KAFKA_CONFIG"), metavar="FILE",
        help="a properties file of librdkafka settings (security.protocol=..., sasl.*, ssl.*) for every Kafka "
        "client; the flags below override it (env MLBRIDGE_KAFKA_CONFIG)",
    )
    group.add_argument(
        "--security-protocol", type=str.upper, choices=PROTOCOLS, default=_env("MLBRIDGE_SECURITY_PROTOCOL"),
        help="default: SASL_SSL with --sasl-username, SSL with --ssl-ca/--ssl-cert, else PLAINTEXT (env MLBRIDGE_SECURITY_PROTOCOL)",
    )
    group.add_argument(
        "--sasl-mechanism", type=str.upper, choices=MECHANISMS, default=_env("MLBRIDGE_SASL_MECHANISM"),
        help="default SCRAM-SHA-512 (env MLBRIDGE_SASL_MECHANISM)",
    )
    group.add_argument("--sasl-username", default=_env("MLBRIDGE_SASL_USERNAME"), help="(env MLBRIDGE_SASL_USERNAME)")
    group.add_argument(
        "--sasl-password-file", default=_env("MLBRIDGE_SASL_PASSWORD_FILE"), metavar="FILE",
        help=f"file holding the SASL password; else env {ENV_SASL_PASSWORD}",
    )
    for flag, env, file_flag in (
        ("--sasl-password", ENV_SASL_PASSWORD, "--sasl-password-file"),
        ("--ssl-key-password", ENV_SSL_KEY_PASSWORD, "--ssl-key-password-file"),
        ("--schema-registry-password", ENV_REGISTRY_PASSWORD, "--schema-registry-password-file"),
    ):
        group.add_argument(flag, action=_Refused, advice=f"set {env} or {file_flag}", help=argparse.SUPPRESS)
    group.add_argument("--ssl-ca", default=_env("MLBRIDGE_SSL_CA"), metavar="PEM", help="CA certificate(s) to trust (env MLBRIDGE_SSL_CA)")
    group.add_argument("--ssl-cert", default=_env("MLBRIDGE_SSL_CERT"), metavar="PEM", help="client certificate for mutual TLS (env MLBRIDGE_SSL_CERT)")
    group.add_argument("--ssl-key", default=_env("MLBRIDGE_SSL_KEY"), metavar="PEM", help="client key for mutual TLS (env MLBRIDGE_SSL_KEY)")
    group.add_argument(
        "--ssl-key-password-file", default=_env("MLBRIDGE_SSL_KEY_PASSWORD_FILE"), metavar="FILE",
        help=f"file holding the client key's password; else env {ENV_SSL_KEY_PASSWORD}",
    )
    group.add_argument(
        "--replication-factor", type=int, default=int(_env("MLBRIDGE_REPLICATION_FACTOR") or 0) or None,
        help="replicas of the topics this runner creates (env MLBRIDGE_REPLICATION_FACTOR; default min(3, brokers))",
    )
    group.add_argument(
        "--schema-registry-user", default=_env("MLBRIDGE_SCHEMA_REGISTRY_USER"),
        help="HTTP basic auth user of --schema-registry (env MLBRIDGE_SCHEMA_REGISTRY_USER)",
    )
    group.add_argument(
        "--schema-registry-password-file", default=_env("MLBRIDGE_SCHEMA_REGISTRY_PASSWORD_FILE"), metavar="FILE",
        help=f"file holding the registry password; else env {ENV_REGISTRY_PASSWORD}",
    )


def security_config(args: argparse.Namespace) -> dict[str, Any]:
    """RunnerConfig fields from the parsed flags. Raises ConfigError (missing secret, unreadable file)."""
    settings = kafka_security_settings(
        SecurityInputs(
            protocol=args.security_protocol,
            mechanism=args.sasl_mechanism,
            username=args.sasl_username,
            password_file=args.sasl_password_file,
            ca=args.ssl_ca,
            cert=args.ssl_cert,
            key=args.ssl_key,
            key_password_file=args.ssl_key_password_file,
            config_file=args.kafka_config,
        )
    )
    auth = None
    if args.schema_registry_user:
        password = read_secret(ENV_REGISTRY_PASSWORD, args.schema_registry_password_file, "schema registry password")
        if password is None:
            raise ConfigError(f"--schema-registry-user needs a password: set {ENV_REGISTRY_PASSWORD} or --schema-registry-password-file")
        auth = (args.schema_registry_user, password)
    return {
        "kafka_settings": tuple(sorted(settings.items())),
        "replication_factor": args.replication_factor,
        "schema_registry_auth": auth,
    }


__all__ = ["add_security_arguments", "security_config"]
