"""Promise 6: a signed outcome PDF changed after signing is never reported "unaltered". The updates tried here
are the ones pyHanko's signature-field rule lets through: a new signature field (visible, with an appearance
that prints "AMENDED" on the page), and a title change hidden behind an attacker's own later signature."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from consult.documents.verification import verify_pdf
from tests.documents.test_changes_after_signing import _written
from tests.documents.test_pdf import key, pdf, signed  # noqa: F401 - fixtures

N = generic.NameObject


def _stamped_by_a_new_signature_field(original: bytes, *, box: tuple[int, ...]) -> bytes:
    """An empty signature field whose widget's appearance prints "AMENDED" over the first page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(original), strict=False)
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    font = writer.add_object(generic.DictionaryObject({N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"),
                                                       N("/BaseFont"): N("/Helvetica")}))
    stamp = generic.StreamObject(generic.DictionaryObject({
        N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
        N("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 250, 70)]),
        N("/Resources"): generic.DictionaryObject({N("/Font"): generic.DictionaryObject({N("/F1"): font})})}),
        stream_data=b"BT /F1 40 Tf 10 20 Td (AMENDED) Tj ET")
    field = writer.add_object(generic.DictionaryObject({
        N("/FT"): N("/Sig"), N("/T"): generic.TextStringObject("Amendment"), N("/Type"): N("/Annot"),
        N("/Subtype"): N("/Widget"), N("/P"): page_ref, N("/F"): generic.NumberObject(4),
        N("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in box]),
        N("/AP"): generic.DictionaryObject({N("/N"): writer.add_object(stamp)})}))
    page["/Annots"] = generic.ArrayObject([*page.get("/Annots", []), field])
    writer.update_container(page)
    form = writer.root["/AcroForm"]
    form["/Fields"].append(field)
    writer.update_container(form)
    return _written(writer)


def test_a_visible_signature_field_stamped_after_signing_is_not_unaltered(signed, key):  # noqa: F811
    forged = _stamped_by_a_new_signature_field(signed, box=(50, 50, 300, 120))
    found = verify_pdf(forged, trust=[key.certificate])
    assert not found.intact and not found.trusted, found.changes
    assert found.changes, found.problems  # named for what it is


def test_a_zero_size_signature_field_with_an_appearance_is_not_unaltered(signed, key):  # noqa: F811
    forged = _stamped_by_a_new_signature_field(signed, box=(50, 50, 50, 50))
    found = verify_pdf(forged, trust=[key.certificate])
    assert not found.intact and not found.trusted, found.changes
    assert found.changes, found.problems  # named for what it is
