"""Reading a PDF back as a person would: its words with their boxes (poppler's pdftotext -bbox-layout)."""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import pytest

MM = 72 / 25.4
HYPHEN = "\u2010"  # what WeasyPrint draws where it hyphenates a word (CSS hyphenate-character)
TRAILING = (",", ".", ";", ":", ")")


@dataclass(frozen=True)
class Word:
    """One word as poppler sees it on a page, in points from the page's top left corner."""

    page: int
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    page_width: float
    page_height: float
    line_end: bool


def words(pdf: bytes) -> list[Word]:
    """Every word poppler finds in the PDF, page by page in its reading order (blocks, then lines)."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler's pdftotext is not installed")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-bbox-layout", str(source), "-"], capture_output=True, check=True,
                             timeout=300).stdout
    found: list[Word] = []
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", out))
    for number, page in enumerate(root.iterfind(".//x:page", namespace), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        for line in page.iterfind(".//x:line", namespace):
            items = list(line.iterfind("x:word", namespace))
            for index, word in enumerate(items):
                found.append(Word(number, word.text or "", float(word.get("xMin")), float(word.get("yMin")),
                                  float(word.get("xMax")), float(word.get("yMax")), width, height,
                                  index == len(items) - 1))
    return found


def pieces(found: list[Word]) -> list[str]:
    """The words' texts in reading order, the hyphen of a hyphenated line end removed."""
    return [w.text[:-1] if w.line_end and w.text.endswith(HYPHEN) else w.text for w in found]


class Index:
    """Where each piece of text stands among the PDF's words, to find a word's pieces in order quickly."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.at: dict[str, list[int]] = {}
        for number, token in enumerate(tokens):
            if token:
                self.at.setdefault(token, []).append(number)

    def next(self, piece: str, after: int, window: int) -> int | None:
        """The first place of `piece` after `after`, within `window` words, or None."""
        places = self.at.get(piece, [])
        found = bisect.bisect_right(places, after)
        return places[found] if found < len(places) and places[found] <= after + window else None

    def spelled(self, word: str, after: int, window: int) -> int | None:
        """Where `word` ends if it is printed after `after`, whole or in line-broken pieces, each within `window`."""
        # The nearest spelling wins, whole or in pieces: a later whole copy of the word must not skip ahead.
        candidates = sorted((place, cut) for cut in range(1, len(word) + 1)
                            if (place := self.next(word[:cut], after, window)) is not None)
        # The template may print a comma, a full stop or a bracket right after a text ("Name, role", "(provider)").
        candidates += sorted((place, len(word)) for mark in TRAILING
                             if (place := self.next(word + mark, after, window)) is not None)
        candidates.sort()
        for place, cut in candidates[:20]:
            if cut == len(word):
                return place
            if (end := self.spelled(word[cut:], place, window)) is not None:
                return end
        return None


def missing_words(field: str, index: Index, window: int = 400) -> list[str]:
    """The words of `field` not found in order among the PDF's words (each within `window` words of the last).

    Table cells sit beside each other, rows and paragraphs run on to the next page under a running header,
    and a long word is broken over lines: so the words of a field, and the pieces of a word, may have other
    words between them. The window allows that, but the words and their pieces must come in their order.
    """
    wanted = field.split()
    if not wanted:
        return []
    best: list[str] | None = None
    starts = [i for i, token in enumerate(index.tokens) if token and wanted[0].startswith(token)]
    for start in starts:
        cursor = index.spelled(wanted[0], start - 1, 0) if index.tokens[start] != wanted[0] else start
        if cursor is None:
            cursor = index.spelled(wanted[0][len(index.tokens[start]):], start, window)
            if cursor is None:
                continue
        lost: list[str] = []
        for word in wanted[1:]:
            end = index.spelled(word, cursor, window)
            if end is None:
                lost.append(word)
                if len(lost) > 10:  # not this start: the field is elsewhere, or lost
                    break
            else:
                cursor = end
        if not lost:
            return []
        if best is None or len(lost) < len(best):
            best = lost
    return wanted if best is None else best


def outside(found: list[Word], *, left_mm: float, right_mm: float, top_mm: float = 8, bottom_mm: float = 8,
            slack: float = 1.0) -> list[Word]:
    """Words drawn past the given distances from the page's edges (in points of slack)."""
    return [w for w in found
            if w.x_min < left_mm * MM - slack or w.x_max > w.page_width - right_mm * MM + slack
            or w.y_min < top_mm * MM - slack or w.y_max > w.page_height - bottom_mm * MM + slack]
