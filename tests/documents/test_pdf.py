"""The outcome PDF, rendered by WeasyPrint and signed by pyHanko for real, read back with pypdf."""

from __future__ import annotations

import copy
import io
import os
import re
import stat

import pypdf
import pytest

from consult.documents.render import RenderFailed, render_outcome_pdf, write_pdf
from consult.documents.signing import ensure_platform_key, sign_pdf, verify_pdf

DIGEST = "3f" * 32
PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
SECTIONS = [
    ("system", "The system"), ("social_dialogue", "Social dialogue"), ("skills_training", "Skills and training"),
    ("safety_health_dignity", "Safety, health and dignity"), ("non_discrimination", "Non-discrimination"),
    ("privacy", "Privacy"), ("productivity_inclusion", "Productivity and inclusion"),
]
DOCUMENT = {
    "language": "en", "digest": DIGEST, "version": 2, "frozen_at": "2027-03-01T10:00:00+00:00",
    "verify_url": f"https://consult.example/verify/{DIGEST}",
    "round": {"id": 7, "title": "ShiftPilot at Northgate Logistics", "workflow": "standard",
              "time_zone": "Europe/Berlin", "employer": "Northgate Logistics"},
    "plan": {"system_name": "ShiftPilot", "provider": "Optimal Workforce Systems", "purpose": "Weekly rosters.",
             "functions": ["scheduling", "monitoring"], "is_high_risk": True, "workers_affected": 1850,
             "worker_groups": "Pickers", "sites": "Hamburg", "data_collected": "Scanner events",
             "data_retention": "90 days", "data_access": "Shift leads", "human_oversight": "Leads approve",
             "contest_route": "Works council", "rollout_starts_on": "2027-03-01", "rollout_completes_on": None,
             "country": "DE", "sector": "Logistics"},
    "sections": [{"key": key, "title": title, "impact_statement": f"Impact on {title.lower()}.",
                  "position": {"version": 1, "text_html": f"<p>Agreed text on {title.lower()}. " + "More. " * 120
                               + "</p>"},
                  "stances": [{"constituency": "workers", "stance": "agree_with_reservation",
                               "statement": f"Workers' statement on {title.lower()}."},
                              {"constituency": "employers", "stance": "agree", "statement": ""}]}
                 for key, title in SECTIONS],
    "commitments": [{"description": "Publish an annual algorithmic audit", "owner": "Northgate Logistics",
                     "kpi": "Audits published", "target": "1 per year", "due_on": "2027-12-31"}],
    "participants": [{"organisation": "United Transport Workers", "constituency": "workers",
                      "people": ["Worker representative 1"]}],
    "signatures": [{"constituency": "workers", "name": "Amira Haddad", "organisation": "United Transport Workers",
                    "role": "Shop steward", "signed_at": "2027-03-02T09:00:00+00:00", "reservation": None},
                   {"constituency": "government", "name": "Pedro Alves", "organisation": "Ministry of Labour",
                    "role": "Inspector", "signed_at": "2027-03-02T10:00:00+00:00",
                    "reservation": "Subject to the DPA's review."}],
    "annex": [],
}


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_outcome_pdf(DOCUMENT)


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_the_document_has_every_part_with_page_numbers_and_its_language(pdf):
    pages = pages_text(pdf)
    text = "\n".join(pages)
    for needed in ("ShiftPilot at Northgate Logistics", "Contents", "The AI deployment plan in brief",
                   "Workers' statement on privacy.", "Publish an annual algorithmic audit", "Amira Haddad",
                   "Subject to the DPA's review.", DIGEST, f"https://consult.example/verify/{DIGEST}",
                   "agrees with a reservation", "Worker representative 1"):
        assert needed.replace(" ", "") in re.sub(r"\s+", "", text), needed  # long lines wrap anywhere
    total = len(pages)
    assert total >= 9
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
    # The table of contents names the page each section starts on.
    contents = pages[1]
    for _, title in SECTIONS:
        listed = int(re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, re.M).group(1))
        assert pages[listed - 1].lstrip().startswith(title) or title in pages[listed - 1].splitlines()[0:3], title
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.metadata["/Keywords"] == f"consult-outcome-digest:{DIGEST}"
    fonts = {font.get_object()["/BaseFont"].split("+")[-1] for page in reader.pages
             for font in page["/Resources"].get("/Font", {}).values()}
    assert fonts <= {"Consult-Sans", "Consult-Sans-Bold", "Consult-Sans-Italic"} and "Consult-Sans" in fonts


