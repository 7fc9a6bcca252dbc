"""Checking a file: its signature, the outcome data inside it, and the record; one verdict, the worst first.

Only a check of the file itself proves that a copy is unaltered. Looking a digest up (`/verify/<digest>`)
says what the record holds about that digest, nothing about any file that names it.

A signature check costs a second or more of CPU, under the lock every signing shares, and the same published
file is checked again and again; the answer for the same bytes and the same trusted certificates is kept a
few minutes (`CHECKS`), short enough that a certificate's validity moves on with the clock.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from flask import current_app
from sqlalchemy.orm import Session

from consult.documents import verification
from consult.documents.verification import Verification
from consult.outcomes.keys import platform_key, tsa_trust
from consult.outcomes.snapshot import verification_record

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


class Checks:
    """Recent signature checks by (file, trusted certificates), the newest last; a copy of each is handed out."""

    def __init__(self, size: int = 32, seconds: float = 300.0) -> None:
        self.size, self.seconds = size, seconds
        self.kept: OrderedDict[bytes, tuple[float, Verification]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: bytes) -> Verification | None:
        """The check kept for this key, if it is recent."""
        with self.lock:
            found = self.kept.get(key)
            if found is None or time.monotonic() - found[0] > self.seconds:
                self.kept.pop(key, None)
                return None
            self.kept.move_to_end(key)
            return copy.deepcopy(found[1])

    def put(self, key: bytes, check: Verification) -> None:
        """Keep a check, forgetting the oldest beyond the size."""
        with self.lock:
            self.kept[key] = (time.monotonic(), copy.deepcopy(check))
            self.kept.move_to_end(key)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)


CHECKS = Checks()


def check_pdf(data: bytes) -> Verification:
    """The signature check of a PDF, trusting the platform's own certificate."""
    app = current_app._get_current_object()
    trust, timestamps = platform_key(app).certificate, tsa_trust(app)
    key = hashlib.sha256(bytes(data)).digest() + hashlib.sha256(trust.dump()).digest() + b"".join(
        hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).digest() for c in timestamps)
    check = CHECKS.get(key)
    if check is None:
        check = verification.verify_pdf(data, trust=[trust], tsa_trust=timestamps)
        CHECKS.put(key, check)
    return check


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
    check = check_pdf(data)
    record = verification_record(session, check.digest) if check.digest else None
    data_record = None
    if check.embedded_digest is not None and check.embedded_digest != check.digest:
        data_record = verification_record(session, check.embedded_digest)
    return FileVerdict(check, record, data_record, _verdict(check, record))
