"""An untranslated-text finder for the i18n crawl: English msgids of the catalogues found on a page.

`english_on(html, language)` returns each text of the page (text nodes, and the aria-label, title,
placeholder and alt attributes) that is an English msgid whose translation in `language` differs, placeholders
matched as wildcards; user content (comment bodies, position texts, plan answers) and the allow-list are left out.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

from babel.messages.pofile import read_po

from consult.web.catalogues import SOURCE

#: Texts that stay as they are in every language: names, codes, the product's own name.
ALLOWED = {"consult", "English", "Français", "Español", "KPI", "PDF", "CSV", "JSON", "SHA-256", "Atom"}
#: Elements whose text is what people wrote, not the interface.
USER_CONTENT = {"body", "position-text", "statement", "plan", "author", "meta-user"}
#: English sentences of libraries that are not in the catalogues (Werkzeug's error descriptions).
LIBRARY_ENGLISH = ("The requested URL was not found on the server", "The method is not allowed",
                   "The browser (or proxy) sent a request", "Missing data for required field", "Not a valid")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


@functools.cache
def _patterns(language: str) -> list[tuple[re.Pattern, str]]:
    with open(SOURCE / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    found = []
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if not english or english in strings or len(english.split()) < 2 or english in ALLOWED:
                continue
            parts = _PLACEHOLDER.split(english)
            if sum(len(p.strip()) for p in parts) < 8:  # mostly placeholders: nothing English to find
                continue
            pattern = ".+?".join(re.escape(" ".join(p.split())) if p.strip() else re.escape(p) for p in parts)
            found.append((re.compile(pattern), english))
    return found


@functools.cache
def _finder(language: str) -> tuple[re.Pattern, list[str]]:
    """Every pattern of `language` in one alternation, each its own group: the first that matches whole wins."""
    patterns = _patterns(language)
    return re.compile("|".join(f"({pattern.pattern})" for pattern, _ in patterns)), [e for _, e in patterns]


@functools.lru_cache(maxsize=20_000)
def _msgid_of(text: str, language: str) -> str | None:
    """The first English msgid (catalogue order, then Werkzeug's sentences) that `text` is, or None.

    Cached: the same header, footer and menu texts come back on every page of a crawl.
    """
    finder, ids = _finder(language)
    found = finder.fullmatch(text)
    if found:
        return ids[found.lastindex - 1]
    return next((sentence for sentence in LIBRARY_ENGLISH if sentence in text), None)


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        skip = tag in ("script", "style", "code", "pre") or bool(classes & USER_CONTENT)
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"):
            self.stack.append((tag, skip))
        if not self._skipping():
            for name in ("aria-label", "title", "placeholder", "alt"):
                if attributes.get(name):
                    self.texts.append(attributes[name])

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip() and not self._skipping():
            self.texts.append(" ".join(data.split()))


def english_on(html: str, language: str, allowed: set[str] = frozenset()) -> list[str]:
    """The interface texts of `html` left in English (each with the msgid it matches)."""
    parser = _Texts()
    parser.feed(html)
    left = []
    for text in parser.texts:
        if text in ALLOWED or text in allowed:
            continue
        msgid = _msgid_of(text, language)
        if msgid is not None:
            left.append(f"{text!r} (msgid {msgid!r})")
    return left
