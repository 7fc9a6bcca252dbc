"""consult's PDF reader reads each object stream's index once, and answers every lookup as pyHanko's reader does.

An object stream (ISO 32000-1 §7.5.7, "Object Streams") holds N objects after a header of N pairs of integers,
"the object number of a compressed object and the byte offset in the decoded stream, relative to the first
object". pyHanko's reader is the reference for what a lookup returns, refuses (strict) or replaces by null; the
work is counted in integers read from headers, never timed.
"""

from __future__ import annotations

import io

import pydyf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from consult.documents.pdfread import PdfReader

N = 400


def pydyf_pdf(count: int = N) -> bytes:
    """A PDF written as WeasyPrint writes its outcomes: pydyf with compression, every small object in one stream."""
    pdf = pydyf.PDF()
    objects = []
    for number in range(count):
        item = pydyf.Dictionary({"Kind": "/Item", "Number": number, "Label": pydyf.String(f"item {number}")})
        pdf.add_object(item)
        objects.append(item.reference)
    pdf.catalog["Items"] = pydyf.Array(objects)
    output = io.BytesIO()
    pdf.write(output, version=b"1.7", compress=True)
    return output.getvalue()


def handmade(bodies: list[bytes], edit=lambda header: header) -> tuple[bytes, int]:
    """A PDF with objects 3.. in one uncompressed object stream (header changed by `edit`) and an xref stream
    (ISO 32000-1 §7.5.8: type 2 entries name the stream and the index in it); (file, the stream's number)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {1: len(out)}
    out += b"1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n"
    offsets[2] = len(out)
    out += b"2 0 obj\n<</Type/Pages/Kids[]/Count 0>>\nendobj\n"
    stream_number = 3 + len(bodies)
    pairs, position = [], 0
    for number, body in enumerate(bodies, start=3):
        pairs.append(f"{number} {position}")
        position += len(body) + 1
    header = edit(" ".join(pairs).encode())
    data = header + b"\n" + b"\n".join(bodies) + b"\n"
    offsets[stream_number] = len(out)
    out += (f"{stream_number} 0 obj\n<</Type/ObjStm/N {len(bodies)}/First {len(header) + 1}/Length {len(data)}>>\n"
            f"stream\n").encode() + data + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [(0, 0, 65535), (1, offsets[1], 0), (1, offsets[2], 0),
            *((2, stream_number, index) for index in range(len(bodies))),
            (1, offsets[stream_number], 0), (1, xref_at, 0)]
    table = b"".join(kind.to_bytes(1, "big") + field.to_bytes(4, "big") + other.to_bytes(2, "big")
                     for kind, field, other in rows)
    out += (f"{stream_number + 1} 0 obj\n<</Type/XRef/Size {stream_number + 2}/W[1 4 2]/Root 1 0 R"
            f"/Length {len(table)}>>\nstream\n").encode() + table + b"\nendstream\nendobj\n"
    out += f"startxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out), stream_number


def plain(value):
    """A PDF object as plain Python, to compare two readers' answers."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, generic.Reference | generic.IndirectObject):
        return ("ref", value.idnum, value.generation)
    if isinstance(value, generic.NullObject):
        return ("NullObject", None)
    return (type(value).__name__, str(value))


def answer(reader_class, data: bytes, strict: bool, lookup):
    """What a lookup gives with that reader: ("value", plain value) or ("refused", the error's type and text)."""
    reader = reader_class(io.BytesIO(data), strict=strict)
    try:
        return "value", plain(lookup(reader))
    except Exception as error:  # noqa: BLE001 - the refusal itself is what is compared
        return "refused", type(error).__name__, str(error)


@pytest.fixture
def integers_read(monkeypatch):
    """How many integers every reader reads from anywhere (object headers, object streams' headers)."""
    counted = [0]
    read = generic.NumberObject.read_from_stream

    def counting(stream):
        counted[0] += 1
        return read(stream)

    monkeypatch.setattr(generic.NumberObject, "read_from_stream", staticmethod(counting))
    return counted


def test_every_object_of_a_large_object_stream_is_read_with_one_pass_over_its_header(integers_read):
    data = pydyf_pdf()
    readers = {}
    for reader_class in (PdfFileReader, PdfReader):
        integers_read[0] = 0
        reader = reader_class(io.BytesIO(data), strict=True)
        items = [reference.get_object() for reference in reader.root.raw_get("/Items")]
        readers[reader_class] = ([plain(item) for item in items], integers_read[0])
    (theirs, their_work), (ours, our_work) = readers[PdfFileReader], readers[PdfReader]
    assert ours == theirs and ours[N - 1]["/Label"] == ("TextStringObject", f"item {N - 1}")
    # §7.5.7: the header holds 2N integers; each item holds one more (/Number), the file's xref a few.
    assert our_work <= 2 * N + N + 50
    assert their_work >= N * N // 2  # what the quadratic scan read: the reason for this reader


LOOKUPS = {f"object {number} at index {index}": (number, index)
           for number, index in ((3, 0), (4, 1), (7, 4), (8, 5), (4, 2), (99, 0), (3, 7), (3, -1))}


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("case", ["intact", "a pair that is not a number", "an object that cannot be read",
                                  "a stream inside the stream", "an object named twice"])
def test_each_lookup_is_answered_as_pyhankos_reader_answers_it(case, strict):
    bodies = [b"<</A 1>>", b"(two)", b"[3 4]", b"/Four", b"<</B (five)>>", b"6"]
    edit = {"a pair that is not a number": lambda header: header.replace(b"6 ", b"x ", 1),
            "an object named twice": lambda header: header.replace(b"7 ", b"4 ", 1)}.get(case, lambda header: header)
    if case == "an object that cannot be read":
        bodies[1] = b"<</Unclosed (dictionary"
    if case == "a stream inside the stream":
        bodies[2] = b"<</Length 1>>\nstream\nx\nendstream"
    data, stream_number = handmade(bodies, edit)
    for name, (number, index) in LOOKUPS.items():
        def lookup(reader, number=number, index=index):
            return reader._get_object_from_stream(number, stream_number, index)

        assert answer(PdfReader, data, strict, lookup) == answer(PdfFileReader, data, strict, lookup), name
    for number in range(3, 3 + len(bodies)):  # and through the file's own cross-reference stream
        def through_xref(reader, number=number):
            return generic.Reference(number, 0, reader).get_object()

        assert answer(PdfReader, data, strict, through_xref) == answer(PdfFileReader, data, strict, through_xref)
