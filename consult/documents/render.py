"""Render the outcome document with WeasyPrint, from the templates in exports/, in a child process with limits.

Only files inside the exports folder can be loaded while rendering: anything else (`file:` elsewhere,
`http(s):`, `data:`, any other scheme) is refused, so text written by users cannot make the renderer read
the server's files or reach the network.
"""

from __future__ import annotations

import functools
import json
import mimetypes
import multiprocessing
import os
import re
import resource
import signal
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from consult.documents.signing import DIGEST_KEYWORD
from consult.opinions.texts import PROCEDURE_TEXTS
from consult.paths import ROOT

EXPORTS = ROOT / "exports"
#: The languages a document is written in (the rounds' languages); others fall back to English.
LANGUAGES = ("en", "fr", "es")


def N_(text: str) -> str:
    """Marks a text for scripts/i18n, which puts it in the catalogues; it is translated when a document renders."""
    return text


#: The document's fixed wording, in English; translated with the pages' catalogues (translations/) at render.
TEXTS: dict[str, str] = {
    "outcome_of": N_("Outcome of"),
    "outcome_of_consultation": N_("Outcome of the tripartite consultation"),
    "version": N_("version"),
    "frozen": N_("frozen"),
    "digest": N_("Digest"),
    "verify_at": N_("Verify this document at"),
    "contents": N_("Contents"),
    "plan": N_("The AI deployment plan in brief"),
    "commitments": N_("Commitments"),
    "participants": N_("Participants"),
    "signatures": N_("Signatures"),
    "annex": N_("Annex: plenary comments"),
    "system": N_("System"),
    "purpose": N_("Purpose"),
    "functions": N_("Functions"),
    "high_risk": N_("high-risk under the EU AI Act (Annex III, point 4)"),
    "workers": N_("Workers"),
    "sites": N_("Sites"),
    "data": N_("Worker data"),
    "oversight": N_("Human oversight"),
    "contest": N_("Contesting a decision"),
    "rollout": N_("Rollout"),
    "checklist": N_("Deployer's checklist (AI Act Arts. 26, 27; GDPR Art. 35)"),
    "oversight_by": N_("Human oversight by"),
    "logs_months": N_("logs kept, in months"),
    "dpia": N_("data-protection impact assessment"),
    "fria": N_("fundamental-rights impact assessment"),
    "emotion_exception": N_("Infers emotions for medical or safety reasons only (AI Act Art. 5(1)(f))"),
    "monitored_data": N_("Data and actions monitored (Art. 9)"),
    "account_decisions": N_("Decisions and their grounds, accounts included (Art. 9)"),
    "platform_workers": N_("Platform workers in the Member State (Art. 13(2))"),
    "impact_assessment": N_("Impact assessment shared with the representatives (Art. 8)"),
    "impact": N_("Impact statement"),
    "position": N_("Agreed position"),
    "no_position": N_("No position was drafted."),
    "stances": N_("Stances"),
    "no_stance": N_("No stance recorded."),
    "commitment": N_("Commitment"),
    "owner": N_("Owner"),
    "target": N_("Target"),
    "due": N_("Due"),
    "no_commitments": N_("No commitment."),
    "organisation": N_("Organisation"),
    "constituency": N_("Constituency"),
    "people": N_("Representatives"),
    "signed_at": N_("Signed at"),
    "reservation": N_("Reservation"),
    "counted": N_("%(n)s who commented, not named (identity policy)"),
    "withheld": N_("Neither named nor counted (identity policy)"),
    "signed_digest": N_("Each signatory signed the outcome identified by this digest:"),
    "time_claimed": N_("The times of signing are the platform's own record: no independent time-stamping "
                       "authority vouches for them."),
    "time_stamped": N_("The platform's signature of this document carries a timestamp from an independent "
                       "time-stamping authority."),
    "page": N_("Page"),
    "of": N_("of"),
    "country_sector": N_("Country and sector"),
    "times_in": N_("Times are given in the round's time zone"),
    # TRANSLATORS: what follows a label before its value ("Digest: ..."); French puts a narrow space before.
    "colon": N_(":"),
    "reply": N_("reply"),
    "agree": N_("agrees"),
    "agree_with_reservation": N_("agrees with a reservation"),
    "disagree": N_("disagrees"),
    "employers": N_("Employers"),
    "government": N_("Government"),
    "secretariat": N_("Secretariat"),
    "observers": N_("Observers"),
    **PROCEDURE_TEXTS,  # opinions, responses, consents and experts (consult/opinions/texts.py)
    "package": N_("The information package"),
    "package_intro": N_("The documents every party was given, as released; each digest is the SHA-256 of the file."),
    "document": N_("Document"),
    "file": N_("File"),
    "size": N_("Size (bytes)"),
    "released": N_("Released"),
    "release": N_("Release"),
    "acknowledged": N_("Acknowledged by"),
    "not_acknowledged": N_("No acknowledgement recorded."),
    "unanswered": N_("Questions to the employer left unanswered"),
    "asked_by_side": N_("Asked by"),
    "hidden_question": N_("Hidden by the moderation."),
}
FUNCTION_NAMES: dict[str, str] = {
    "recruitment": N_("recruitment"),
    "task_allocation": N_("task allocation"),
    "scheduling": N_("scheduling"),
    "monitoring": N_("monitoring"),
    "performance_evaluation": N_("performance evaluation"),
    "discipline_dismissal": N_("discipline or dismissal"),
    "pay": N_("pay"),
}

