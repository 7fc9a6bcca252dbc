"""Render the outcome document with WeasyPrint, from the templates in exports/, in a child process with limits.

Only files inside the exports folder can be loaded while rendering: anything else (`file:` elsewhere,
`http(s):`, `data:`, any other scheme) is refused, so text written by users cannot make the renderer read
the server's files or reach the network.
"""

from __future__ import annotations

import functools
import mimetypes
import multiprocessing
import re
import resource
import signal
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

from consult import ROOT
from consult.documents.signing import DIGEST_KEYWORD

EXPORTS = ROOT / "exports"

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "outcome_of": "Outcome of", "outcome_of_consultation": "Outcome of the tripartite consultation",
        "version": "version", "frozen": "frozen", "digest": "Digest", "verify_at": "Verify this document at",
        "contents": "Contents", "plan": "The AI deployment plan in brief", "commitments": "Commitments",
        "participants": "Participants", "signatures": "Signatures", "annex": "Annex: plenary comments",
        "system": "System", "purpose": "Purpose", "functions": "Functions",
        "high_risk": "high-risk under the EU AI Act (Annex III, point 4)", "workers": "Workers affected",
        "sites": "Sites", "data": "Worker data", "oversight": "Human oversight", "contest": "Contesting a decision",
        "rollout": "Rollout", "impact": "Impact statement", "position": "Agreed position",
        "no_position": "No position was drafted.", "stances": "Stances", "no_stance": "No stance recorded.",
        "commitment": "Commitment", "owner": "Owner", "target": "Target", "due": "Due",
        "no_commitments": "No commitment.", "organisation": "Organisation", "constituency": "Constituency",
        "people": "Representatives", "signed_at": "Signed at", "reservation": "Reservation",
        "signed_digest": "Each signatory signed the outcome identified by this digest:",
        "page": "Page", "of": "of", "country_sector": "Country and sector",
        "times_in": "Times are given in the round's time zone", "colon": ":", "reply": "reply",
        "agree": "agrees", "agree_with_reservation": "agrees with a reservation", "disagree": "disagrees",
    },
    "fr": {
        "outcome_of": "Résultat de", "outcome_of_consultation": "Résultat de la consultation tripartite",
        "version": "version", "frozen": "figée le", "digest": "Empreinte", "verify_at": "Vérifier ce document :",
        "contents": "Sommaire", "plan": "Le plan de déploiement de l'IA en bref", "commitments": "Engagements",
        "participants": "Participants", "signatures": "Signatures", "annex": "Annexe : commentaires en plénière",
        "system": "Système", "purpose": "Finalité", "functions": "Fonctions",
        "high_risk": "à haut risque selon le règlement européen sur l'IA (annexe III, point 4)",
        "workers": "Travailleurs concernés", "sites": "Sites", "data": "Données des travailleurs",
        "oversight": "Contrôle humain", "contest": "Contester une décision", "rollout": "Déploiement",
        "impact": "Étude d'impact", "position": "Position convenue", "no_position": "Aucune position rédigée.",
        "stances": "Positions des parties", "no_stance": "Aucune position enregistrée.",
        "commitment": "Engagement", "owner": "Responsable", "target": "Cible", "due": "Échéance",
        "no_commitments": "Aucun engagement.", "organisation": "Organisation", "constituency": "Groupe",
        "people": "Représentants", "signed_at": "Signé le", "reservation": "Réserve",
        "signed_digest": "Chaque signataire a signé le résultat identifié par cette empreinte :",
        "page": "Page", "of": "sur", "country_sector": "Pays et secteur",
        "times_in": "Les heures sont données dans le fuseau horaire de la consultation",
        "colon": "\u202f:", "reply": "réponse",
        "agree": "approuve", "agree_with_reservation": "approuve avec réserve", "disagree": "désapprouve",
    },
    "es": {
        "outcome_of": "Resultado de", "outcome_of_consultation": "Resultado de la consulta tripartita",
        "version": "versión", "frozen": "cerrada el", "digest": "Huella", "verify_at": "Verifique este documento en",
        "contents": "Índice", "plan": "El plan de despliegue de la IA en resumen", "commitments": "Compromisos",
        "participants": "Participantes", "signatures": "Firmas", "annex": "Anexo: comentarios en plenario",
        "system": "Sistema", "purpose": "Finalidad", "functions": "Funciones",
        "high_risk": "de alto riesgo según el Reglamento europeo de IA (anexo III, punto 4)",
        "workers": "Personas trabajadoras afectadas", "sites": "Centros", "data": "Datos de las personas trabajadoras",
        "oversight": "Supervisión humana", "contest": "Impugnar una decisión", "rollout": "Despliegue",
        "impact": "Evaluación de impacto", "position": "Posición acordada", "no_position": "No se redactó posición.",
        "stances": "Posturas", "no_stance": "Ninguna postura registrada.",
        "commitment": "Compromiso", "owner": "Responsable", "target": "Meta", "due": "Plazo",
        "no_commitments": "Ningún compromiso.", "organisation": "Organización", "constituency": "Grupo",
        "people": "Representantes", "signed_at": "Firmado el", "reservation": "Reserva",
        "signed_digest": "Cada firmante firmó el resultado identificado por esta huella:",
        "page": "Página", "of": "de", "country_sector": "País y sector",
        "times_in": "Las horas se indican en la zona horaria de la consulta", "colon": ":", "reply": "respuesta",
        "agree": "está de acuerdo", "agree_with_reservation": "está de acuerdo con reservas",
        "disagree": "no está de acuerdo",
    },
}
CONSTITUENCY_NAMES = {
    "en": {"workers": "Workers", "employers": "Employers", "government": "Government",
           "secretariat": "Secretariat", "observers": "Observers"},
    "fr": {"workers": "Travailleurs", "employers": "Employeurs", "government": "Gouvernement",
           "secretariat": "Secrétariat", "observers": "Observateurs"},
    "es": {"workers": "Trabajadores", "employers": "Empleadores", "government": "Gobierno",
           "secretariat": "Secretaría", "observers": "Observadores"},
}


