"""An update appended after the signature is named by what it changes; only the signing's own validation data
leaves a file "unaltered". Each forged copy is also put to pyHanko's own analysis and to poppler's pdfsig.

ISO 32000-1 §7.5.6 (incremental updates) and §12.8.1: a signature's /ByteRange covers the file as it was
signed; what is appended after it is not signed. PAdES (ETSI EN 319 142-1 §5.4) lets the signer append
validation data (a /DSS) and document timestamps after it; nothing else is part of the signed document.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from consult.documents.verification import verify_pdf
from tests.documents.test_pdf import DIGEST, key, pdf, signed  # noqa: F401 - fixtures

XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
       b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Forged'
       b'</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def _written(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def retitled(original: bytes) -> bytes:
    """The document information's /Title rewritten (what a viewer shows in its title bar)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(original), strict=False)
    info_ref = writer.trailer.raw_get("/Info")
    info = info_ref.get_object()
    info["/Title"] = generic.TextStringObject("A forged title")
    writer.mark_update(info_ref)
    return _written(writer)


def new_xmp(original: bytes) -> bytes:
    """The XMP metadata stream replaced by one with another title."""
    writer = IncrementalPdfFileWriter(io.BytesIO(original), strict=False)
    stream = generic.StreamObject(generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject(
        "/Metadata"), generic.NameObject("/Subtype"): generic.NameObject("/XML")}), stream_data=XMP)
    writer.root["/Metadata"] = writer.add_object(stream)
    writer.update_root()
    return _written(writer)


def drawn_over(original: bytes) -> bytes:
    """A white box drawn over part of the first page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(original), strict=False)
    box = generic.StreamObject(stream_data=b"q 1 1 1 rg 50 400 500 300 re f Q")
    writer.add_stream_to_page(0, writer.add_object(box))
    return _written(writer)


def annotated(original: bytes) -> bytes:
    """A free-text annotation added to the first page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(original), strict=False)
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    note = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (50, 50, 300, 100)]),
        generic.NameObject("/Contents"): generic.TextStringObject("Not agreed"),
        generic.NameObject("/DA"): generic.TextStringObject("/Helv 12 Tf 0 g")}))
    page["/Annots"] = generic.ArrayObject([*page.get("/Annots", []), note])
    writer.update_container(page)
    return _written(writer)


def field_filled(original: bytes) -> bytes:
    """A text field added to the form with a value, its widget on the first page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(original), strict=False)
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    field = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/FT"): generic.NameObject("/Tx"), generic.NameObject("/T"): generic.TextStringObject("x"),
        generic.NameObject("/V"): generic.TextStringObject("Agreed: no"),
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Widget"), generic.NameObject("/P"): page_ref,
        generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (50, 50, 300, 100)])}))
    page["/Annots"] = generic.ArrayObject([*page.get("/Annots", []), field])
    writer.update_container(page)
    form = writer.root["/AcroForm"]
    form["/Fields"].append(field)
    writer.update_container(form)
    return _written(writer)


def pyhanko_level(data: bytes, platform) -> tuple:
    """pyHanko's own finding: coverage, DocMDP and modification level under its default policy."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    status = validate_pdf_signature(reader.embedded_signatures[0],
                                    ValidationContext(trust_roots=[platform.certificate], allow_fetching=False))
    return status.coverage.name, status.docmdp_ok, status.modification_level


def pdfsig(data: bytes, tmp_path) -> str:
    path = tmp_path / "copy.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout


needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils' pdfsig is not installed")


@needs_pdfsig
def test_the_signings_own_validation_data_leaves_the_file_unaltered(signed, key, tmp_path):  # noqa: F811
    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    assert reader.xrefs.total_revisions > reader.embedded_signatures[0].signed_revision + 1  # the /DSS update
    assert "/DSS" in reader.root
    coverage, docmdp_ok, level = pyhanko_level(signed, key)
    assert (coverage, docmdp_ok, level) == ("ENTIRE_REVISION", True, ModificationLevel.LTA_UPDATES)
    report = pdfsig(signed, tmp_path)
    assert "Signature is Valid" in report and "Not total document signed" in report  # the /DSS is appended
    found = verify_pdf(signed, trust=[key.certificate])
    assert (found.intact, found.trusted, found.changes, found.problems) == (True, True, [], [])


@needs_pdfsig
@pytest.mark.parametrize(("forge", "kinds", "pyhanko_clears_it"), [
    (retitled, ["metadata"], True),  # pyHanko's DocInfoRule counts /Info among LTA updates
    (new_xmp, ["metadata"], True),  # ... and its MetadataUpdateRule the XMP stream
    (drawn_over, ["pages"], False),
    (annotated, ["annotations"], False),
    (field_filled, ["form_fields"], False),
])
def test_each_kind_of_update_after_signing_is_named(signed, key, tmp_path, forge, kinds, pyhanko_clears_it):  # noqa: F811
    forged = forge(signed)
    coverage, docmdp_ok, level = pyhanko_level(forged, key)
    assert coverage == "ENTIRE_REVISION"
    # What pyHanko's default policy makes of it: the metadata updates pass as LTA updates (the gap this closes).
    assert (docmdp_ok is True and level == ModificationLevel.LTA_UPDATES) is pyhanko_clears_it
    report = pdfsig(forged, tmp_path)
    assert "Signature is Valid" in report and "Not total document signed" in report
    found = verify_pdf(forged, trust=[key.certificate])
    assert not found.intact and not found.trusted
    assert found.changes == kinds
    assert found.problems[0].startswith("Something was added to the file after it was signed, which changes")


@needs_pdfsig
def test_a_truncated_copy_is_not_unaltered(signed, key, tmp_path):  # noqa: F811
    cut = signed[: len(signed) * 2 // 3]  # into the signed content
    found = verify_pdf(cut, trust=[key.certificate])
    assert not found.intact and found.problems
    assert "Signature is Valid" not in pdfsig(cut, tmp_path)
    after_signature = signed[: len(signed) - 200]  # into the /DSS update appended after the signature
    found = verify_pdf(after_signature, trust=[key.certificate])
    assert not found.intact and found.problems
    assert "Not total document signed" in pdfsig(after_signature, tmp_path)
