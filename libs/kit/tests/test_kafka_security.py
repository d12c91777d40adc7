"""Kafka connection security: what each KAFKA_SECURITY_PROTOCOL gives the Kafka client."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from faststream.kafka.security import parse_security
from pydantic import ValidationError

from mentorship_kit.kafka import broker_security, create_broker
from mentorship_kit.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate and key, PEM (it serves as CA and as client certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kafka-test-ca")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_plaintext_by_default() -> None:
    assert broker_security(DemoSettings()) is None


def test_tls_trusts_the_given_ca_and_presents_the_client_certificate(tmp_path: Path) -> None:
    cert_file, key_file = _self_signed(tmp_path)
    settings = DemoSettings(
        kafka_security_protocol="SSL",
        kafka_ssl_ca_file=str(cert_file),
        kafka_ssl_cert_file=str(cert_file),
        kafka_ssl_key_file=str(key_file),
    )

    client = parse_security(broker_security(settings))

    assert client["security_protocol"] == "SSL"
    trusted = client["ssl_context"].get_ca_certs()
    assert [dict(entry[0] for entry in ca["subject"]) for ca in trusted] == [
        {"commonName": "kafka-test-ca"}
    ]


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_over_tls_sends_the_service_credentials(mechanism: str) -> None:
    settings = DemoSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism=mechanism,  # type: ignore[arg-type]
        kafka_sasl_username="matching",
        kafka_sasl_password="s3cret",  # type: ignore[arg-type]
    )

    client = parse_security(broker_security(settings))

    assert client["security_protocol"] == "SASL_SSL"
    assert client["sasl_mechanism"] == mechanism
    assert (client["sasl_plain_username"], client["sasl_plain_password"]) == ("matching", "s3cret")
    assert client["ssl_context"] is not None


def test_sasl_without_tls_has_no_tls_context() -> None:
    settings = DemoSettings(
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_username="matching",
        kafka_sasl_password="s3cret",  # type: ignore[arg-type]
    )

    client = parse_security(broker_security(settings))

    assert client["security_protocol"] == "SASL_PLAINTEXT"
    assert client["ssl_context"] is None
    assert "s3cret" not in repr(settings)


def test_sasl_without_credentials_is_refused_naming_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "matching")
    with pytest.raises(ValidationError, match="KAFKA_SASL_PASSWORD"):
        DemoSettings()


def test_a_client_certificate_needs_its_key(tmp_path: Path) -> None:
    cert_file, _ = _self_signed(tmp_path)
    with pytest.raises(ValidationError, match="KAFKA_SSL_KEY_FILE"):
        DemoSettings(kafka_security_protocol="SSL", kafka_ssl_cert_file=str(cert_file))


def test_the_broker_is_built_with_the_security(tmp_path: Path) -> None:
    cert_file, _ = _self_signed(tmp_path)
    settings = DemoSettings(kafka_security_protocol="SSL", kafka_ssl_ca_file=str(cert_file))
    broker = create_broker(settings, logging.getLogger("test"))
    assert broker.specification.security is not None
