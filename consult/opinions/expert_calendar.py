"""The expert's legal calendar per profile: the dates the law sets, the steps recorded against them, and flags.

fr-cse (Code du travail; NEEDS A LAWYER'S CHECK): the expert asks the employer for the information they need
within 3 days of their appointment and the employer answers within 5 days of the request (R2315-45); the
expert notifies the employer of the expected cost, scope and length within 10 days of the appointment
(R2315-46); the report is due 15 days before the end of the consultation (R2315-47), counted back from the
legal clock's deadline as consultation's clock computes it (`clock_deadline`); the employer may challenge the
cost, scope or length before the court within 10 days of that notification (R2315-49, L2315-86). A period in
days ends at 24:00 of its last day, the day of the act not counted (Code de procédure civile art. 641), in
Paris time; whether art. 642 moves an end on a Saturday, Sunday or holiday is not applied (the
page says the date is "as counted, not extended"). Costs: 80 % employer, 20 % the CSE's budget; 100 % employer
where that budget cannot bear it (L2315-80), which is recorded as a step with its facts.

de-betrvg (BetrVG §80(3); NEEDS A LAWYER'S CHECK): the works council brings in an expert "nach näherer
Vereinbarung mit dem Arbeitgeber", an agreement on the person, the subject and the fee. Sentence 2 deems the
expert necessary where the council must assess the introduction or use of artificial intelligence; it does not
dispense with the agreement. A refusal leaves the council the labour court (Beschlussverfahren, ArbGG §2a):
consult records that the dispute was taken there and its outcome, and decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.db import utcnow
from consult.opinions.clocks import clock_deadline
from consult.opinions.models import Expert, ExpertStep
from consult.rounds.models import Round
from consult.timeline.rules import workflow_of
from consult.vocabulary import N_


@dataclass(frozen=True)
class Step:
    """One step of a calendar: due `days` after the step `after` (the appointment: "appointed"), or `before_end`
    days before the consultation's deadline; no due date for a step the law times by no clock."""

    key: str
    title: str
    basis: str
    after: str | None = None
    days: int | None = None
    before_end: int | None = None
    is_window: bool = False  # a right that may be used until the date, not a duty: never flagged as missed


FR_CSE = (
    Step("information_requested", N_("The expert asks the employer for the information needed"),
         "Code du travail R2315-45", after="appointed", days=3),
    Step("information_answered", N_("The employer answers the expert's request"),
         "Code du travail R2315-45", after="information_requested", days=5),
    Step("cost_notified", N_("The expert notifies the employer of the expected cost, scope and length"),
         "Code du travail R2315-46", after="appointed", days=10),
    Step("report_delivered", N_("The expert delivers the report"), "Code du travail R2315-47", before_end=15),
    Step("employer_challenged", N_("The employer challenges the cost, scope or length before the court"),
         "Code du travail R2315-49, L2315-86", after="cost_notified", days=10, is_window=True),
    Step("cse_budget_insufficient", N_("The CSE's budget cannot bear its share: the employer bears the whole cost"),
         "Code du travail L2315-80"),
)
DE_BETRVG = (
    Step("employer_agreed", N_("The employer agreed on the person, the subject and the fee"), "BetrVG §80(3)"),
    Step("employer_refused", N_("The employer refused the agreement"), "BetrVG §80(3)"),
    Step("labour_court_seized", N_("The works council took the refusal to the labour court"),
         "BetrVG §80(3); ArbGG §2a (Beschlussverfahren)"),
    Step("labour_court_decided", N_("The labour court decided (its decision recorded, not made, here)"),
         "ArbGG §2a"),
)
#: Each profile's calendar and the time zone of its jurisdiction (a legal date never falls back to UTC).
CALENDARS = {"fr-cse": ("Europe/Paris", FR_CSE), "de-betrvg": ("Europe/Berlin", DE_BETRVG)}
#: fr-cse, L2315-80 2°: the CSE's share of an expertise it decides, in per cent (else the employer's).
CSE_SHARE_PERCENT = 20


def steps_of(session: Session, round: Round) -> tuple[Step, ...]:
    """The calendar of the round's profile (empty where the profile has none)."""
    return CALENDARS.get(workflow_of(session, round).key, ("UTC", ()))[1]


