"""The kinds of notification, how each reaches a person by default, and how each is put into words.

The words are made when they are read (on the page, in a mail) in the reader's language, from the facts a
notification keeps, which the policy filtered for its recipient when it was written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.web.dates import end_of_day, local_date, local_datetime
from consult.web.labels import constituency_name, section_name, stage_name

IMMEDIATE, DAILY, WEEKLY, OFF = "immediate", "daily", "weekly", "off"
DELIVERIES = (IMMEDIATE, DAILY, WEEKLY, OFF)
DELIVERY_NAMES = {IMMEDIATE: _l("Immediately"), DAILY: _l("In a daily digest"), WEEKLY: _l("In a weekly digest"),
                  OFF: _l("Off (on the notifications page only)")}

#: Every kind and its default: invitations, signatures and deadlines at once; replies in a daily digest.
DEFAULTS: dict[str, str] = {
    "round.invitation": IMMEDIATE,
    "stage.entered": IMMEDIATE,
    "deadline.reminder": IMMEDIATE,
    "comment.reply": DAILY,
    "question.asked": IMMEDIATE,
    "question.answered": IMMEDIATE,
    "signature.awaited": IMMEDIATE,
    "outcome.published": IMMEDIATE,
    "export.ready": IMMEDIATE,
    "commitment.due": IMMEDIATE,
    "comment.moderated": IMMEDIATE,
    "expert.calendar": IMMEDIATE,
}
KIND_NAMES = {
    "round.invitation": _l("Invitations to a round"),
    "stage.entered": _l("A new stage begins"),
    "deadline.reminder": _l("Deadline reminders"),
    "comment.reply": _l("Replies to my comments"),
    "question.asked": _l("Questions addressed to the employer"),
    "question.answered": _l("Answers to my questions"),
    "signature.awaited": _l("My signature is awaited"),
    "outcome.published": _l("Outcome signed and published"),
    "export.ready": _l("My exports are ready"),
    "commitment.due": _l("Commitment reminders and overdue commitments"),
    "comment.moderated": _l("Moderation of my comments"),
    "expert.calendar": _l("An expert's calendar: dates coming and dates missed"),
}
ACTION_NAMES = {"ask": _l("questions to the employer"), "answer": _l("answers to questions"),
                "comment": _l("plenary comments"), "caucus": _l("your constituency's caucus"),
                "draft": _l("drafting positions"), "comment_draft": _l("comments on drafts"),
                "stance": _l("recording stances"), "sign": _l("signing the outcome"),
                "edit_plan": _l("editing the plan")}

EXPORT_NAMES = {"pdf": _l("Signed PDF"), "pdf_annex": _l("Signed PDF with the plenary comments")}


def _when(value: str | None, zone: str | None) -> str:
    if not value:
        return _("no deadline")
    return local_datetime(datetime.fromisoformat(value), zone or "UTC")


def _opened(data: dict[str, Any]) -> str:
    return ", ".join(str(ACTION_NAMES.get(a, a)) for a in data.get("open", []))


def _where(data: dict[str, Any]) -> str:
    section = data.get("section")
    return section_name(section) if section else ""


def describe(kind: str, data: dict[str, Any]) -> tuple[str, str]:
    """A notification in the current language: a headline and a detail line (either may be long)."""
    title, zone = data.get("round_title", ""), data.get("time_zone")
    if kind == "round.invitation":
        return (_("%(organisation)s is invited to the round \u201c%(round)s\u201d", organisation=data["organisation"],
                  round=title), _("The round is about the AI system %(system)s.", system=data.get("system", "")))
    if kind == "stage.entered":
        opened = _opened(data) or _("reading only")
        headline = _("\u201c%(round)s\u201d: the %(stage)s stage has begun", round=title,
                     stage=stage_name(data["stage"], data.get("title")))
        detail = _("Open to you: %(open)s. Until: %(until)s.", open=opened, until=_when(data.get("deadline_at"), zone))
        if data.get("passed"):  # the clock caught the round up through stages whose deadlines had passed
            detail += " " + _("Stages passed on the way, their deadlines over: %(stages)s.", stages=", ".join(
                stage_name(p["stage"], p.get("title")) for p in data["passed"]))
        return headline, detail
    if kind == "deadline.reminder":
        stage = stage_name(data["stage"], data.get("title"))
        if data.get("passed"):
            return (_("\u201c%(round)s\u201d: the %(stage)s stage's deadline has passed", round=title, stage=stage),
                    _("The round waits for the secretariat."))
        until = _when(data.get("deadline_at"), zone)
        if "open" not in data:  # written before reminders said what is open
            return (_("\u201c%(round)s\u201d: the %(stage)s stage ends soon", round=title, stage=stage),
                    _("Deadline: %(until)s.", until=until))
        return (_("\u201c%(round)s\u201d: the %(stage)s stage ends soon", round=title, stage=stage),
                _("Still open to you until %(until)s: %(open)s.", until=until, open=_opened(data)))
    if kind in ("comment.reply", "question.answered"):
        who, where = data["author"], _where(data)
        headline = (_("%(author)s replied to your comment in \u201c%(round)s\u201d (%(section)s)", author=who,
                      round=title, section=where) if kind == "comment.reply" else
                    _("%(author)s answered your question in \u201c%(round)s\u201d (%(section)s)", author=who,
                      round=title, section=where))
        return headline, data.get("excerpt", "")
    if kind == "question.asked":
        return (_("%(author)s asked the employer a question in \u201c%(round)s\u201d (%(section)s)",
                  author=data["author"], round=title, section=_where(data)), data.get("excerpt", ""))
    if kind == "signature.awaited":
        return (_("\u201c%(round)s\u201d: your signature is awaited", round=title),
                _("Version %(version)s of the outcome is frozen and waits for your signature.",
                  version=data.get("version")))
    if kind == "outcome.published":
        return (_("\u201c%(round)s\u201d: the outcome is signed", round=title),
                _("Every required constituency has signed version %(version)s.", version=data.get("version")))
    if kind == "export.ready":
        return (_("\u201c%(round)s\u201d: your export is ready", round=title),
                _("Ready to download: %(kind)s.", kind=EXPORT_NAMES.get(data.get("kind", ""), data.get("kind", ""))))
    if kind == "commitment.due":
        headline = (_("\u201c%(round)s\u201d: a commitment is overdue", round=title) if data.get("overdue") else
                    _("\u201c%(round)s\u201d: a commitment's review is due", round=title))
        return headline, _("%(owner)s: %(kpi)s, due on %(due)s.", owner=data.get("owner", ""),
                           kpi=data.get("kpi", ""), due=local_date(data.get("due_on", "")))
    if kind == "comment.moderated":
        return (_("\u201c%(round)s\u201d: the secretariat hid your comment (%(section)s)", round=title,
                  section=_where(data)), _("Reason given: %(reason)s", reason=data.get("reason", "")))
    if kind == "expert.calendar":
        return _expert_date(data)
    return kind, ""


def _expert_date(data: dict[str, Any]) -> tuple[str, str]:
    """A date of an expert's calendar: coming, a window closing, or missed (consult/opinions/expert_reminders.py)."""
    title, day = data.get("round_title", ""), end_of_day(data.get("due_day"), data.get("legal_time_zone") or "UTC")
    who = _("Expert: %(expert)s (%(firm)s), appointed for: %(side)s.", expert=data.get("expert", ""),
            firm=data.get("firm", ""), side=constituency_name(data.get("constituency", "")))
    step = _(data.get("title", ""))  # the calendar's step titles are in the catalogues
    if data.get("missed"):
        return (_("\u201c%(round)s\u201d: a date of the expert's calendar passed with nothing recorded", round=title),
                _("%(step)s: due by %(day)s (%(basis)s).", step=step, day=day, basis=data.get("basis", ""))
                + " " + who)
    if data.get("is_window"):
        return (_("\u201c%(round)s\u201d: a window of the expert's calendar closes on %(day)s", round=title, day=day),
                _("%(step)s: possible until %(day)s (%(basis)s).", step=step, day=day, basis=data.get("basis", ""))
                + " " + who)
    return (_("\u201c%(round)s\u201d: a date of the expert's calendar is coming: %(day)s", round=title, day=day),
            _("%(step)s: due by %(day)s (%(basis)s).", step=step, day=day, basis=data.get("basis", "")) + " " + who)
