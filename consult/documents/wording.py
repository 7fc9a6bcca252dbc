"""The outcome document's wording: its fixed texts, its languages, and how dates, people and directions read.

The texts are written in English and marked with `N_`; scripts/i18n puts them in the pages' catalogues
(translations/), and a document is translated into its round's language when it renders (consult/documents/render.py).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date

from consult.opinions.texts import PROCEDURE_TEXTS
from consult.paths import ROOT
from consult.vocabulary import LANGUAGES, N_  # a document is written in one of the LANGUAGES, else English

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

#: How consult/policy/presentation.py labels a masked person, in English in the frozen document; translated at render.
LABELS = ((re.compile(r"^Worker representative (?P<number>\d+)$"), N_("Worker representative %(number)s")),
          (re.compile(r"^Worker representative$"), N_("Worker representative")),
          (re.compile(r"^A representative of (?P<organisation>.+)$"), N_("A representative of %(organisation)s")))


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