def day_end(moment: datetime, days: int, zone: str) -> datetime:
    """24:00 of the day `days` after the day of `moment`, in `zone` (art. 641: the day of the act not counted)."""
    local = moment.astimezone(ZoneInfo(zone)).date() + timedelta(days=days + 1)
    return datetime.combine(local, time(0), tzinfo=ZoneInfo(zone))


def days_before(deadline: datetime, days: int, zone: str) -> datetime:
    """The same wall-clock time `days` calendar days before `deadline`, in `zone` (daylight saving kept)."""
    local = deadline.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date() - timedelta(days=days), local.timetz())


def last_day(end: datetime, zone: str) -> date:
    """The day whose end (24:00) `end` is, in `zone`."""
    return (end.astimezone(ZoneInfo(zone)) - timedelta(microseconds=1)).date()


def consultation_deadline(session: Session, round: Round) -> datetime | None:
    """The deadline of the profile's legal clock, as the clock computes it (None before it starts)."""
    workflow = workflow_of(session, round)
    stage = next((s for s in workflow.stages if s.clock is not None), None)
    return clock_deadline(session, round, stage)[1] if stage is not None else None


def recorded_steps(session: Session, expert_id: int) -> list[ExpertStep]:
    """The steps recorded for one appointment, oldest first."""
    return list(session.scalars(select(ExpertStep).where(ExpertStep.expert_id == expert_id)
                                .order_by(ExpertStep.id)))


def calendar_of(session: Session, round: Round, expert: Expert, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each step with its due date (24:00 of its last day, the jurisdiction's time zone), when it was recorded and its
    flag: done, late (recorded after the date), missed (the date passed, nothing recorded), due, waiting (timed
    from a step not recorded yet), or open (no date in law)."""
    now = now or utcnow()
    zone = CALENDARS.get(workflow_of(session, round).key, ("UTC", ()))[0]
    done = {s.step: s for s in recorded_steps(session, expert.id)}
    happened: dict[str, datetime] = {"appointed": expert.appointed_at}
    happened.update({key: step.recorded_at for key, step in done.items()})
    deadline = None
    rows = []
    titles = {step.key: step.title for step in steps_of(session, round)}
    for step in steps_of(session, round):
        due = None
        if step.after is not None and step.after in happened:
            due = day_end(happened[step.after], step.days, zone)
        elif step.before_end is not None:
            deadline = deadline or consultation_deadline(session, round)
            due = days_before(deadline, step.before_end, zone) if deadline else None
        record = done.get(step.key)
        if record is not None:
            flag = "late" if due is not None and record.recorded_at > due and not step.is_window else "done"
        elif due is None:
            flag = "waiting" if step.after is not None else "open"  # timed from a step not recorded yet
        elif now >= due:
            flag = "closed" if step.is_window else "missed"
        else:
            flag = "due"
        rows.append({"step": step.key, "title": step.title, "basis": step.basis,
                     "due_at": due.isoformat() if due else None, "time_zone": zone, "flag": flag,
                     "days": step.days, "after_title": titles.get(step.after),
                     "due_day": last_day(due, zone).isoformat() if due else None,
                     "recorded_at": record.recorded_at.isoformat() if record else None,
                     "note": record.note if record else None})
    return rows


def cost_split(session: Session, round: Round, expert: Expert) -> dict[str, Any] | None:
    """fr-cse: the recorded costs split per L2315-80 (80 % employer, 20 % the CSE; 100 % employer when the CSE's
    budget cannot bear it, as recorded), per currency, in minor units; the CSE's share is rounded down."""
    if workflow_of(session, round).key != "fr-cse":
        return None
    whole = any(s.step == "cse_budget_insufficient" for s in recorded_steps(session, expert.id))
    totals: dict[str, int] = {}
    for cost in expert.costs:
        totals[cost.currency] = totals.get(cost.currency, 0) + cost.amount_minor
    share = 0 if whole else CSE_SHARE_PERCENT
    return {"basis": "Code du travail L2315-80", "cse_percent": share, "employer_percent": 100 - share,
            "cse_budget_insufficient": whole,
            "totals": [{"currency": currency, "total_minor": total, "cse_minor": total * share // 100,
                        "employer_minor": total - total * share // 100} for currency, total in sorted(totals.items())]}