#: How consult/policy.py labels a masked person, in English in the frozen document; translated at render.
LABELS = ((re.compile(r"^Worker representative (?P<number>\d+)$"), N_("Worker representative %(number)s")),
          (re.compile(r"^Worker representative$"), N_("Worker representative")),
          (re.compile(r"^A representative of (?P<organisation>.+)$"), N_("A representative of %(organisation)s")))
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
#: PDF/A-3b: archival, and (unlike PDF/A-2) it may carry the outcome's canonical JSON as an associated file.
#: Tagged on top (structure tree, /Lang, alt texts): the "a" level is not claimed, no validator here proves it.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}


class RenderFailed(Exception):
    """The document could not be rendered within its limits; the message says why."""


@dataclass(frozen=True)
class RenderResult:
    """A PDF rendered in a child process, with what the render cost there."""

    pdf: bytes
    pages: int
    render_s: float
    peak_rss_mb: float
    #: The peak address space, which is what `memory_mb` limits (None where /proc is not there to read it).
    peak_vm_mb: float | None = None


def language_of(document: dict[str, Any]) -> str:
    """The document's language if the exports speak it, else English ("fr-CA" reads as "fr")."""
    language = str(document.get("language") or "en").split("-")[0].lower()
    return language if language in LANGUAGES else "en"


def texts(language: str) -> dict[str, str]:
    """The document's fixed wording in its language (English where there is no catalogue)."""
    translations = catalogue(language if language in LANGUAGES else "en")
    return {key: translations.get(text, text) for key, text in TEXTS.items()}


def local_time(value: Any, language: str, time_zone: str | None) -> str:
    """An ISO timestamp as the round's readers read it: date and time in the round's time zone, with its offset."""
    try:
        moment = datetime.fromisoformat(str(value))
        zone = ZoneInfo(time_zone) if time_zone else UTC
    except (ValueError, ZoneInfoNotFoundError):
        return str(value or "")
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    offset = local.strftime("%z")
    return f"{format_date(local, 'long', locale=language)}, {local:%H:%M} (UTC{offset[:3]}:{offset[3:]})"


def local_day(value: Any, language: str, style: str = "long") -> str:
    """An ISO date written out in the document's language (`style`: Babel's "long", "medium" or "short")."""
    try:
        return format_date(date.fromisoformat(str(value)[:10]), style, locale=language)
    except ValueError:
        return str(value or "")


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """The pages' translations (translations/<language>/messages.po) as a dict, empty for English or none."""
    from babel.messages.pofile import read_po

    path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not path.is_file():
        return {}
    with path.open("rb") as file:
        return {m.id: m.string for m in read_po(file, locale=language)
                if isinstance(m.id, str) and m.id and m.string and not m.fuzzy}


def person(name: Any, language: str) -> str:
    """A person as the document shows them: a pseudonym or "a representative of" label in the document's language."""
    for pattern, label in LABELS:
        if found := pattern.match(str(name or "")):
            return catalogue(language).get(label, label) % found.groupdict()
    return str(name or "")


def direction(value: Any) -> str:
    """"rtl" when the text's first strong character is right-to-left (Arabic, Hebrew...), else "ltr"."""
    for character in re.sub(r"<[^>]*>", " ", str(value or "")):
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


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


def _write(document: dict[str, Any], exports_dir: Path | None, refused: list[str] | None) -> tuple[bytes, int]:
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
    return _write(document, exports_dir, refused)[0]


