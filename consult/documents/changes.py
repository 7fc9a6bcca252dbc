"""What the updates appended to a signed PDF after its signature change, as pyHanko's difference analysis sees it.

pyHanko's default policy (`DEFAULT_DIFF_POLICY`) counts a change of the document information (/Info: the title
a viewer shows in its title bar) or of the XMP metadata among the updates of long-term archival
(`ModificationLevel.LTA_UPDATES`), as if it were validation data. Here only what the signing itself appends
passes: the document security store (/DSS, its VRI), document timestamps (a new signature field), objects
written again unchanged, and the modification date that pyHanko's writer moves in /Info (/ModDate) and in the
XMP (xmp:ModifyDate, xmp:MetadataDate) when it appends the /DSS. Any other revision is a change after signing,
named by what it touches.
"""

from __future__ import annotations

import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DocInfoRule,
    DSSCompareRule,
    FormUpdatingRule,
    MetadataUpdateRule,
    ModificationLevel,
    ObjectStreamRule,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    SuspiciousModification,
    XrefStreamRule,
)
from pyhanko.sign.diff_analysis.policies import _is_id

#: The kinds of change the verdict names, in the order it names them.
KINDS = ("metadata", "pages", "annotations", "form_fields", "structure")

#: pyHanko's default rules less DocInfoRule and MetadataUpdateRule: validation data and timestamps only.
SIGNING_UPDATES_ONLY = StandardDiffPolicy(
    global_rules=[CatalogModificationRule(), XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
                  ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
                  DSSCompareRule().as_qualified(ModificationLevel.LTA_UPDATES)],
    form_rule=FormUpdatingRule(field_rules=[SigFieldCreationRule(), SigFieldModificationRule()]),
)


#: The same, with pyHanko's rules that let /Info and the XMP be rewritten (what they change is judged below).
WITH_METADATA = StandardDiffPolicy(
    global_rules=[*SIGNING_UPDATES_ONLY.global_rules, DocInfoRule().as_qualified(ModificationLevel.LTA_UPDATES),
                  MetadataUpdateRule().as_qualified(ModificationLevel.LTA_UPDATES)],
    form_rule=SIGNING_UPDATES_ONLY.form_rule,
)
_XMP_DATES = re.compile(rb"""xmp:(?:ModifyDate|MetadataDate)(?:=(?:"[^"]*"|'[^']*')"""
                        rb"""|>[^<]*</xmp:(?:ModifyDate|MetadataDate))""")


def changes_after(reader: PdfFileReader, signed_revision: int) -> list[str]:
    """The kinds of change (KINDS) made by revisions after `signed_revision` beyond the signing's own updates."""
    found: set[str] = set()
    base = reader.get_historical_resolver(signed_revision)
    for revision in range(signed_revision + 1, reader.xrefs.total_revisions):
        new = reader.get_historical_resolver(revision)
        try:
            passes = WITH_METADATA.apply(base, new).modification_level <= ModificationLevel.LTA_UPDATES
        except SuspiciousModification:
            passes = False
        if passes:
            if _metadata_changed(base, new):
                found.add("metadata")
            continue
        found |= _kinds(reader.get_historical_resolver(revision - 1), new) or {"structure"}
    return [kind for kind in KINDS if kind in found]


def _metadata_changed(old: HistoricalResolver, new: HistoricalResolver) -> bool:
    """Whether /Info or the XMP metadata differ beyond their modification dates."""
    # Each object read through the revision's own resolver: an indirect object resolves in the newest one.
    def info(resolver: HistoricalResolver) -> dict:
        ref = _ref(_raw(resolver.trailer_view, "/Info"))
        found = resolver(ref) if ref is not None else generic.DictionaryObject()
        return {key: found.raw_get(key) for key in found if key != "/ModDate"}

    def xmp(resolver: HistoricalResolver) -> bytes | None:
        ref = _ref(_raw(resolver.root, "/Metadata"))
        return _XMP_DATES.sub(b"", resolver(ref).data) if ref is not None else None

    was, now = info(old), info(new)
    if set(was) != set(now) or not all(_is_id(was[key], now[key]) for key in was):
        return True
    return xmp(old) != xmp(new)


