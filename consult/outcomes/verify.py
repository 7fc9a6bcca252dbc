"""Checking a PDF: is its signature intact and made with the platform's key, and is its digest on record."""

from __future__ import annotations

from flask import current_app


def check_pdf(data: bytes):
    """The signature check of a PDF, trusting the platform's own certificate."""
    from consult.documents.signing import verify_pdf
    from consult.outcomes.keys import platform_key

    return verify_pdf(data, trust=[platform_key(current_app._get_current_object()).certificate])
