"""The outcome PDF is an archival (PDF/A-3b) and tagged document, before and after its signature.

What is checked here with the tools at hand (pypdf, poppler's pdfinfo and pdffonts): the XMP pdfaid
identification, the output intent, /MarkInfo, the structure tree and its kinds of element, /Lang, the
title shown in the title bar, creation dates, every font embedded, no encryption. Full PDF/A conformance
is veraPDF's to judge (see exports/README.md).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree

import pypdf
import pytest

from consult.documents.keys import ensure_platform_key
from consult.documents.sandbox import render_outcome_pdf
from consult.documents.signing import sign_pdf
from consult.documents.verification import verify_pdf
from tests.documents.test_pdf import DIGEST, DOCUMENT

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict[str, bytes]:
    document = {**DOCUMENT, "annex": [
        {"id": 1, "parent_id": None, "section": "Privacy", "author": "Worker representative 1",
         "posted_at": "2027-02-01T10:00:00+00:00", "body_html": "<p>First remark.</p><ul><li>one</li></ul>"}]}
    pdf = render_outcome_pdf(document)
    key = ensure_platform_key(tmp_path_factory.mktemp("instance"))
    signed = sign_pdf(pdf, key, digest=DIGEST)
    assert verify_pdf(signed, trust=[key.certificate]).intact
    return {"rendered": pdf, "signed": signed}


def xmp_identification(reader: pypdf.PdfReader) -> dict[str, str]:
    """The pdfaid entries of the document's XMP metadata, as attributes or as elements."""
    root = ElementTree.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())
    found: dict[str, str] = {}
    for description in root.iter(f"{RDF}Description"):
        for name in ("part", "conformance"):
            if f"{PDFAID}{name}" in description.attrib:
                found[name] = description.attrib[f"{PDFAID}{name}"]
            element = description.find(f"{PDFAID}{name}")
            if element is not None:
                found[name] = element.text or ""
    return found


def structure_kinds(element, kinds: set[str], depth: int = 0) -> set[str]:
    """Every structure type (/S) in the structure tree below `element`."""
    element = element.get_object() if hasattr(element, "get_object") else element
    if depth > 200:
        return kinds
    if isinstance(element, pypdf.generic.ArrayObject):
        for child in element:
            structure_kinds(child, kinds, depth + 1)
    elif isinstance(element, pypdf.generic.DictionaryObject):
        if "/S" in element:
            kinds.add(str(element["/S"]))
        if "/K" in element:
            structure_kinds(element["/K"], kinds, depth + 1)
    return kinds


@pytest.mark.parametrize("version", ["rendered", "signed"])
def test_the_pdf_is_pdfa_3b_tagged_and_shows_its_title(versions, version, tmp_path):
    data = versions[version]
    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert xmp_identification(reader) == {"part": "3", "conformance": "B"}
    assert [str(intent["/S"]) for intent in root["/OutputIntents"]] == ["/GTS_PDFA1"]
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == pypdf.generic.BooleanObject(True)
    assert root["/Lang"] == "en"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    kinds = structure_kinds(root["/StructTreeRoot"], set())
    assert {"/H1", "/H2", "/H3", "/Table", "/TR", "/TH", "/TD", "/L", "/LI", "/P"} <= kinds, sorted(kinds)
    assert not reader.is_encrypted
    assert reader.metadata["/Title"] == "ShiftPilot at Northgate Logistics"
    assert re.match(r"D:\d{14}", reader.metadata["/CreationDate"])
    if not (shutil.which("pdfinfo") and shutil.which("pdffonts")):
        pytest.skip("poppler's pdfinfo and pdffonts are not installed")
    path = tmp_path / "outcome.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M) and re.search(r"^Encrypted:\s+no$", info, re.M)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts  # the "emb" column