def _child(connection, document_json: str, exports_dir: str, memory_mb: int) -> None:
    # "started" first: a child that dies before saying so could not start at all (see _died).
    connection.send(("started", None))
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        began = time.perf_counter()
        pdf, pages = _write(json.loads(document_json), Path(exports_dir), None)
        seconds = time.perf_counter() - began
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        connection.send(("ok", RenderResult(pdf, pages, seconds, peak_mb, _peak_address_space_mb())))
    except MemoryError:
        connection.send(("error", f"the render needed more than {memory_mb} MB of memory"))
    except SystemError as error:  # a native library that could not allocate under the limit, with no MemoryError
        connection.send(("error", f"the render stopped under its memory limit of {memory_mb} MB ({error})"))
    except Exception as error:  # reported to the parent, which raises RenderFailed
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def _peak_address_space_mb() -> float | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmPeak:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


_STARTING = threading.Lock()


def _forkserver():
    # Children fork from a server that has WeasyPrint imported already: no import cost per render, and no
    # copy of the web process (its sockets, threads or gevent hub).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["weasyprint", "consult.documents.render"])
    _start_forkserver()
    return context


def _start_forkserver() -> None:
    """Start the fork server (if it is not running) with Python's safe path, whatever the working directory.

    The server starts as `python -c ...`, which puts the working directory first on its sys.path: started
    from the folder that holds the checkout, the checkout folder itself would be imported as `consult`
    instead of the installed package, and no render could start. PYTHONSAFEPATH leaves that entry out.
    """
    from multiprocessing import forkserver

    with _STARTING:
        previous = os.environ.get("PYTHONSAFEPATH")
        os.environ["PYTHONSAFEPATH"] = "1"
        try:
            forkserver.ensure_running()
        finally:
            if previous is None:
                os.environ.pop("PYTHONSAFEPATH", None)
            else:
                os.environ["PYTHONSAFEPATH"] = previous


def _why_no_start() -> str:
    """What keeps a render child from starting, where it can be told from here (its traceback is on stderr)."""
    shadow, package = Path.cwd() / "consult", Path(__file__).resolve().parent.parent
    if shadow.exists() and shadow.resolve() != package:
        return (f"the working directory holds a folder named 'consult' ({shadow}), which the renderer's process "
                f"imports instead of the installed package ({package}); start consult from another folder")
    return "its error is in the server's error output"


def _died(child, started: bool, memory_mb: int) -> str:
    """Why a child ended without an answer, as far as can be known."""
    child.join(5)
    code = child.exitcode
    if not started:
        return f"the renderer process could not start (exit status {code}): {_why_no_start()}"
    if code is not None and code < 0:
        causes = {-signal.SIGKILL: " (the system stops processes that run out of memory this way)",
                  # GLib's allocator, under Pango and HarfBuzz, aborts when the address-space limit refuses memory.
                  -signal.SIGABRT: " (a native library stops its process this way when it is refused memory)",
                  # A native library that uses an allocation the limit refused, without checking it, crashes.
                  -signal.SIGSEGV: " (a native library that is refused memory and goes on crashes this way)"}
        cause = causes.get(code, "")
        return f"the renderer was killed by {_signal_name(-code)} while rendering{cause}; its limit is {memory_mb} MB"
    # A native library that cannot allocate under the address-space limit exits without a MemoryError.
    return (f"the renderer exited (status {code}) while rendering, without an answer; it may have reached its "
            f"memory limit of {memory_mb} MB (its error is in the server's error output)")


def render_in_child(document: dict[str, Any], *, timeout: float = 120, memory_mb: int = 1024,
                    exports_dir: Path | None = None) -> RenderResult:
    """Render in a child process limited to `memory_mb` of address space, killed past `timeout` seconds."""
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    # The document goes as JSON text, so that anything wrong with it is the child's reported error.
    child = context.Process(target=_child, args=(sender, json.dumps(document), str(exports_dir or EXPORTS),
                                                 memory_mb), daemon=True)
    child.start()
    sender.close()
    deadline = time.monotonic() + timeout
    started = False
    try:
        while True:
            if not receiver.poll(max(0.0, deadline - time.monotonic())):
                raise RenderFailed(f"the render took longer than {timeout:g} s and was stopped")
            try:
                status, payload = receiver.recv()
            except (EOFError, OSError) as error:
                raise RenderFailed(_died(child, started, memory_mb)) from error
            if status == "started":
                started = True
                continue
            if status != "ok":
                raise RenderFailed(payload)
            return payload
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()


def render_outcome_pdf(document: dict[str, Any], *, timeout: float = 120, memory_mb: int = 1024,
                       exports_dir: Path | None = None) -> bytes:
    """The PDF of an outcome document, rendered in a child process killed past `timeout` or `memory_mb`."""
    return render_in_child(document, timeout=timeout, memory_mb=memory_mb, exports_dir=exports_dir).pdf
