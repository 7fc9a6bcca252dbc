"""The platform's signing key and the certificates signatures are checked against.

`consult keys init` makes a self-signed certificate in the instance folder when none is configured; a real
certificate can be configured instead (CONSULT_SIGNING_KEY and CONSULT_SIGNING_CERT). The system's trust
roots are read once per process, and `ASN1_LOCK` is held wherever pyHanko walks these shared certificates.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_FILE, CERT_FILE = "platform-key.pem", "platform-cert.pem"


@dataclass(frozen=True)
class SigningKey:
    """A private key and its certificate, on disk (PEM)."""

    key_path: Path
    cert_path: Path
    passphrase: bytes | None = None

    @property
    def certificate(self) -> asn1_x509.Certificate:
        """The certificate, as pyHanko's validator wants it."""
        pem = self.cert_path.read_bytes()
        der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
        return asn1_x509.Certificate.load(der)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate (DER), for people to compare."""
        return hashlib.sha256(self.certificate.dump()).hexdigest()


def ensure_platform_key(instance_path: Path, *, common_name: str = "consult platform") -> SigningKey:
    """The self-signed key in `<instance>/keys/`, made on first use (the key file readable by its owner only)."""
    folder = Path(instance_path) / "keys"
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    if key_path.exists() and cert_path.exists():
        return SigningKey(key_path, cert_path)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "consult")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    # The key is written through a temporary name and moved in place, so that two processes making it at the
    # same moment never leave a key that does not match its certificate: the certificate is written last.
    partial = folder / f".{KEY_FILE}.{os.getpid()}"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    os.replace(partial, key_path)
    partial_cert = folder / f".{CERT_FILE}.{os.getpid()}"
    partial_cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    os.replace(partial_cert, cert_path)
    return SigningKey(key_path, cert_path)


def load_signing_key(key_path: Path, cert_path: Path, passphrase: bytes | None = None) -> SigningKey:
    """A configured key and certificate (PEM)."""
    if not key_path.is_file() or not cert_path.is_file():
        raise FileNotFoundError(f"signing key {key_path} or certificate {cert_path} is missing")
    return SigningKey(key_path, cert_path, passphrase)


@functools.cache
def _system_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The operating system's trusted root certificates (OpenSSL's default bundle; none if it has none)."""
    import ssl

    from asn1crypto import pem

    bundle = os.environ.get("SSL_CERT_FILE") or ssl.get_default_verify_paths().cafile
    try:
        blocks = list(pem.unarmor(Path(bundle).read_bytes(), multiple=True))
    except (OSError, TypeError, ValueError):
        return ()
    roots = tuple(asn1_x509.Certificate.load(der) for kind, _headers, der in blocks if kind == "CERTIFICATE")
    for root in roots:  # parsed whole here, once: asn1crypto parses lazily, and threads signing at once share these
        root.native  # noqa: B018
    return roots


#: Held while the roots are read and while pyHanko walks shared asn1crypto certificates (signing, validating).
ASN1_LOCK = threading.RLock()


def system_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The trusted roots, read and parsed by one thread only (see `_system_roots`)."""
    with ASN1_LOCK:
        return _system_roots()


def as_asn1(certificate: Any) -> asn1_x509.Certificate:
    """A certificate (asn1crypto, cryptography, or DER/PEM bytes) as pyHanko's validator wants it."""
    if isinstance(certificate, asn1_x509.Certificate):
        return certificate
    if isinstance(certificate, x509.Certificate):
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    if isinstance(certificate, bytes):  # DER or PEM
        if certificate.lstrip().startswith(b"-----"):
            return as_asn1(x509.load_pem_x509_certificate(certificate))
        return asn1_x509.Certificate.load(certificate)
    raise TypeError(f"not a certificate: {type(certificate).__name__}")
