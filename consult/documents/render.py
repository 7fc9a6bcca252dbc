"""Render the outcome document with WeasyPrint, from the templates in exports/, into HTML and then a PDF.

Only files inside the exports folder can be loaded while rendering: anything else (`file:` elsewhere,
`http(s):`, `data:`, any other scheme) is refused, so text written by users cannot make the renderer read
the server's files or reach the network. The render runs in a child process with limits
(consult/documents/sandbox.py); the document's wording is in consult/documents/wording.py.
"""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from consult.documents.signing import DIGEST_KEYWORD
from consult.documents.wording import (
    FUNCTION_NAMES,
    catalogue,
    direction,
    language_of,
    local_day,
    local_time,
    person,
    texts,
)
from consult.paths import ROOT

EXPORTS = ROOT / "exports"
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
#: PDF/A-3b: archival, and (unlike PDF/A-2) it may carry the outcome's canonical JSON as an associated file.
#: Tagged on top (structure tree, /Lang, alt texts): the "a" level is not claimed, no validator here proves it.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}


def added_fonts(exports_dir: Path) -> str:
    """@font-face rules for the font files in fonts/ that print.css does not name: a deployer's CJK font, say."""
    stylesheet = exports_dir / "print.css"
    named = stylesheet.read_text(encoding="utf-8") if stylesheet.is_file() else ""
    files = sorted(p.name for p in (exports_dir / "fonts").glob("*") if p.suffix.lower() in FONT_TYPES)
    return "".join(f'@font-face {{ font-family: "Consult Added"; src: url("fonts/{name}"); }}\n'
                   for name in files if f"fonts/{name}" not in named)


def render_html(document: dict[str, Any], exports_dir: Path | None = None) -> str:
    """The document's HTML, from exports/outcome.html (autoescaped; the template marks sanitised HTML safe)."""
    environment = Environment(loader=FileSystemLoader(str(exports_dir or EXPORTS)),
                              autoescape=select_autoescape(["html"]))
    language = language_of(document)
    time_zone = (document.get("round") or {}).get("time_zone")
    names = {key: catalogue(language).get(text, text) for key, text in FUNCTION_NAMES.items()}
    environment.filters.update({
        "when": lambda value: local_time(value, language, time_zone),
        "day": lambda value, style="long": local_day(value, language, style),
        "function": lambda key: names.get(key, str(key).replace("_", " ")),
        "number": lambda value: format_decimal(value, locale=language) if isinstance(value, int | float) else value,
        "direction": direction,
        # Texts the document's data holds in English (the sections' titles), in the pages' own translations.
        "tr": lambda text: catalogue(language).get(str(text), text),
        "person": lambda name: person(name, language),
    })
    context = {**document, "annex": threaded(document.get("annex") or []), "language": language,
               "t": texts(language), "added_fonts": added_fonts(exports_dir or EXPORTS)}
    return environment.get_template("outcome.html").render(**context)


def threaded(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The annex's comments in reading order, each reply right under what it replies to, with its `depth`."""
    ids = {c.get("id") for c in comments}
    children: dict[Any, list[dict[str, Any]]] = {}
    for comment in comments:
        parent = comment.get("parent_id")
        children.setdefault(parent if parent in ids else None, []).append(comment)
    ordered: list[dict[str, Any]] = []
    seen: set[int] = set()
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        comment, depth = stack.pop()
        if id(comment) in seen:
            continue
        seen.add(id(comment))
        ordered.append({**comment, "depth": depth})
        stack.extend((c, depth + 1) for c in reversed(children.get(comment.get("id"), [])))
    # Nothing is dropped, whatever the data: a comment in a loop of replies comes last, unindented.
    return ordered + [{**c, "depth": 0} for c in comments if id(c) not in seen]


def asset_fetcher(exports_dir: Path, refused: list[str] | None = None):
    """A WeasyPrint URL fetcher that serves files inside `exports_dir` and refuses everything else.

    Refusing means raising: WeasyPrint then skips the image, stylesheet or font and goes on. `refused`, when
    given, collects the refused addresses (the tests read it).
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = exports_dir.resolve()

    class AssetFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            # resolve() follows "..", and symbolic links, before the containment check.
            path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" and not parsed.netloc else None
            if path is None or not path.is_relative_to(root) or not path.is_file():
                if refused is not None:
                    refused.append(url[:200])
                raise ValueError(f"refused: only the bundled assets of exports/ may be loaded ({url[:80]})")
            kind = mimetypes.guess_type(path.name)[0] or FONT_TYPES.get(path.suffix, "application/octet-stream")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind}, 200)

    return AssetFetcher()


def pdf_and_pages(document: dict[str, Any], exports_dir: Path | None,
                  refused: list[str] | None) -> tuple[bytes, int]:
    """The document's PDF and its number of pages, rendered in this process (no limits)."""
    from weasyprint import HTML

    directory = (exports_dir or EXPORTS).resolve()
    html = HTML(string=render_html(document, directory), base_url=directory.as_uri() + "/",
                url_fetcher=asset_fetcher(directory, refused))
    rendered = html.render()
    # The digest and the language go into the PDF whatever a deployer's template says.
    keyword = f"{DIGEST_KEYWORD}{document.get('digest', '')}"
    if keyword not in rendered.metadata.keywords:
        rendered.metadata.keywords.append(keyword)
    rendered.metadata.lang = rendered.metadata.lang or language_of(document)
    rendered.metadata.created = rendered.metadata.created or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rendered.metadata.modified = rendered.metadata.modified or rendered.metadata.created
    return rendered.write_pdf(finisher=_show_title, **PDF_OPTIONS), len(rendered.pages)


def _show_title(_document, pdf) -> None:
    # Viewers show the document's title, not its file name, in their title bar (PDF/UA asks for it).
    import pydyf

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})


def write_pdf(document: dict[str, Any], exports_dir: Path | None = None, refused: list[str] | None = None) -> bytes:
    """Render in this process (no limits): the child of `render_outcome_pdf`, the tests and the benchmark use it."""
    return pdf_and_pages(document, exports_dir, refused)[0]
