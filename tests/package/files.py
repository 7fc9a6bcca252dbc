"""Real files for the information package's tests, made here: a PDF, OOXML and ODF archives, a CSV, images,
and the bad inputs the issue names (an executable renamed .pdf, HTML, a zip bomb dressed as OOXML)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
CSV = "site,workers affected\nLyon,120\nKöln,80\n".encode()
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
#: An ELF header, as the start of any Linux executable.
EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def png() -> bytes:
    """A 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def docx(extra: dict[str, bytes] | None = None, content_types: bytes | None = None) -> bytes:
    """A minimal Word document (what Office needs to recognise one)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types or (
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("word/document.xml", b"<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odt() -> bytes:
    """A minimal OpenDocument text: the stored `mimetype` first, as the standard asks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<office:document-content/>", zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def zip_bomb(expands_to: int = 128 * 1024 * 1024, *, lie: bool = False) -> bytes:
    """A Word document whose one part expands to `expands_to` bytes of zeros (a few hundred KB compressed).

    With `lie`, the archive's directory claims the part is tiny, so only counting while expanding finds it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/filler.bin", "w", force_zip64=True) as part:
            block = b"\x00" * (1024 * 1024)
            for _ in range(expands_to // len(block)):
                part.write(block)
    data = buffer.getvalue()
    if lie:
        data = _shrink_declared_sizes(data, "word/media/filler.bin")
    return data


def _shrink_declared_sizes(data: bytes, name: str) -> bytes:
    """Rewrite the central directory so that `name` claims an uncompressed size of 1 KB."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(name)
    out = bytearray(data)
    encoded = name.encode()
    # Central directory entries: signature PK\x01\x02; the uncompressed size sits at offset 24 (4 bytes),
    # or in the zip64 extra field when that is 0xFFFFFFFF.
    at = out.find(b"PK\x01\x02" + out[out.find(b"PK\x01\x02") + 4:][:0])
    while at != -1:
        name_length = struct.unpack("<H", out[at + 28:at + 30])[0]
        if bytes(out[at + 46:at + 46 + name_length]) == encoded:
            if struct.unpack("<I", out[at + 24:at + 28])[0] == 0xFFFFFFFF:
                extra_start = at + 46 + name_length
                # zip64 extra: header id 0x0001, size, then uncompressed size (8 bytes) first
                offset = out.find(b"\x01\x00", extra_start)
                out[offset + 4:offset + 12] = struct.pack("<Q", 1024)
            else:
                out[at + 24:at + 28] = struct.pack("<I", 1024)
            break
        at = out.find(b"PK\x01\x02", at + 4)
    assert info.file_size > 1024
    return bytes(out)
