"""pyHanko's PDF reader, reading the index of each object stream once instead of once per object it holds.

An object stream (ISO 32000-1 §7.5.7) starts with N pairs of integers, an object's number and its offset, then
the objects. pyHanko 0.38 reads those pairs from the start each time it fetches one object from the stream, as
pypdf did until py-pdf/pypdf#3677: reading every object of a stream costs N²/2 pairs. WeasyPrint writes all the
small objects of a PDF into one stream, thousands in a tagged outcome (a structure element per paragraph), so
validating the signature of a ten-page outcome read about half a million integers and took 3 to 7 seconds of
CPU, on the public verification page too, and a crafted file could ask for much more. Here each stream's index
is read once, on first use; what is returned, refused or replaced by null is what pyHanko's reader does.
"""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.misc import PdfStrictReadError
from pyhanko.pdf_utils.reader import PdfFileReader


class _StreamIndex:
    """One object stream's data, where its objects start, and each object's (position, offset) in its header."""

    def __init__(self, data: bytes, first: int, count: int) -> None:
        self.data, self.first = data, first
        self.places: dict[int, tuple[int, int]] = {}
        #: The header could not be read past some pair: an object not found may be behind that point.
        self.broken = False
        stream = BytesIO(data)
        for position in range(count):
            try:
                misc.read_non_whitespace(stream, seek_back=True)
                number = generic.NumberObject.read_from_stream(stream)
                misc.read_non_whitespace(stream, seek_back=True)
                offset = generic.NumberObject.read_from_stream(stream)
                misc.read_non_whitespace(stream, seek_back=True)
            except ValueError:
                self.broken = True
                break
            self.places.setdefault(number, (position, offset))  # pyHanko takes the first pair naming the object


class PdfReader(PdfFileReader):
    """`PdfFileReader` whose object streams are indexed once each (see the module's docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        self._indexes: dict[int, _StreamIndex] = {}  # before pyHanko's reader reads anything
        super().__init__(*args, **kwargs)

    def _get_object_from_stream(self, idnum, stmnum, idx):
        stream = generic.Reference(stmnum, 0, self).get_object()
        assert isinstance(stream, generic.StreamObject)
        assert stream["/Type"] == "/ObjStm"
        if not (0 <= idx < stream["/N"]):
            if self.strict:
                raise PdfStrictReadError("Object stream does not contain index")
            return generic.NullObject()
        if stmnum not in self._indexes:
            self._indexes[stmnum] = _StreamIndex(stream.read_data(DecodePurpose.OBJECT_STREAM), stream["/First"],
                                                 stream["/N"])
        index = self._indexes[stmnum]
        if idnum not in index.places:
            if self.strict:
                raise PdfStrictReadError("Object stream header possibly corrupted" if index.broken
                                         else "Object not found in stream, this is a fatal error in strict mode")
            return generic.NullObject()
        position, offset = index.places[idnum]
        if self.strict and idx != position:
            raise PdfStrictReadError("Object is in wrong index.")
        data = BytesIO(index.data)
        data.seek(index.first + offset)
        try:
            found = generic.read_object(data, generic.Reference(idnum, 0, self))
        except (misc.PdfStreamError, misc.PdfReadError) as error:
            if self.strict:
                raise PdfStrictReadError(f"Can't read object stream: {error}") from error
            found = generic.NullObject()  # as pyHanko (and Adobe Reader) do outside strict mode
        if isinstance(found, generic.StreamObject | generic.IndirectObject) and self.strict:
            raise PdfStrictReadError("Encountered forbidden object type in object stream")
        return found