def _ref(value) -> generic.Reference | None:
    return value.reference if isinstance(value, generic.IndirectObject) else None


def _raw(dictionary: generic.DictionaryObject, key: str):
    return dictionary.raw_get(key) if key in dictionary else None


def _pages(resolver: HistoricalResolver) -> dict[generic.Reference, generic.DictionaryObject]:
    """Every page of a revision by reference (the page tree walked from its root)."""
    found, stack, seen = {}, [resolver.root.raw_get("/Pages")], set()
    while stack:
        ref = _ref(stack.pop())
        if ref is None or ref in seen:
            continue
        seen.add(ref)
        node = resolver(ref)
        if node.get("/Type") == "/Pages":
            kids = node.get("/Kids", generic.ArrayObject())
            stack.extend(kids.raw_get(index) for index in range(len(kids)))
        else:
            found[ref] = node
    return found


def _annotations(resolver: HistoricalResolver, page: generic.DictionaryObject) -> list[generic.Reference]:
    annots = _raw(page, "/Annots")
    if _ref(annots) is not None:
        annots = resolver(_ref(annots))
    if not isinstance(annots, generic.ArrayObject):
        return []
    return [ref for index in range(len(annots)) if (ref := _ref(annots.raw_get(index))) is not None]


def _kinds(old: HistoricalResolver, new: HistoricalResolver) -> set[str]:
    """What one revision changes against the one before it."""
    kinds: set[str] = set()
    changed = {ref for ref in new.explicit_refs_in_revision()
               if old.is_ref_unassignable(ref) or not _is_id(old(ref), new(ref))}
    if _metadata_changed(old, new):
        kinds.add("metadata")
    old_root, new_root = old.root, new.root
    for key in set(old_root) | set(new_root):
        if key in ("/DSS", "/Metadata"):  # the metadata is judged by what it says, above
            continue
        was, now = _raw(old_root, key), _raw(new_root, key)
        moved = (was is None) != (now is None) or (_ref(now) is not None and (_ref(now) != _ref(was)
                                                                              or _ref(now) in changed))
        if not moved and was is not None and _ref(now) is None and not _is_id(was, now):
            moved = True
        if moved:
            kinds.add({"/Metadata": "metadata", "/AcroForm": "form_fields", "/Pages": "pages"}.get(key, "structure"))
    old_pages, new_pages = _pages(old), _pages(new)
    if list(old_pages) != list(new_pages):
        kinds.add("pages")
    for ref, page in new_pages.items():
        before = old_pages.get(ref)
        if before is None:
            continue
        for key in set(page) | set(before):
            now, was = _raw(page, key), _raw(before, key)
            if key == "/Annots":
                added = [a for a in _annotations(new, page) if a not in _annotations(old, before)]
                if ref in changed and (was is None) != (now is None) or _ref(now) in changed or added or (
                        ref in changed and was is not None and now is not None and not _is_id(was, now)):
                    widgets = [a for a in added if new(a).get("/Subtype") == "/Widget"]
                    kinds.add("form_fields" if widgets and len(widgets) == len(added) else "annotations")
            elif ref in changed and (was is None or now is None or not _is_id(was, now)):
                kinds.add("pages")
            elif _ref(now) in changed:
                kinds.add("pages")
        for content in _contents(new, page):
            if content in changed and not old.is_ref_unassignable(content):
                kinds.add("pages")
        for annotation in _annotations(new, page):
            if annotation in changed and not old.is_ref_unassignable(annotation):
                kinds.add("form_fields" if new(annotation).get("/Subtype") == "/Widget" else "annotations")
    return kinds


def _contents(resolver: HistoricalResolver, page: generic.DictionaryObject) -> list[generic.Reference]:
    value = _raw(page, "/Contents")
    if _ref(value) is not None and isinstance(resolver(_ref(value)), generic.ArrayObject):
        value = resolver(_ref(value))
    if isinstance(value, generic.ArrayObject):
        return [ref for i in range(len(value)) if (ref := _ref(value.raw_get(i))) is not None]
    return [ref] if (ref := _ref(value)) is not None else []
