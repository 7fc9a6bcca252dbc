"""The platform's signature on exported PDFs (PAdES, with pyHanko) and its verification.

The platform key signs every outcome PDF it exports; the signature's reason and the document's keywords
carry the outcome digest, so anyone holding the file can check it against the record. `consult keys init`
makes a self-signed certificate in the instance folder when none is configured; a real certificate can be
configured instead (CONSULT_SIGNING_KEY and CONSULT_SIGNING_CERT).
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from consult.documents.timestamps import TimestampClient, http_timestamp_client

#: The signature's reason names the digest this way; so does the document's keyword (see render.py).
DIGEST_IN_REASON = re.compile(r"consult outcome ([0-9a-f]{64})")
DIGEST_KEYWORD = "consult-outcome-digest:"
OUTCOME_DIGEST = re.compile(r"[0-9a-f]{64}")
KEY_FILE, CERT_FILE = "platform-key.pem", "platform-cert.pem"
#: How a verdict names what an update after signing changes (consult/documents/changes.py).
CHANGE_NAMES = {"metadata": "its metadata (the title, author, subject or keywords a reader shows)",
                "pages": "the content of its pages", "annotations": "annotations on its pages",
                "form_fields": "its form fields", "structure": "other parts of the document"}
log = logging.getLogger(__name__)


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


class TimestampUnavailable(Exception):
    """The configured time-stamping authority did not give a timestamp; nothing was signed."""


def sign_pdf(pdf: bytes, key: SigningKey, *, digest: str, reason: str | None = None,
             canonical: bytes | None = None, tsa_url: str | None = None, tsa_timeout: float = 10,
             tsa_trust: list | None = None) -> bytes:
    """A PAdES certification signature over the whole file, naming the outcome digest in its reason and keywords.

    `canonical`, the outcome's canonical JSON (whose SHA-256 must be `digest`), is embedded as `outcome.json`
    in the signed revision. With `tsa_url`, the signature carries an RFC 3161 timestamp from that authority
    (PAdES B-T; TimestampUnavailable if it does not answer). The certificates and revocation data that
    validate it are embedded (B-LT) where the chain can be validated from the platform's trust roots, the
    system's and `tsa_trust`; otherwise the signature is made without them.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from consult.documents.embedded import embed_outcome
    from consult.documents.pdfread import PdfReader

    if not OUTCOME_DIGEST.fullmatch(digest):
        raise ValueError("the outcome digest must be 64 lowercase hexadecimal characters")
    signer = signers.SimpleSigner.load(str(key.key_path), str(key.cert_path), key_passphrase=key.passphrase)
    if signer is None:
        raise ValueError(f"the signing key {key.key_path} or its certificate cannot be read")

    def prepared() -> IncrementalPdfFileWriter:
        stream = io.BytesIO(pdf)
        writer = IncrementalPdfFileWriter(stream, prev=PdfReader(stream, strict=False))
        # The digest also goes into the document information of the signed revision, whatever the template wrote.
        keywords = [word.strip() for word in writer.document_meta_view.keywords
                    if word.strip() and not word.strip().startswith(DIGEST_KEYWORD)]
        writer.document_meta.keywords = [*keywords, f"{DIGEST_KEYWORD}{digest}"]
        if canonical is not None:
            embed_outcome(writer, canonical, digest, when=datetime.now(UTC))
        return writer

    timestamper = http_timestamp_client(tsa_url, tsa_timeout) if tsa_url else None
    settings = dict(field_name="ConsultOutcome", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
                    reason=f"{reason} (consult outcome {digest})" if reason else f"consult outcome {digest}",
                    name="consult", certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES)
    # asn1crypto parses certificates lazily and is not thread-safe: the system roots and the platform key's
    # certificate are shared by every thread of the process, so one signing at a time walks them.
    with _ASN1_LOCK:
        context = _trust_context([key.certificate, *(_as_asn1(c) for c in tsa_trust or [])])
        try:
            return _signed(prepared(), signer, timestamper, signers.PdfSignatureMetadata(
                **settings, embed_validation_info=True, validation_context=context))
        except TimestampUnavailable:
            raise
        except Exception as error:  # the chain cannot be validated here: sign without the validation data
            from pyhanko.sign.general import SigningError

            if not isinstance(error, SigningError) and "valid" not in type(error).__name__.lower():
                raise
            log.info("signing without embedded validation data: %s", error)
            return _signed(prepared(), signer, timestamper, signers.PdfSignatureMetadata(**settings))


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
_ASN1_LOCK = threading.RLock()


