"""What an uploaded file is, from its content alone, and whether consult accepts it.

Accepted: PDF, OpenDocument (text, spreadsheet, presentation), Office Open XML (Word, Excel, PowerPoint,
without macros), CSV (UTF-8 text that is not markup), PNG and JPEG. The name's extension must agree with
the content (an executable renamed .pdf is refused for what it is). ODF and OOXML files are ZIP archives:
their directory is read, and every member is decompressed in a bounded stream, so a zip bomb is refused
by its declared sizes or, if those lie, by what it actually expands to, before it can fill memory.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype

from consult.errors import Invalid, PayloadTooLarge


@dataclass(frozen=True)
class FileKind:
    """One accepted type."""

    key: str
    media_type: str
    extensions: tuple[str, ...]
    label: str


KINDS = {kind.key: kind for kind in (
    FileKind("pdf", "application/pdf", (".pdf",), "PDF document"),
    FileKind("odt", "application/vnd.oasis.opendocument.text", (".odt",), "OpenDocument text"),
    FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", (".ods",), "OpenDocument spreadsheet"),
    FileKind("odp", "application/vnd.oasis.opendocument.presentation", (".odp",), "OpenDocument presentation"),
    FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",),
             "Word document"),
    FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",),
             "Excel workbook"),
    FileKind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",),
             "PowerPoint presentation"),
    FileKind("csv", "text/csv", (".csv",), "CSV table"),
    FileKind("png", "image/png", (".png",), "PNG image"),
    FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG image"),
)}
_ODF = {KINDS[k].media_type: k for k in ("odt", "ods", "odp")}
_OOXML_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_MARKUP = re.compile(rb"^\s*(<|\xef\xbb\xbf\s*<)")
MAX_ZIP_MEMBERS = 5000
NAME_MAX = 200


def _refuse(message: str, field: str = "file") -> Invalid:
    return Invalid(message, fields={field: [message]})


#: Characters that look like a path separator and that NFKC leaves as they are (division and fraction slash,
#: big solidus, set minus, reverse solidus operator...): a reader or a tool could take them for folders.
LOOKALIKE_SEPARATORS = frozenset(
    "\u2044\u2215\u2216\u29f5\u29f8\u29f9\u2afd\u2afb"
    # Unicode's confusables for / and \\ (UTS #39, confusables.txt) that are symbols or punctuation, not letters
    # (a katakana NO or a CJK stroke letter stays allowed): Philippine single punctuation, caret insertion point,
    # box-drawing diagonals, mathematical rising and falling diagonals, CJK strokes, Greek instrumental notation.
    "\u1735\u2041\u2571\u2572\u27cb\u27cd\u31d3\u31d4\U0001d20f\U0001d23a\U0001d23b")
#: What scripts need inside a word (Persian, Indic): zero-width non-joiner and joiner. Other format
#: characters (bidi controls, zero-width space, the BOM) are refused.
JOINERS = frozenset("\u200c\u200d")


def check_filename(name: str) -> str:
    """A file name in NFKC, if it is a plain name: no folders (nor look-alikes), no control or invisible
    formatting characters, no leading dot.

    NFKC first: a full-width solidus (U+FF0F) or reverse solidus (U+FF3C) becomes / or \\ and is refused as
    one, rather than being stored and later folded into a path by a client's own normalisation."""
    name = unicodedata.normalize("NFKC", name or "").strip()
    if not name:
        raise _refuse("Give the file a name.", "filename")
    if len(name) > NAME_MAX:
        raise _refuse(f"A file name has at most {NAME_MAX} characters.", "filename")
    if "/" in name or "\\" in name or name in {".", ".."} or any(c in LOOKALIKE_SEPARATORS for c in name):
        raise _refuse("A file name may not contain / or \\ (no folders).", "filename")
    if any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp", "Cs"} and c not in JOINERS for c in name):
        raise _refuse("A file name may not contain control or invisible formatting characters.", "filename")
    if name.startswith("."):
        raise _refuse("A file name may not start with a dot.", "filename")
    return name


def _zip_kind(data: bytes, max_unzipped: int) -> str:
    """The ODF or OOXML type of a ZIP archive, after checking that it is safe to open; else refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise _refuse("The file is a damaged ZIP archive.") from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise _refuse(f"The archive holds more than {MAX_ZIP_MEMBERS} files.")
    declared = sum(member.file_size for member in members)
    if declared > max_unzipped:
        raise _refuse(f"The archive would expand to {declared} bytes, more than the {max_unzipped} allowed.")
    expanded = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise _refuse("The archive is encrypted.")
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(64 * 1024):
                    expanded += len(chunk)
                    if expanded > max_unzipped:  # the declared sizes lied: stop before it fills memory
                        raise _refuse(f"The archive expands to more than the {max_unzipped} bytes allowed.")
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as error:
            raise _refuse("The archive is damaged or uses an unsupported compression.") from error
    names = {member.filename for member in members}
    if members and members[0].filename == "mimetype":
        media_type = archive.read("mimetype").decode("ascii", "replace").strip()
        if media_type in _ODF:
            return _ODF[media_type]
    if "[Content_Types].xml" in names:
        if any(name.lower().endswith("vbaproject.bin") for name in names) or \
                b"macroenabled" in archive.read("[Content_Types].xml").lower():
            raise _refuse("Documents with macros are not accepted: save it without macros.")
        for part, kind in _OOXML_PARTS.items():
            if part in names:
                return kind
    raise _refuse("This ZIP archive is not an OpenDocument or Office Open XML document.")


def _is_csv(data: bytes) -> bool:
    """UTF-8 text, no NUL, not markup, that the csv module reads."""
    if b"\x00" in data or _MARKUP.match(data):
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return False
    return bool(rows)


def detect_kind(data: bytes, max_unzipped: int) -> FileKind:
    """The accepted type of these bytes, from their content; refused (422) with what they seem to be."""
    guess = filetype.guess(data)
    mime = guess.mime if guess is not None else None
    if mime == "application/pdf":
        return KINDS["pdf"]
    if mime == "image/png":
        return KINDS["png"]
    if mime == "image/jpeg":
        return KINDS["jpeg"]
    if data[:4] == b"PK\x03\x04":
        return KINDS[_zip_kind(data, max_unzipped)]
    if guess is None and _is_csv(data):
        return KINDS["csv"]
    if _MARKUP.match(data):
        raise _refuse("HTML and other markup files are not accepted: attach a PDF instead.")
    what = f" (it looks like {guess.mime})" if guess is not None else ""
    raise _refuse("This type of file is not accepted" + what + ": attach a PDF, OpenDocument, Office Open XML, "
                  "CSV, PNG or JPEG file.")


def inspect_upload(filename: str, data: bytes, *, max_bytes: int, max_unzipped: int) -> tuple[str, FileKind]:
    """Check an upload's name, size and content; returns the name and its type, or raises (nothing is kept)."""
    name = check_filename(filename)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"The file is larger than the {max_bytes} bytes allowed.",
                              fields={"file": [f"At most {max_bytes} bytes."]})
    if not data:
        raise _refuse("The file is empty.")
    kind = detect_kind(data, max_unzipped)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in kind.extensions:
        raise _refuse(f"The file's content is a {kind.label}, but its name does not end in "
                      f"{' or '.join(kind.extensions)}: rename it.", "filename")
    return name, kind
