"""The demo's concluded round: a signed outcome in the public registry and commitments followed against KPIs.

Written through the services, as the people would: positions drafted, every side's stance, the outcome frozen
and signed by the three signatories (with their demo passwords), the round concluded, then the employer's
progress reports on its commitments, so the registry, the monitoring page and a KPI chart have something to show.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from consult.accounts.models import Organisation, User
from consult.outcomes.followup import post_update
from consult.outcomes.models import StanceKind
from consult.outcomes.schemas import CommitmentIn, CommitmentUpdateIn
from consult.outcomes.services import add_commitment, draft_position, freeze_outcome, record_stance, sign_outcome
from consult.rounds.plan import SECTIONS
from consult.rounds.schemas import RoundIn
from consult.rounds.services import invite_organisation, name_signatory, open_round
from consult.timeline.services import advance_round, start_round

TITLE = "ShiftPilot 1.0: rostering at the Northgate Logistics hub (concluded)"
#: The commitments of the agreement: (description, KPI, target, days until due, progress reported so far).
COMMITMENTS = (
    ("Train every shift lead in reading and overriding ShiftPilot's rosters", "Shift leads trained (%)", "100 %",
     180, ("35 %", "60 %", "85 %")),
    ("Publish an independent audit of the rosters' effect on part-time and older workers each year",
     "Audits published", "1 per year", 365, ("0 audits: auditor chosen", "1 audit")),
)


def load_concluded_round(session: Session, plan: dict[str, Any], organisations: list[Organisation],
                         people: list[User], passwords: dict[int, str]) -> None:
    """Open, consult, sign and conclude a public round, then report progress on its commitments."""
    employer, worker, government, secretariat = people[0], people[1], people[3], people[4]
    round = open_round(session, employer, RoundIn().load({
        "title": TITLE, "plan": plan, "time_zone": "Europe/Berlin",
        "is_public": True}))
    for organisation in organisations[1:]:
        invite_organisation(session, employer, round.id, organisation.id)
    signatories = (("employers", employer), ("workers", worker), ("government", government))
    for constituency, person in signatories:
        name_signatory(session, secretariat, round.id, constituency, person.id)
    start_round(session, secretariat, round.id, "The plan is complete.")
    for step in ("The questions are answered.", "The plenary discussion is over.", "The caucuses have met."):
        advance_round(session, secretariat, round.id, step)  # information, consultation, caucus: to drafting
    for key, title in SECTIONS:
        draft_position(session, secretariat, round.id, key,
                       f"The parties agree on **{title}**, with the commitments below.", 0)
    commitments = []
    for description, kpi, target, days, _reports in COMMITMENTS:
        commitments.append(add_commitment(session, secretariat, round.id, CommitmentIn().load({
            "description": description, "kpi": kpi, "target": target,
            "owner_organisation_id": employer.organisation_id,
            "due_on": (date.today() + timedelta(days=days)).isoformat()})))
    for _constituency, person in signatories:
        for key, title in SECTIONS:
            record_stance(session, person, round.id, key, StanceKind.AGREE,
                          f"We accept the text on {title.lower()}.")
    advance_round(session, secretariat, round.id, "Every section has its position and every stance.")
    outcome = freeze_outcome(session, secretariat, round.id)
    for _constituency, person in signatories:
        sign_outcome(session, person, round.id, outcome.digest, passwords[person.id], None)
    advance_round(session, secretariat, round.id, "Signed by the three sides.")
    for commitment, (*_facts, reports) in zip(commitments, COMMITMENTS, strict=True):
        for value in reports:
            post_update(session, employer, round.id, commitment.id,
                        CommitmentUpdateIn().load({"value": value, "note": "Reported to the works council."}))