def system_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The trusted roots, read and parsed by one thread only (see `_system_roots`)."""
    with _ASN1_LOCK:
        return _system_roots()


def _trust_context(extra: list[asn1_x509.Certificate]):
    """The system's trust roots and `extra`, revocation checked where the certificates say how."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=[*system_roots(), *extra], allow_fetching=True,
                             revocation_mode="soft-fail")


def _signed(writer, signer, timestamper: TimestampClient | None, metadata) -> bytes:
    from pyhanko.sign import signers
    from pyhanko.sign.timestamps import TimestampRequestError

    try:
        return signers.PdfSigner(metadata, signer=signer, timestamper=timestamper).sign_pdf(writer).getvalue()
    except Exception as error:
        cause, seen = error, 0
        while cause is not None and seen < 10:
            if isinstance(cause, TimestampRequestError) or (timestamper and isinstance(cause, OSError | TimeoutError)):
                raise TimestampUnavailable(f"the time-stamping authority at {timestamper.url} gave no timestamp "
                                           f"({type(cause).__name__}: {cause})") from error
            cause, seen = cause.__cause__ or cause.__context__, seen + 1
        raise


@dataclass
class Verification:
    """What a PDF's signature says."""

    intact: bool = False
    trusted: bool = False
    signer: str | None = None
    signed_at: datetime | None = None
    digest: str | None = None
    problems: list[str] = field(default_factory=list)
    #: SHA-256 of the signer's certificate, to compare with the one `consult keys init` printed.
    fingerprint: str | None = None
    #: SHA-256 of the outcome data embedded in the file (outcome.json), recomputed here; None: there is none.
    embedded_digest: str | None = None
    #: The RFC 3161 timestamp on the signature: when, by which authority, and whether it validates here.
    timestamp_at: datetime | None = None
    timestamp_authority: str | None = None
    timestamp_trusted: bool = False
    #: The file carries the certificates and revocation data that validate its signature (a /DSS: PAdES B-LT).
    validation_data: bool = False
    #: What updates appended after the signature change, beyond its own validation data (changes.KINDS).
    changes: list[str] = field(default_factory=list)

    @property
    def data(self) -> str:
        """The embedded outcome data against the signed digest: "matches", "differs" or "missing"."""
        if self.embedded_digest is None:
            return "missing"
        return "matches" if self.embedded_digest == self.digest else "differs"


def _as_asn1(certificate: Any) -> asn1_x509.Certificate:
    if isinstance(certificate, asn1_x509.Certificate):
        return certificate
    if isinstance(certificate, x509.Certificate):
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    if isinstance(certificate, bytes):  # DER or PEM
        if certificate.lstrip().startswith(b"-----"):
            return _as_asn1(x509.load_pem_x509_certificate(certificate))
        return asn1_x509.Certificate.load(certificate)
    raise TypeError(f"not a certificate: {type(certificate).__name__}")


def verify_pdf(pdf: bytes, trust: list | None = None, tsa_trust: list | None = None) -> Verification:
    """Check the signature: intact, covering the whole file, made by a trusted certificate; never raises.

    `trust` lists the certificates (asn1crypto, cryptography, or DER/PEM bytes) whose signatures count as
    the platform's: the signer's certificate must be one of them, or be issued by one of them. A timestamp
    counts when its authority's certificate chains to the system's trust roots or to one in `tsa_trust`.
    """
    result = Verification()
    if not isinstance(pdf, bytes | bytearray) or not bytes(pdf[:1024]).lstrip().startswith(b"%PDF-"):
        result.problems.append("This is not a PDF file.")
        return result
    try:
        _verify(bytes(pdf), [_as_asn1(c) for c in trust or []], [_as_asn1(c) for c in tsa_trust or []], result)
    except Exception as error:  # a damaged or hostile file is an answer, not a crash
        result.intact = result.trusted = False
        result.problems.append(f"The signature cannot be validated: {type(error).__name__}.")
    return result


