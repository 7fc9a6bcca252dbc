"""Checking a file: its signature, the outcome data inside it, and the record; one verdict, the worst first.

Only a check of the file itself proves that a copy is unaltered. Looking a digest up (`/verify/<digest>`)
says what the record holds about that digest, nothing about any file that names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from consult.documents.signing import Verification

#: The verdicts on a file, from the worst; only the last two say the file is an authentic copy.
VERDICTS = ("unsigned", "altered", "foreign", "data_differs", "no_digest", "not_on_record", "void", "frozen",
            "authentic_without_data", "authentic")
AUTHENTIC = frozenset({"authentic", "authentic_without_data"})


@dataclass
class FileVerdict:
    """The check of one file: the signature's answer, what the record holds, and the verdict."""

    check: Verification
    #: What the record holds about the digest the signature names (None: the signature names none).
    record: dict[str, Any] | None
    #: What the record holds about the digest of the embedded data, when that is another digest.
    data_record: dict[str, Any] | None
    verdict: str

    @property
    def authentic(self) -> bool:
        """The file is an unaltered copy of a signed outcome on record, signed with this platform's key."""
        return self.verdict in AUTHENTIC


def check_pdf(data: bytes) -> Verification:
    """The signature check of a PDF, trusting the platform's own certificate."""
    from consult.documents.signing import verify_pdf
    from consult.outcomes.keys import platform_key, tsa_trust

    app = current_app._get_current_object()
    return verify_pdf(data, trust=[platform_key(app).certificate], tsa_trust=tsa_trust(app))


def _verdict(check: Verification, record: dict[str, Any] | None) -> str:
    if not check.intact:  # a signature that no longer holds, or none at all
        return "altered" if check.digest or check.signer else "unsigned"
    if not check.trusted:
        return "foreign"
    if check.data == "differs":
        return "data_differs"
    if record is None:
        return "no_digest"
    if not record["on_record"]:
        return "not_on_record"
    if record["status"] != "signed":
        return "void" if record["status"] == "void" else "frozen"
    return "authentic" if check.data == "matches" else "authentic_without_data"


def examine(session: Session, data: bytes) -> FileVerdict:
    """Check a file against its signature, its embedded data and the record."""
    from consult.outcomes.api import verification_record

    check = check_pdf(data)
    record = verification_record(session, check.digest) if check.digest else None
    data_record = None
    if check.embedded_digest is not None and check.embedded_digest != check.digest:
        data_record = verification_record(session, check.embedded_digest)
    return FileVerdict(check, record, data_record, _verdict(check, record))
