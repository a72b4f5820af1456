"""The runner's security flags, environment and config file mapped to librdkafka settings."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from mlbridge_runner.errors import ConfigError
from mlbridge_runner.transport.security import SecurityInputs, kafka_security_settings, read_properties, redacted
from mlbridge_runner.transport.security_args import add_security_arguments, security_config

ENV_NAMES = (
    "MLBRIDGE_SASL_PASSWORD",
    "MLBRIDGE_SSL_KEY_PASSWORD",
    "MLBRIDGE_SCHEMA_REGISTRY_PASSWORD",
    "MLBRIDGE_SECURITY_PROTOCOL",
    "MLBRIDGE_SASL_MECHANISM",
    "MLBRIDGE_SASL_USERNAME",
    "MLBRIDGE_KAFKA_CONFIG",
    "MLBRIDGE_SSL_CA",
    "MLBRIDGE_REPLICATION_FACTOR",
    "MLBRIDGE_SCHEMA_REGISTRY_USER",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pem(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return path


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_security_arguments(parser)
    return parser.parse_args(argv)


def test_nothing_given_is_plaintext() -> None:
    assert kafka_security_settings(SecurityInputs()) == {}


def test_sasl_ssl_from_flags_and_password_from_env(monkeypatch: pytest.MonkeyPatch, pem: Path) -> None:
    monkeypatch.setenv("MLBRIDGE_SASL_PASSWORD", "s3cret")
    settings = security_config(parse(["--sasl-username", "runner", "--ssl-ca", str(pem)]))["kafka_settings"]
    assert dict(settings) == {
        "security.protocol": "SASL_SSL",  # implied by a username
        "sasl.mechanism": "SCRAM-SHA-512",  # the default mechanism
        "sasl.username": "runner",
        "sasl.password": "s3cret",
        "ssl.ca.location": str(pem),
    }


def test_password_file_wins_over_env_and_loses_its_newline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MLBRIDGE_SASL_PASSWORD", "from-env")
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    args = parse(["--security-protocol", "sasl_plaintext", "--sasl-mechanism", "plain", "--sasl-username", "u", "--sasl-password-file", str(secret)])
    settings = dict(security_config(args)["kafka_settings"])
    assert settings["sasl.password"] == "from-file"
    assert settings["security.protocol"] == "SASL_PLAINTEXT"
    assert settings["sasl.mechanism"] == "PLAIN"


def test_passwords_on_the_command_line_are_refused_without_echo(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("--sasl-password", "--ssl-key-password", "--schema-registry-password"):
        with pytest.raises(SystemExit):
            parse([flag, "visible-in-ps"])
        err = capsys.readouterr().err
        assert "not accepted" in err and "visible-in-ps" not in err


def test_sasl_without_password_names_where_to_put_it() -> None:
    with pytest.raises(ConfigError, match="MLBRIDGE_SASL_PASSWORD or --sasl-password-file"):
        kafka_security_settings(SecurityInputs(username="runner"))


def test_unreadable_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--ssl-ca"):
        kafka_security_settings(SecurityInputs(ca=str(tmp_path / "missing.pem")))
    with pytest.raises(ConfigError, match="SASL password file"):
        kafka_security_settings(SecurityInputs(username="u", password_file=str(tmp_path / "missing")))


def test_mutual_tls_needs_cert_and_key_and_takes_key_password_from_env(monkeypatch: pytest.MonkeyPatch, pem: Path) -> None:
    with pytest.raises(ConfigError, match="both --ssl-cert and --ssl-key"):
        kafka_security_settings(SecurityInputs(cert=str(pem)))
    monkeypatch.setenv("MLBRIDGE_SSL_KEY_PASSWORD", "keypw")
    settings = kafka_security_settings(SecurityInputs(ca=str(pem), cert=str(pem), key=str(pem)))
    assert settings == {
        "security.protocol": "SSL",
        "ssl.ca.location": str(pem),
        "ssl.certificate.location": str(pem),
        "ssl.key.location": str(pem),
        "ssl.key.password": "keypw",
    }


def test_config_file_then_flags_override(tmp_path: Path) -> None:
    props = tmp_path / "client.properties"
    props.write_text(
        "# managed cluster\n"
        "bootstrap.servers=ignored:9092\n"
        "security.protocol=SASL_SSL\n"
        "sasl.mechanism=PLAIN\n"
        "sasl.username=from-file\n"
        "sasl.password=pw=with=equals\n"
        "\n! also a comment\n"
    )
    assert read_properties(str(props))["sasl.password"] == "pw=with=equals"
    settings = kafka_security_settings(SecurityInputs(config_file=str(props), username="from-flag"))
    assert settings == {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "PLAIN",
        "sasl.username": "from-flag",
        "sasl.password": "pw=with=equals",
    }
    assert redacted(settings)["sasl.password"] == "***"


def test_bad_protocol_and_mechanism_are_refused() -> None:
    with pytest.raises(ConfigError, match="security protocol"):
        kafka_security_settings(SecurityInputs(protocol="TLS"))
    with pytest.raises(ConfigError, match="SASL mechanism"):
        kafka_security_settings(SecurityInputs(mechanism="GSSAPI", username="u"))


def test_registry_credentials_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLBRIDGE_SCHEMA_REGISTRY_USER", "reg")
    with pytest.raises(ConfigError, match="MLBRIDGE_SCHEMA_REGISTRY_PASSWORD"):
        security_config(parse([]))
    monkeypatch.setenv("MLBRIDGE_SCHEMA_REGISTRY_PASSWORD", "regpw")
    fields = security_config(parse([]))
    assert fields["schema_registry_auth"] == ("reg", "regpw")
    assert fields["kafka_settings"] == ()


def test_replication_factor_flag_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert security_config(parse([]))["replication_factor"] is None
    assert security_config(parse(["--replication-factor", "3"]))["replication_factor"] == 3
    monkeypatch.setenv("MLBRIDGE_REPLICATION_FACTOR", "2")
    assert security_config(parse([]))["replication_factor"] == 2


def test_every_client_gets_the_security_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlbridge_runner.config import RunnerConfig
    from mlbridge_runner.transport import config as transport

    security = (("sasl.mechanism", "SCRAM-SHA-512"), ("security.protocol", "SASL_SSL"))
    config = RunnerConfig(kafka_settings=security)
    for settings in (
        transport.consumer_settings(config, "me"),
        transport.producer_settings(config, "me"),
        transport.bulk_producer_settings(config, "me"),
        transport.admin_settings(config, "me"),
    ):
        assert settings["security.protocol"] == "SASL_SSL"
        assert settings["bootstrap.servers"] == config.brokers


def test_failure_watch_names_security_failures_only() -> None:
    from confluent_kafka import KafkaError

    from mlbridge_runner.transport.connect_check import FailureWatch, KafkaAuthenticationError, KafkaTlsError

    def watch(errors: list[KafkaError], lines: list[str] = [], protocol: str = "SASL_SSL") -> FailureWatch:
        w = FailureWatch({"bootstrap.servers": "b:1", "security.protocol": protocol})
        for error in errors:
            w.settings["error_cb"](error)
        for line in lines:
            w.settings["logger"].log(3, line)
        return w

    refused = watch([KafkaError(KafkaError._AUTHENTICATION, "SASL authentication error: invalid credentials")]).failure()
    assert isinstance(refused, KafkaAuthenticationError) and refused.kind == "authentication" and refused.brokers == "b:1"
    untrusted = watch([KafkaError(KafkaError._SSL, "SSL handshake failed: certificate verify failed")]).failure()
    assert isinstance(untrusted, KafkaTlsError) and "--ssl-ca" in untrusted.hint
    to_plain = watch([KafkaError(KafkaError._TRANSPORT, "SSL handshake failed: connecting to a PLAINTEXT broker listener?")]).failure()
    assert isinstance(to_plain, KafkaTlsError) and "PLAINTEXT" in to_plain.hint
    plain_to_tls = watch([], ["b:1/bootstrap: Disconnected: connection closed by peer: receive 0 after POLLIN (after 1ms in state APIVERSION_QUERY)"], "PLAINTEXT").failure()
    assert isinstance(plain_to_tls, KafkaTlsError) and "SASL_SSL" in plain_to_tls.hint
    # A broker that is merely down is none of these: the runner keeps waiting for it.
    down = [KafkaError(KafkaError._TRANSPORT, "Connect to ipv4#127.0.0.1:9999 failed: Connection refused"), KafkaError(KafkaError._ALL_BROKERS_DOWN, "1/1 brokers are down")]
    assert watch(down, ["Connect to ipv4#127.0.0.1:9999 failed: Connection refused (after 0ms in state CONNECT)"], "PLAINTEXT").failure() is None