def test_the_document_speaks_its_language():
    french = render_outcome_pdf({**DOCUMENT, "language": "fr"})
    pages = pages_text(french)
    assert "Engagements" in pages[1] and f"Page 1 sur {len(pages)}" in pages[0]
    assert pypdf.PdfReader(io.BytesIO(french)).trailer["/Root"]["/Lang"] == "fr"
    assert "approuve avec réserve" in "\n".join(pages)


def test_user_content_cannot_make_the_renderer_read_files_or_the_network():
    hostile = copy.deepcopy(DOCUMENT)
    hostile["sections"][0]["position"]["text_html"] = (
        '<p>x<img src="file:///etc/passwd"><img src="http://127.0.0.1:1/x.png">'
        f'<img src="data:image/png;base64,{PIXEL}">'
        '<img src="../../../../etc/hostname"><span style="background: url(file:///etc/shadow)">y</span></p>')
    refused: list[str] = []
    data = write_pdf(hostile, refused=refused)
    assert data.startswith(b"%PDF-")
    assert any(url.startswith("file:///etc/passwd") for url in refused)
    assert any(url.startswith("http://127.0.0.1:1") for url in refused)
    assert any(url.startswith("data:image/png") for url in refused)
    assert any(url.endswith("/etc/hostname") for url in refused)
    assert any(url.startswith("file:///etc/shadow") for url in refused)
    assert b"root:" not in data
    assert not any("print.css" in url or "fonts/" in url for url in refused)  # the bundled assets load


def test_a_render_past_its_time_or_memory_fails_cleanly():
    with pytest.raises(RenderFailed, match="longer than"):
        render_outcome_pdf(DOCUMENT, timeout=0.05)
    with pytest.raises(RenderFailed, match="memory|MemoryError|stopped"):
        render_outcome_pdf(DOCUMENT, memory_mb=60)
    assert render_outcome_pdf(DOCUMENT).startswith(b"%PDF-")  # and the next render works


def test_signed_pdfs_verify_and_any_change_is_caught(pdf, tmp_path):
    key = ensure_platform_key(tmp_path)
    assert stat.S_IMODE(os.stat(key.key_path).st_mode) == 0o600
    assert ensure_platform_key(tmp_path).fingerprint == key.fingerprint  # made once
    signed = sign_pdf(pdf, key, digest=DIGEST)
    good = verify_pdf(signed, trust=[key.certificate])
    assert (good.intact, good.trusted, good.digest, good.problems) == (True, True, DIGEST, [])
    assert "consult platform" in good.signer

    flipped = bytearray(signed)
    flipped[len(pdf) // 2] ^= 0x01
    assert not verify_pdf(bytes(flipped), trust=[key.certificate]).intact
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    update = IncrementalPdfFileWriter(io.BytesIO(signed))
    update.root["/Lang"] = generic.TextStringObject("de")  # a later revision, appended after the signature
    update.update_root()
    changed = io.BytesIO()
    update.write(changed)
    appended = verify_pdf(changed.getvalue(), trust=[key.certificate])
    assert not appended.intact and "added" in appended.problems[0]
    stranger = ensure_platform_key(tmp_path / "other")
    foreign = verify_pdf(sign_pdf(pdf, stranger, digest=DIGEST), trust=[key.certificate])
    assert foreign.intact and not foreign.trusted
    assert verify_pdf(pdf).problems == ["The PDF carries no signature."]
    assert verify_pdf(b"not a pdf").problems == ["This is not a PDF file."]
