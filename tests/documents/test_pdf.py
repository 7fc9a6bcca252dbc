"""The outcome PDF, rendered by WeasyPrint and signed by pyHanko for real, read back with pypdf."""

from __future__ import annotations

import copy
import io
import multiprocessing
import os
import re
import shutil
import stat
import time
from datetime import UTC, datetime

import pypdf
import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from consult.documents.cli import keys, verify_file
from consult.documents.keys import ensure_platform_key, load_signing_key
from consult.documents.render import EXPORTS, write_pdf
from consult.documents.sandbox import RenderFailed, render_in_child, render_outcome_pdf
from consult.documents.signing import sign_pdf
from consult.documents.verification import verify_pdf

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


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return ensure_platform_key(tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="module")
def signed(pdf, key) -> bytes:
    return sign_pdf(pdf, key, digest=DIGEST)


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)  # long lines (the digest, the address) wrap anywhere


def test_the_document_has_every_part_with_page_numbers_and_its_language(pdf):
    pages = pages_text(pdf)
    text = "\n".join(pages)
    for needed in ("ShiftPilot at Northgate Logistics", "Contents", "The AI deployment plan in brief",
                   "Workers' statement on privacy.", "Publish an annual algorithmic audit", "Amira Haddad",
                   "Subject to the DPA's review.", DIGEST, f"https://consult.example/verify/{DIGEST}",
                   "agrees with a reservation", "Worker representative 1", "Commitments", "Participants",
                   "Signatures", "scheduling, monitoring", "Shop steward",
                   "March 2, 2027, 10:00 (UTC+01:00)", "Dec 31, 2027"):
        assert squeezed(needed) in squeezed(text), needed
    for _, title in SECTIONS:
        assert title in text, title
    total = len(pages)
    assert total >= 9
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
        if number > 1:  # the running header names the document
            assert "ShiftPilot at Northgate Logistics" in page
    # The table of contents names the page each section starts on.
    contents = pages[1]
    for _, title in SECTIONS:
        listed = int(re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, re.M).group(1))
        assert pages[listed - 1].lstrip().startswith(title) or title in pages[listed - 1].splitlines()[0:3], title
        assert all(title not in page.splitlines()[0:1] for page in pages[2:listed - 1]), title
    # The signature page carries the digest and the address to verify it.
    assert squeezed(f"SHA-256: {DIGEST}") in squeezed(pages[-1])
    assert squeezed(f"https://consult.example/verify/{DIGEST}") in squeezed(pages[-1])
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.metadata["/Keywords"] == f"consult-outcome-digest:{DIGEST}"
    assert reader.metadata["/Title"] == "ShiftPilot at Northgate Logistics"
    fonts = {font.get_object()["/BaseFont"].split("+")[-1] for page in reader.pages
             for font in page["/Resources"].get("/Font", {}).values()}
    assert fonts <= {"Consult-Sans", "Consult-Sans-Bold", "Consult-Sans-Italic"} and "Consult-Sans" in fonts
    embedded = {font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
                .get("/FontFile2") is not None for page in reader.pages
                for font in page["/Resources"].get("/Font", {}).values()}
    assert embedded == {True}  # the shipped TrueType files themselves, not a viewer's substitute


@pytest.mark.parametrize(("language", "contents", "page_one", "stance"), [
    ("fr", "Sommaire", "Page 1 sur {total}", "approuve avec réserve"),
    ("es", "Índice", "Página 1 de {total}", "está de acuerdo con reservas"),
])
def test_the_document_speaks_its_language(language, contents, page_one, stance):
    data = render_outcome_pdf({**DOCUMENT, "language": language})
    pages = pages_text(data)
    assert contents in pages[1] and page_one.format(total=len(pages)) in pages[0]
    assert pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == language
    assert stance in "\n".join(pages)


def test_user_content_cannot_make_the_renderer_read_files_or_the_network():
    hostile = copy.deepcopy(DOCUMENT)
    hostile["sections"][0]["position"]["text_html"] = (
        '<p>x<img src="file:///etc/passwd"><img src="http://127.0.0.1:1/x.png">'
        f'<img src="data:image/png;base64,{PIXEL}">'
        '<img src="../../../../etc/hostname"><span style="background: url(file:///etc/shadow)">y</span></p>'
        '<style>@import url("file:///etc/ssl/openssl.cnf"); p { background: url(https://127.0.0.1:1/bg.png) }'
        '</style>')
    hostile["annex"] = [{"section": "Privacy", "author": "Worker representative 1",
                         "posted_at": "2027-02-01T10:00:00+00:00",
                         "body_html": '<p>z<img src="file://localhost/etc/passwd"></p>'}]
    refused: list[str] = []
    data = write_pdf(hostile, refused=refused)
    assert data.startswith(b"%PDF-")
    for address in ("file:///etc/passwd", "http://127.0.0.1:1", "data:image/png", "file:///etc/shadow",
                    "file:///etc/ssl/openssl.cnf", "https://127.0.0.1:1", "file://localhost/etc/passwd"):
        assert any(url.startswith(address) for url in refused), address
    assert any(url.endswith("/etc/hostname") for url in refused)
    assert b"root:" not in data
    assert not any("print.css" in url or "fonts/" in url for url in refused)  # the bundled assets load
    assert "Annex: plenary comments" in "\n".join(pages_text(data))


