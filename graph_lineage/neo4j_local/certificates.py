"""The certificate the local Neo4j presents on Bolt when ``local_bolt_tls`` is on.

A self-signed certificate for ``127.0.0.1`` and ``localhost``, made once under
``<local_home>/certificates/bolt`` in the layout Neo4j's SSL policy reads
(``private.key``, ``public.crt``, ``trusted/``, ``revoked/``). Clients trust exactly that
certificate, so the connection is encrypted and the server verified, with no CA to run.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from graph_lineage.private_files import write_private

VALID_DAYS = 825
PRIVATE_KEY = "private.key"
PUBLIC_CERTIFICATE = "public.crt"


def ensure_certificate(directory: Path) -> Path:
    """The certificate in ``directory``, made first if there is none; returns its path."""
    certificate = directory / PUBLIC_CERTIFICATE
    if certificate.exists():
        return certificate
    for folder in (directory, directory / "trusted", directory / "revoked"):
        folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    write_private(directory / PRIVATE_KEY, _key_pem(key))
    certificate.write_bytes(_self_signed(key).public_bytes(serialization.Encoding.PEM))
    return certificate


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _self_signed(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "graph-lineage local Neo4j")])
    now = datetime.now(UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
