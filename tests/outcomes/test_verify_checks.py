"""A published file checked again is answered from the recent checks, never for another file or another key."""

from __future__ import annotations

import time

import pytest

from consult.documents import verification
from consult.documents.keys import ensure_platform_key
from consult.documents.sandbox import render_outcome_pdf
from consult.documents.signing import sign_pdf
from consult.outcomes.keys import platform_key
from consult.outcomes.verify import CHECKS, check_pdf
from tests.documents.test_pdf import DIGEST, DOCUMENT


@pytest.mark.one_database("sqlite", "a signature check reads no database")
def test_the_same_file_is_checked_once_and_a_changed_file_or_key_anew(app, tmp_path, monkeypatch):
    validations = []
    validate = verification.verify_pdf
    monkeypatch.setattr(verification, "verify_pdf", lambda *a, **k: validations.append(1) or validate(*a, **k))
    with app.app_context():
        signed = sign_pdf(render_outcome_pdf(DOCUMENT), platform_key(app), digest=DIGEST)
        first = check_pdf(signed)
        assert (first.intact, first.trusted, first.digest) == (True, True, DIGEST) and len(validations) == 1
        first.problems.append("a caller's own note")  # what a caller does to its answer is its own

        again = check_pdf(signed)
        assert again == check_pdf(signed) and again.problems == [] and again.digest == DIGEST
        assert len(validations) == 1  # answered from the recent checks

        flipped = bytearray(signed)
        flipped[len(signed) // 3] ^= 0x01
        assert check_pdf(bytes(flipped)).intact is False and len(validations) == 2

        # The platform's key replaced: the same file is now someone else's, and is checked anew.
        app.extensions["consult.signing_key"] = ensure_platform_key(tmp_path / "another")
        assert check_pdf(signed).trusted is False and len(validations) == 3


def test_a_check_is_kept_a_while_and_only_the_newest_few():
    from consult.outcomes.verify import Checks, Verification

    checks = Checks(size=2, seconds=0.2)
    for name in (b"a", b"b", b"c"):
        checks.put(name, Verification(digest=name.decode()))
    assert checks.get(b"a") is None and checks.get(b"c").digest == "c"
    time.sleep(0.3)
    assert checks.get(b"b") is None and checks.get(b"c") is None
    assert CHECKS.size >= 16 and CHECKS.seconds <= 600
