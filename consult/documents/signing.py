"""The platform's signature on exported PDFs (PAdES, with pyHanko) and its verification.

The platform key signs every outcome PDF it exports; the signature's reason and the document's keywords
carry the outcome digest, so anyone holding the file can check it against the record. `consult keys init`
makes a self-signed certificate in the instance folder when none is configured; a real certificate can be
configured instead (CONSULT_SIGNING_KEY and CONSULT_SIGNING_CERT).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

DIGEST_IN_REASON = re.compile(r"consult outcome ([0-9a-f]{64})")


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
    key_path, cert_path = folder / "platform-key.pem", folder / "platform-cert.pem"
    if key_path.exists() and cert_path.exists():
        return SigningKey(key_path, cert_path)
    folder.mkdir(parents=True, exist_ok=True)
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
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return SigningKey(key_path, cert_path)


def load_signing_key(key_path: Path, cert_path: Path, passphrase: bytes | None = None) -> SigningKey:
    """A configured key and certificate (PEM)."""
    if not key_path.is_file() or not cert_path.is_file():
        raise FileNotFoundError(f"signing key {key_path} or certificate {cert_path} is missing")
    return SigningKey(key_path, cert_path, passphrase)


def sign_pdf(pdf: bytes, key: SigningKey, *, digest: str, reason: str | None = None) -> bytes:
    """A PAdES signature over the whole file, naming the outcome digest in its reason."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load(str(key.key_path), str(key.cert_path), key_passphrase=key.passphrase)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name="ConsultOutcome", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or f"consult outcome {digest}", name="consult")
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


@dataclass
class Verification:
    """What a PDF's signature says."""

    intact: bool = False
    trusted: bool = False
    signer: str | None = None
    signed_at: datetime | None = None
    digest: str | None = None
    problems: list[str] = field(default_factory=list)


def verify_pdf(pdf: bytes, trust: list | None = None) -> Verification:
    """Check the signature: intact, covering the whole file, made by a trusted certificate; never raises."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    result = Verification()
    if not pdf.startswith(b"%PDF-"):
        result.problems.append("This is not a PDF file.")
        return result
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # a damaged file is an answer, not a crash
        result.problems.append(f"The PDF cannot be read: {type(error).__name__}.")
        return result
    if not signatures:
        result.problems.append("The PDF carries no signature.")
        return result
    signature = signatures[-1]
    reason = str(signature.sig_object.get("/Reason", ""))
    match = DIGEST_IN_REASON.search(reason)
    result.digest = match.group(1) if match else None
    try:
        context = ValidationContext(trust_roots=list(trust or []), allow_fetching=False)
        status = validate_pdf_signature(signature, context)
    except (SignatureValidationError, ValueError, KeyError) as error:
        result.problems.append(f"The signature cannot be validated: {error}.")
        return result
    except Exception as error:  # the file was tampered with in a way the validator trips on
        result.problems.append(f"The signature cannot be validated: {type(error).__name__}.")
        return result
    covers_all = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    result.intact = bool(status.intact and status.valid and covers_all)
    result.trusted = bool(result.intact and status.trusted)
    result.signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
    result.signed_at = status.signer_reported_dt
    if not (status.intact and status.valid):
        result.problems.append("The signed content was changed after signing.")
    elif not covers_all:
        result.problems.append("Something was added to the file after it was signed.")
    if result.intact and not status.trusted:
        result.problems.append("The signature was not made with this platform's key.")
    if result.digest is None:
        result.problems.append("The signature names no consult outcome digest.")
    return result