def _verify(pdf: bytes, trust: list[asn1_x509.Certificate], tsa_trust: list[asn1_x509.Certificate],
            result: Verification) -> None:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from consult.documents.changes import changes_after
    from consult.documents.embedded import embedded_outcome
    from consult.documents.pdfread import PdfReader

    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # a damaged file is an answer, not a crash
        result.problems.append(f"The PDF cannot be read: {type(error).__name__}.")
        return
    try:
        embedded = embedded_outcome(reader)
    except Exception as error:  # a damaged attachment is reported; the signature is still checked
        embedded = None
        result.problems.append(f"The outcome data inside the file cannot be read: {type(error).__name__}.")
    result.embedded_digest = hashlib.sha256(embedded).hexdigest() if embedded is not None else None
    if not signatures:
        result.problems.append("The PDF carries no signature.")
        return
    # The platform's signature is the one naming an outcome; anything signed after it is an addition.
    named = [s for s in signatures if DIGEST_IN_REASON.search(str(s.sig_object.get("/Reason", "")))]
    signature = named[0] if named else signatures[-1]
    match = DIGEST_IN_REASON.search(str(signature.sig_object.get("/Reason", "")))
    result.digest = match.group(1) if match else None
    try:
        with _ASN1_LOCK:  # the roots and the platform's certificate are shared with every signing (`sign_pdf`)
            status = validate_pdf_signature(signature, ValidationContext(trust_roots=trust, allow_fetching=False),
                                            ts_validation_context=ValidationContext(
                                                trust_roots=[*system_roots(), *tsa_trust], allow_fetching=False))
    except Exception as error:  # the file was tampered with in a way the validator trips on
        result.problems.append(f"The signature cannot be validated: {type(error).__name__}: {error}.")
        return
    # After the signed revision, only validation data (a /DSS) and document timestamps may follow (PAdES LT/LTA);
    # pyHanko's own policy also lets the title and metadata change there, which a reader shows: not here.
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and status.intact and status.valid:
        try:
            result.changes = changes_after(reader, signature.signed_revision)
        except Exception:  # noqa: BLE001 - a revision the analysis cannot read is a change it cannot clear
            result.changes = ["structure"]
    covers_all = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and status.docmdp_ok is True
        and pdf.rstrip(b"\r\n\t\f\x00 ").endswith(b"%%EOF")  # nothing after the last revision either
        and status.modification_level is not None
        and status.modification_level.value <= ModificationLevel.LTA_UPDATES.value and not result.changes)
    result.intact = bool(status.intact and status.valid and covers_all)
    certificate = status.signing_cert
    if certificate is not None:
        result.signer = certificate.subject.human_friendly
        result.fingerprint = hashlib.sha256(certificate.dump()).hexdigest()
    # The platform's own certificate counts even when it has expired since: it made this signature.
    is_listed = certificate is not None and any(certificate.dump() == c.dump() for c in trust)
    result.trusted = bool(result.intact and (is_listed or status.trusted))
    result.signed_at = status.signer_reported_dt
    result.validation_data = "/DSS" in reader.root
    stamp = status.timestamp_validity
    if stamp is not None:
        result.timestamp_at = stamp.timestamp
        result.timestamp_authority = stamp.signing_cert.subject.human_friendly if stamp.signing_cert else None
        result.timestamp_trusted = bool(stamp.intact and stamp.valid and stamp.trusted)
        if not result.timestamp_trusted:
            result.problems.append("The signature's timestamp does not validate with a trusted time-stamping "
                                   "authority.")
    if not (status.intact and status.valid):
        result.problems.append("The signed content was changed after signing.")
    elif result.changes:
        result.problems.append("Something was added to the file after it was signed, which changes "
                               + ", ".join(CHANGE_NAMES[kind] for kind in result.changes) + ".")
    elif not covers_all:
        result.problems.append("Something was added to the file after it was signed.")
    if result.intact and not result.trusted:
        result.problems.append("The signature was not made with this platform's key.")
    if result.data == "differs":
        result.problems.append("The outcome data inside the file (outcome.json) does not match the digest its "
                               "signature names: it was changed.")
    if result.digest is None:
        result.problems.append("The signature names no consult outcome digest.")
    elif result.intact:
        keywords = reader.document_meta_view.keywords
        written = {word.strip()[len(DIGEST_KEYWORD):] for word in keywords if word.strip().startswith(DIGEST_KEYWORD)}
        if written and written != {result.digest}:
            result.problems.append("The document's metadata names another outcome digest than its signature.")
