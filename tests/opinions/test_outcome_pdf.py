"""The outcome PDF carries the opinions (deemed ones with their law), the reasoned responses, consent per
function with the next step, and the experts; rendered by WeasyPrint for real and read back with pypdf."""

from __future__ import annotations

import copy
import io
import re

import pypdf
import pytest

from consult.documents.sandbox import render_outcome_pdf
from tests.documents.test_pdf import DOCUMENT

PROCEDURE = {
    "opinions": [
        {"constituency": "workers", "section": "overall", "verdict": "deemed_negative", "is_deemed": True,
         "reasons": "No opinion was given before the deadline.", "basis": "Code du travail L2312-16",
         "given_at": "2027-02-01T10:00:00+00:00", "signed_by": None, "response": None},
        {"constituency": "workers", "section": "privacy", "verdict": "disagree", "is_deemed": False,
         "reasons": "Scanner data kept for too long.", "basis": None, "given_at": "2027-01-20T10:00:00+00:00",
         "signed_by": "Amira Haddad",
         "response": {"reasons": "Retention cut to thirty days.", "by": "Erin Employer",
                      "at": "2027-01-25T10:00:00+00:00"}},
    ],
    "consents": [
        {"function": "scheduling", "decision": "given", "reasons": "", "is_agreed": True, "next_step": None,
         "decided_at": "2027-01-20T10:00:00+00:00", "basis": "BetrVG §87(1) no. 6"},
        {"function": "monitoring", "decision": "refused", "reasons": "Individual scores refused.",
         "is_agreed": False, "next_step": "Not agreed: the conciliation board (Einigungsstelle) decides.",
         "decided_at": "2027-01-21T10:00:00+00:00", "basis": "BetrVG §87(1) no. 6"},
    ],
    "experts": [{"constituency": "workers", "name": "Eva Expert", "firm": "Cabinet Syndex", "reason": "DPIA review",
                 "brief": "Assess monitoring.", "member_in_charge": "Wim Worker",
                 "appointed_at": "2027-01-10T10:00:00+00:00",
                 "costs": [{"amount_minor": 150000, "currency": "EUR", "description": "Report"}],
                 "employer_bears_costs": True}],
}


def _text(document: dict) -> str:
    pdf = render_outcome_pdf(document)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pdf_shows_opinions_responses_consents_and_experts(language):
    document = {**copy.deepcopy(DOCUMENT), **copy.deepcopy(PROCEDURE), "language": language}
    text = _text(document)
    for words in ("Code du travail L2312-16", "Scanner data kept for too long.", "Retention cut to thirty days.",
                  "Amira Haddad", "Einigungsstelle", "Individual scores refused.", "Cabinet Syndex", "1500.00 EUR",
                  "BetrVG §87(1) no. 6"):
        assert words in text, words
    if language == "en":
        for words in ("Formal opinions and reasoned responses", "deemed to have given a negative opinion",
                      "The employer's reasoned response", "consent refused", "consent given", "Experts"):
            assert words in text, words
    else:
        assert "Avis formels et réponses motivées" in text and "consentement refusé" in text


def test_a_document_without_a_procedure_has_no_such_chapter():
    assert "Formal opinions" not in _text(copy.deepcopy(DOCUMENT))