def test_a_deployers_template_still_records_the_digest_and_language(tmp_path, key):
    exports = tmp_path / "exports"
    shutil.copytree(EXPORTS, exports)
    template = exports / "outcome.html"
    text = template.read_text()
    text = re.sub(r'<meta name="keywords"[^>]*>', "", text).replace('<html lang="{{ language }}">', "<html>")
    template.write_text(text.replace("<body>", "<body><p>Printed by the Ministry's own template</p>"))
    data = render_outcome_pdf(DOCUMENT, exports_dir=exports)
    assert "Printed by the Ministry's own template" in pages_text(data)[0]
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.metadata["/Keywords"] == f"consult-outcome-digest:{DIGEST}"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    signed = sign_pdf(data, key, digest="ab" * 32, reason="Round 7, version 2")
    reader = pypdf.PdfReader(io.BytesIO(signed))
    assert reader.metadata["/Keywords"] == f"consult-outcome-digest:{'ab' * 32}"  # the signed digest wins
    checked = verify_pdf(signed, trust=[key.certificate])
    assert checked.intact and checked.digest == "ab" * 32 and checked.problems == []


def test_a_render_past_its_time_or_memory_fails_cleanly():
    began = time.monotonic()
    with pytest.raises(RenderFailed, match="longer than"):
        render_outcome_pdf(DOCUMENT, timeout=0.05)
    assert time.monotonic() - began < 10
    with pytest.raises(RenderFailed, match="memory|MemoryError|stopped"):
        render_outcome_pdf(DOCUMENT, memory_mb=60)
    assert multiprocessing.active_children() == []  # the children were stopped, none lingers
    result = render_in_child(DOCUMENT)  # and the next render works
    assert result.pdf.startswith(b"%PDF-") and result.pages >= 9 and result.peak_rss_mb > 0


def test_signed_pdfs_verify_and_any_change_is_caught(pdf, signed, key, tmp_path):
    good = verify_pdf(signed, trust=[key.certificate])
    assert (good.intact, good.trusted, good.digest, good.problems) == (True, True, DIGEST, [])
    assert "consult platform" in good.signer and good.fingerprint == key.fingerprint
    assert abs((datetime.now(UTC) - good.signed_at).total_seconds()) < 600
    assert pypdf.PdfReader(io.BytesIO(signed)).metadata["/Keywords"] == f"consult-outcome-digest:{DIGEST}"

    flipped = bytearray(signed)
    flipped[len(pdf) // 2] ^= 0x01  # one byte inside the signed content
    changed = verify_pdf(bytes(flipped), trust=[key.certificate])
    assert not changed.intact and not changed.trusted and changed.problems

    update = IncrementalPdfFileWriter(io.BytesIO(signed))
    update.root["/Lang"] = generic.TextStringObject("de")  # a later revision, appended after the signature
    update.update_root()
    later = io.BytesIO()
    update.write(later)
    appended = verify_pdf(later.getvalue(), trust=[key.certificate])
    assert not appended.intact and "added" in appended.problems[0]
    trailing = verify_pdf(signed + b"\n% one more line\n", trust=[key.certificate])
    assert not trailing.intact and "added" in trailing.problems[0]

    stranger = ensure_platform_key(tmp_path / "other")
    foreign = verify_pdf(sign_pdf(pdf, stranger, digest=DIGEST), trust=[key.certificate])
    assert foreign.intact and not foreign.trusted and "platform's key" in foreign.problems[0]
    assert verify_pdf(signed).trusted is False  # nothing is trusted unless asked
    assert verify_pdf(pdf).problems == ["The PDF carries no signature."]


@pytest.mark.parametrize("garbage", [b"", b"not a pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8, None])
def test_verifying_garbage_answers_and_never_raises(garbage, signed):
    data = signed[: len(signed) * 2 // 3] if garbage is None else garbage  # None: a truncated signed file
    result = verify_pdf(data)
    assert not result.intact and not result.trusted and result.problems


def test_the_platform_key_is_made_once_and_kept_private(tmp_path):
    runner = CliRunner()
    first = runner.invoke(keys, ["init", "--instance", str(tmp_path)], env={"CONSULT_SIGNING_KEY": "",
                                                                          "CONSULT_SIGNING_CERT": ""})
    assert first.exit_code == 0, first.output
    made = ensure_platform_key(tmp_path)
    assert stat.S_IMODE(os.stat(made.key_path).st_mode) == 0o600
    assert str(made.key_path) in first.output and made.fingerprint in first.output
    second = runner.invoke(keys, ["init", "--instance", str(tmp_path)], env={"CONSULT_SIGNING_KEY": "",
                                                                           "CONSULT_SIGNING_CERT": ""})
    assert "exists already" in second.output and made.fingerprint in second.output
    assert ensure_platform_key(tmp_path).fingerprint == made.fingerprint
    configured = load_signing_key(made.key_path, made.cert_path)
    assert configured.fingerprint == made.fingerprint
    with pytest.raises(FileNotFoundError):
        load_signing_key(tmp_path / "missing.pem", made.cert_path)


def test_verify_file_reads_a_pdf_from_disk(signed, key, tmp_path):
    path = tmp_path / "outcome.pdf"
    path.write_bytes(signed)
    assert verify_file(path, trust=[key.certificate]).intact
    missing = verify_file(tmp_path / "nowhere.pdf")
    assert not missing.intact and "cannot be read" in missing.problems[0]
