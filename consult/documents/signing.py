"""The platform's signature on exported PDFs (PAdES, with pyHanko).

The platform key (consult/documents/keys.py) signs every outcome PDF it exports; the signature's reason and
the document's keywords carry the outcome digest, so anyone holding the file can check it against the record
(consult/documents/verification.py).
"""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, datetime

from asn1crypto import x509 as asn1_x509

from consult.documents.keys import ASN1_LOCK, SigningKey, as_asn1, system_roots
from consult.documents.timestamps import TimestampClient, http_timestamp_client

#: The signature's reason names the digest this way; so does the document's keyword (see render.py).
DIGEST_IN_REASON = re.compile(r"consult outcome ([0-9a-f]{64})")
DIGEST_KEYWORD = "consult-outcome-digest:"
OUTCOME_DIGEST = re.compile(r"[0-9a-f]{64}")
log = logging.getLogger(__name__)


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
    with ASN1_LOCK:
        context = _trust_context([key.certificate, *(as_asn1(c) for c in tsa_trust or [])])
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
