"""The expert's calendar, told to the people concerned: a reminder before each date the law sets, and a flag when
one passes with nothing recorded (consult/opinions/expert_calendar.py computes the dates).

The scheduler wakes the round at each moment (`expert_wake`) and `remind_expert_dates` appends one event per
moment, which the notifications turn into mail for the parties concerned (consult/notifications/expert_items.py):

- `expert.date_coming`, REMIND_DAYS before the date (REPORT_REMIND_DAYS for the report, whose date already
  leaves the CSE 15 days to read it): to whoever must act, the expert and their side for the expert's steps, the
  employer for its answer and for the end of its window to challenge (R2315-49);
- `expert.date_missed`, at the date, when nothing was recorded: to every party concerned and the secretariat. A
  window (the employer's challenge) closes without a flag: using it is a right, not a duty.

Each moment is marked once (`round_reminders`, "expert:<id>:<step>"), so a retry, a second scheduler or a clock
catching up never repeats it; a reminder whose date has passed by the time the clock looks is marked and not sent
(the flag says it). A date that moves after its reminder (the consultation's end) is not reminded again. Nothing
is told while the round is paused or after its conclusion, nor for an appointment that has ended.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.events.services import append_event
from consult.opinions.expert_calendar import CALENDARS, calendar_of, steps_of
from consult.opinions.models import Expert
from consult.policy import PARTICIPANTS
from consult.rounds.models import Round, RoundStatus
from consult.timeline.clock import rearm
from consult.timeline.models import SentReminder
from consult.timeline.rules import workflow_of

#: Days before a date that its reminder is sent; the report's, longer.
REMIND_DAYS, REPORT_REMIND_DAYS = 2, 7
#: The marks of a step's two moments (`round_reminders.offset_seconds`).
REMINDED, MISSED = 1, 0
COMING, PASSED = "expert.date_coming", "expert.date_missed"
#: Events after which an appointment's dates may have changed: the scheduler is set again.
MOVING = frozenset({"expert.appointed", "expert.step_recorded", "expert.ended"})


def remind_days(step: str) -> int:
    """How many days before its date a step is reminded."""
    return REPORT_REMIND_DAYS if step == "report_delivered" else REMIND_DAYS


def _followed(session: Session, round: Round) -> list[Expert]:
    """The running appointments of a round whose profile has a calendar, while the round is under way."""
    workflow = workflow_of(session, round)
    if workflow.key not in CALENDARS or round.status == RoundStatus.PAUSED or workflow.stage(round.stage).is_terminal:
        return []  # checked first: no query for the rounds of other profiles
    return list(session.scalars(select(Expert).where(Expert.round_id == round.id, Expert.ended_at.is_(None))
                                .order_by(Expert.id)))


def _marks(session: Session, round: Round) -> set[tuple[str, int]]:
    return set(session.execute(select(SentReminder.stage, SentReminder.offset_seconds).where(
        SentReminder.round_id == round.id, SentReminder.stage.like("expert:%"))).all())


def _open_dates(session: Session, round: Round, expert: Expert, now: datetime | None = None):
    """(step, due moment, is a window) of each dated step not yet recorded."""
    windows = {step.key for step in steps_of(session, round) if step.is_window}
    for row in calendar_of(session, round, expert, now):
        if row["due_at"] is not None and row["recorded_at"] is None:
            yield row, datetime.fromisoformat(row["due_at"]), row["step"] in windows


def expert_wake(session: Session, round: Round) -> list[datetime]:
    """Each reminder and flag not yet marked, so the scheduler wakes for it."""
    experts = _followed(session, round)
    marks = _marks(session, round) if experts else set()
    moments = []
    for expert in experts:
        for row, due, is_window in _open_dates(session, round, expert):
            mark = f"expert:{expert.id}:{row['step']}"
            if (mark, REMINDED) not in marks:
                moments.append(due - timedelta(days=remind_days(row["step"])))
            if not is_window and (mark, MISSED) not in marks:
                moments.append(due)
    return moments


def remind_expert_dates(session: Session, round: Round, now: datetime) -> None:
    """Append the reminders and flags now due, each once; a reminder overtaken by its date is only marked."""
    experts = _followed(session, round)
    if not experts:
        return
    marks = _marks(session, round)
    for expert in experts:
        for row, due, is_window in _open_dates(session, round, expert, now):
            mark, step = f"expert:{expert.id}:{row['step']}", row["step"]
            told = None
            if now >= due:
                if (mark, REMINDED) not in marks:
                    _mark(session, round, mark, REMINDED, now, marks)
                if not is_window and (mark, MISSED) not in marks:
                    _mark(session, round, mark, MISSED, now, marks)
                    told = PASSED
            elif now >= due - timedelta(days=remind_days(step)) and (mark, REMINDED) not in marks:
                _mark(session, round, mark, REMINDED, now, marks)
                told = COMING
            if told is not None:
                append_event(session, round, told, actor_id=None, audience=PARTICIPANTS, payload={
                    "expert_id": expert.public_id, "constituency": expert.constituency.value, "step": step,
                    "title": row["title"], "basis": row["basis"], "due_at": row["due_at"],
                    "due_day": row["due_day"], "legal_time_zone": row["time_zone"], "is_window": is_window})
    session.flush()


def _mark(session: Session, round: Round, mark: str, kind: int, now: datetime, marks: set) -> None:
    session.add(SentReminder(round_id=round.id, stage=mark, offset_seconds=kind, sent_at=now))
    marks.add((mark, kind))


def rearm_on_expert_event(session: Session, round: Round, event_type: str) -> None:
    """An appointment made, a step recorded or an appointment ended moves the dates the scheduler waits for."""
    if event_type in MOVING and workflow_of(session, round).key in CALENDARS and round.status != RoundStatus.PAUSED:
        session.flush()
        rearm(session, round, workflow_of(session, round))
