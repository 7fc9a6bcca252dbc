"""Who hears of a date of an expert's calendar (consult/opinions/expert_reminders.py), and what they read of it.

A date coming reaches whoever must act: for the expert's steps (asking for information, notifying the cost, the
report), the expert, the appointing constituency's signatory and its member in charge; for the employer's (its
answer, its window to challenge), the employer's people. A date missed reaches all of them and the secretariat.
Every participant passes the policy's `may_notify` for the event's audience; the expert, no participant, only
`may_notify_expert` (their own appointment while it runs). The words name the step, its date, its article and the
expert, which every participant reads on the procedure page; never the member in charge, nor any note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from consult.accounts.models import Constituency, User
from consult.events.dispatcher import CommittedEvent
from consult.notifications.items import Item
from consult.opinions.models import Expert
from consult.policy import may_notify_expert
from consult.rounds.models import Round, Signatory

if TYPE_CHECKING:
    from consult.notifications.derive import Deriver

KIND = "expert.calendar"
#: The steps that are the employer's to take (the others are the expert's).
EMPLOYER_STEPS = frozenset({"information_answered", "employer_challenged"})


def expert_date(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    """A date of an expert's calendar coming or missed, to the parties concerned."""
    payload = event.payload
    appointment = d.session.scalar(select(Expert).where(Expert.public_id == payload["expert_id"]))
    missed = event.type == "expert.date_missed"
    employer = [u for u in d.people(round) if u.organisation_id == round.employer_id]
    side_ids = {appointment.member_in_charge_id, d.session.scalar(select(Signatory.user_id).where(
        Signatory.round_id == round.id, Signatory.constituency == appointment.constituency))}
    side = [u for u in d.people(round) if u.id in side_ids]
    if missed:
        concerned = employer + side + [u for u in d.people(round) if u.constituency == Constituency.SECRETARIAT]
    else:
        concerned = employer if payload["step"] in EMPLOYER_STEPS else side
    facts = {**base, "step": payload["step"], "title": payload["title"], "basis": payload["basis"],
             "due_day": payload["due_day"], "legal_time_zone": payload["legal_time_zone"], "missed": missed,
             "is_window": payload.get("is_window", False), "expert": appointment.user.display_name,
             "firm": appointment.firm, "constituency": appointment.constituency.value}
    seen: set[int] = set()
    items = []
    for user, _view in d.allowed(concerned, round, event.audience):
        if user.id not in seen:
            seen.add(user.id)
            items.append(Item(user, KIND, None, facts, f"/rounds/{round.id}/procedure"))
    expert: User = appointment.user
    if (missed or payload["step"] not in EMPLOYER_STEPS) and expert.is_active and \
            may_notify_expert(d.view(expert, round), appointment.constituency.value):
        items.append(Item(expert, KIND, None, facts, f"/rounds/{round.id}/expert"))
    return items
