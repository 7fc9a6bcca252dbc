"""Verification of the platform's signature on a PDF: intact, trusted, time-stamped, and naming its outcome.

A verdict never raises: a damaged or hostile file is an answer. Only validation data (a /DSS) and document
timestamps may follow the signed revision; anything else appended is a change, named (consult/documents/changes.py).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509

from consult.documents.keys import ASN1_LOCK, as_asn1, system_roots
from consult.documents.signing import DIGEST_IN_REASON, DIGEST_KEYWORD

#: How a verdict names what an update after signing changes (consult/documents/changes.py).
CHANGE_NAMES = {"metadata": "its metadata (the title, author, subject or keywords a reader shows)",
                "pages": "the content of its pages", "annotations": "annotations on its pages",
                "form_fields": "its form fields", "structure": "other parts of the document"}


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
        _verify(bytes(pdf), [as_asn1(c) for c in trust or []], [as_asn1(c) for c in tsa_trust or []], result)
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
        with ASN1_LOCK:  # the roots and the platform's certificate are shared with every signing (`sign_pdf`)
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