FUNCTION_NAMES = {
    "en": {"recruitment": "recruitment", "task_allocation": "task allocation", "scheduling": "scheduling",
           "monitoring": "monitoring", "performance_evaluation": "performance evaluation",
           "discipline_dismissal": "discipline or dismissal", "pay": "pay"},
    "fr": {"recruitment": "recrutement", "task_allocation": "répartition des tâches", "scheduling": "planification",
           "monitoring": "surveillance", "performance_evaluation": "évaluation des performances",
           "discipline_dismissal": "sanction ou licenciement", "pay": "rémunération"},
    "es": {"recruitment": "contratación", "task_allocation": "asignación de tareas", "scheduling": "planificación",
           "monitoring": "supervisión", "performance_evaluation": "evaluación del desempeño",
           "discipline_dismissal": "disciplina o despido", "pay": "retribución"},
}

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
    return language if language in TEXTS else "en"


def texts(language: str) -> dict[str, str]:
    """The document's fixed wording in its language (English where there is no catalogue)."""
    language = language if language in TEXTS else "en"
    return {**TEXTS[language], **CONSTITUENCY_NAMES[language]}


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
    names = FUNCTION_NAMES[language]
    environment.filters.update({
        "when": lambda value: local_time(value, language, time_zone),
        "day": lambda value, style="long": local_day(value, language, style),
        "function": lambda key: names.get(key, str(key).replace("_", " ")),
        "number": lambda value: format_decimal(value, locale=language) if isinstance(value, int | float) else value,
        "direction": direction,
        # Texts the document's data holds in English (the sections' titles), in the pages' own translations.
        "tr": lambda text: catalogue(language).get(str(text), text),
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


def _child(connection, document: dict[str, Any], exports_dir: str, memory_mb: int) -> None:
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        began = time.perf_counter()
        pdf, pages = _write(document, Path(exports_dir), None)
        seconds = time.perf_counter() - began
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        connection.send(("ok", RenderResult(pdf, pages, seconds, peak_mb, _peak_address_space_mb())))
    except MemoryError:
        connection.send(("error", f"the render needed more than {memory_mb} MB of memory"))
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


def _forkserver():
    # Children fork from a server that has WeasyPrint imported already: no import cost per render, and no
    # copy of the web process (its sockets, threads or gevent hub).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["weasyprint", "consult.documents.render"])
    return context


def render_in_child(document: dict[str, Any], *, timeout: float = 120, memory_mb: int = 1024,
                    exports_dir: Path | None = None) -> RenderResult:
    """Render in a child process limited to `memory_mb` of address space, killed past `timeout` seconds."""
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, document, str(exports_dir or EXPORTS), memory_mb),
                            daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise RenderFailed(f"the render took longer than {timeout:g} s and was stopped")
        try:
            status, payload = receiver.recv()
        except (EOFError, OSError) as error:
            child.join(1)
            code = child.exitcode
            how = f"was killed by {_signal_name(-code)}" if code and code < 0 else f"exited ({code})"
            raise RenderFailed(f"the renderer {how} before it finished, probably out of memory "
                               f"({memory_mb} MB)") from error
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
