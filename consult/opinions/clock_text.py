"""A legal deadline said the law's way, in the reader's language: "Wednesday 6 January 2027, end of the day,
Paris time" (CPC art. 642: a délai expires on its last day at 24:00), and the clock as the API shows it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext

from consult.db import utcnow
from consult.opinions.clock_records import establishment_deadline, establishment_opinions
from consult.opinions.clocks import clock_state
from consult.rounds.models import Round
from consult.web.dates import end_of_day
from consult.workflow.calendar import holiday_name
from consult.workflow.definitions import Stage


def end_of_day_text(day: date, time_zone: str) -> str:
    """ "Wednesday 6 January 2027, end of the day, Paris time", in the page's language (`end_of_day`)."""
    return end_of_day(day, time_zone)


def present_clock(session, round: Round, stage: Stage) -> dict[str, Any]:
    """The stage's clock: its start, the deadline as the law counts it, and the uncertain extension, if any."""
    state = clock_state(session, round, stage)
    shown: dict[str, Any] = {
        "stage": stage.key, "starts_at": state.started.isoformat() if state.started else None,
        "deadline_at": state.governing.isoformat() if state.governing else None,
        "starts_with": stage.clock.starts_at, "starts_with_any": list(stage.clock.starts_with), "basis": state.basis,
        "at_expiry": stage.clock.at_expiry, "time_zone": state.place.time_zone if state.place else None,
        "country": state.place.country if state.place else None, "reading": state.reading,
        "agreement": state.agreement, "last_day": None, "deadline_text": None, "extension": None,
        "establishments": None}
    deadline = state.deadline
    if deadline is not None:
        zone = state.place.time_zone
        governing_day = deadline.extended_day if state.governing == deadline.extended_at else deadline.last_day
        shown["last_day"] = governing_day.isoformat()
        shown["deadline_text"] = end_of_day_text(governing_day, zone)
        if deadline.extended_day is not None and deadline.rule != "no":
            reason = holiday_name(deadline.last_day, state.place.country, state.place.region)
            shown["extension"] = {
                "rule": deadline.rule, "last_day": deadline.last_day.isoformat(),
                "ends_at": deadline.ends_at.isoformat(), "extended_day": deadline.extended_day.isoformat(),
                "extended_at": deadline.extended_at.isoformat(), "holiday": reason,
                "strict_text": end_of_day_text(deadline.last_day, zone),
                "extended_text": end_of_day_text(deadline.extended_day, zone),
                "flag": gettext("The last day is not a working day: the time limit may be extended to %(day)s. "
                                "Whether it is, is uncertain in law: check with your lawyer.",
                                day=end_of_day_text(deadline.extended_day, zone))
                if deadline.rule == "uncertain" else None}
    if round.establishments:
        due = establishment_deadline(session, round)
        text = end_of_day_text((due - timedelta(seconds=1)).astimezone(state.place.zone_info).date(),
                               state.place.time_zone) if due else None
        opinions = establishment_opinions(session, round)
        passed = due is not None and utcnow() >= due
        shown["establishments"] = {
            "names": list(round.establishments), "deadline_at": due.isoformat() if due else None,
            "deadline_text": text, "opinions": list(opinions.values()),
            # R2312-6 II: each with its due date; one missing after it is deemed negative, even before the
            # scheduler records it
            "rows": [{"name": name, "due_text": text, "opinion": opinions.get(name),
                      "deemed": name not in opinions and passed} for name in round.establishments]}
    return shown
