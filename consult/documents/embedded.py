"""The outcome's own data inside its PDF: the canonical JSON as a PDF/A-3 associated file, and reading it back.

The file `outcome.json` holds the exact bytes whose SHA-256 is the outcome digest (consult/outcomes/snapshot.py).
It is embedded before signing, in the signed revision, listed in the catalogue's /AF with /AFRelationship
/Data and the MIME type application/json, as PDF/A-3 allows; anyone can extract it (`pdfdetach`, pyHanko,
a PDF viewer's attachments pane) and recompute the digest.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from pyhanko.pdf_utils import generic

EMBEDDED_NAME = "outcome.json"
#: A hostile file could nest its name tree deeply or in a loop; this many levels is more than any real PDF.
MAX_DEPTH = 8


def embed_outcome(writer, canonical: bytes, digest: str, *, when: datetime) -> None:
    """Attach the canonical JSON to the PDF being written (a pyHanko writer), as the document's associated data."""
    from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file

    if hashlib.sha256(canonical).hexdigest() != digest:
        raise ValueError("the embedded outcome's SHA-256 is not the digest being signed")
    stream = EmbeddedFileObject.from_file_data(
        writer, canonical, mime_type="application/json",
        params=EmbeddedFileParams(creation_date=when, modification_date=when))
    spec = FileSpec(EMBEDDED_NAME, file_name=EMBEDDED_NAME, embedded_data=stream,
                    description=f"The signed outcome as data (canonical JSON); its SHA-256 is {digest}")
    # pyHanko's own /AF handling would mark the file PDF 2.0; PDF/A-3 is PDF 1.7, so the association is added here.
    embed_file(writer, spec)
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    reference = names[-1]
    reference.get_object()["/AFRelationship"] = generic.NameObject("/Data")
    writer.update_container(reference.get_object())
    if "/AF" in writer.root:
        writer.root["/AF"].append(reference)
        writer.update_container(writer.root["/AF"])
    else:
        writer.root["/AF"] = generic.ArrayObject([reference])
    writer.update_root()


def _name_tree_pairs(node, depth: int = 0):
    """(name, value) pairs of a PDF name tree, leaves and kids, within MAX_DEPTH."""
    if depth > MAX_DEPTH or not isinstance(node, generic.DictionaryObject):
        return
    names = node["/Names"] if "/Names" in node else None  # [] resolves references, .get() would not
    if isinstance(names, generic.ArrayObject):
        for index in range(0, len(names) - 1, 2):
            yield str(names[index]), names[index + 1]
    kids = node["/Kids"] if "/Kids" in node else None
    if isinstance(kids, generic.ArrayObject):
        for kid in kids:
            yield from _name_tree_pairs(kid.get_object(), depth + 1)


def embedded_outcome(reader) -> bytes | None:
    """The bytes of `outcome.json` as the file's latest revision shows them (a pyHanko reader), or None."""
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]
    except (KeyError, TypeError):
        return None
    for name, value in _name_tree_pairs(tree.get_object()):
        spec = value.get_object()
        if name == EMBEDDED_NAME and isinstance(spec, generic.DictionaryObject) and "/EF" in spec:
            files = spec["/EF"]
            return (files["/UF"] if "/UF" in files else files["/F"]).data
    return None
