"""Demo: an AI Act round. A high-risk recruitment-screening plan with the deployer's checklist filled, under the
eu-ai-act profile, its affected workers informed one by one (three by mail, one by a printed letter)."""

from __future__ import annotations

import copy
from datetime import date, timedelta

from sqlalchemy.orm import Session

from consult.accounts.models import Organisation, User
from consult.informing.services import inform_affected_workers, list_affected_workers
from consult.rounds.schemas import RoundIn
from consult.rounds.services import invite_organisation, name_signatory, open_round
from consult.timeline.services import start_round

PLAN = {
    "system_name": "TalentLens",
    "provider": "Brightwave HR Analytics B.V.",
    "purpose": "Rank internal applicants for shift-lead vacancies from their training records and attendance, and "
               "propose a shortlist to HR.",
    "functions": ["recruitment", "performance_evaluation"],
    "declares_high_risk": True,
    "workers_affected": 240,
    "worker_groups": "Warehouse operatives applying for shift-lead posts",
    "sites": "Distribution centres Hamburg-Billbrook and Hanover-Lahe",
    "data_collected": "Training records, attendance, internal application letters",
    "data_retention": "Applications 6 months after the decision; system logs 12 months",
    "data_access": "HR recruiters; the works council sees anonymised shortlist statistics",
    "human_oversight": "Two HR recruiters review every shortlist and may add or remove anyone",
    "contest_route": "An applicant may ask HR for the reasons and a human review within 30 days",
    "country": "DE",
    "sector": "Logistics and warehousing",
    "emotion_recognition": "none",
    "deployer_checklist": {"oversight_by": "Two HR recruiters trained on the system, with authority to override it",
                           "log_retention_months": 12, "dpia_reference": "DPIA-2026-31 (in the package)",
                           "fria_applies": False},
    "impact_statements": {
        "social_dialogue": "The works council is consulted before the system is put into service.",
        "skills_training": "HR recruiters get a day of training on the ranking's limits.",
        "safety_health_dignity": "No ranking is shown to line managers.",
        "non_discrimination": "Shortlists are audited by age, sex and nationality every quarter.",
        "privacy": "No data from outside the employment relationship.",
        "productivity_inclusion": "Time saved goes to interviewing more internal applicants.",
    },
}
#: The workers the plan affects: three with an address (a mail each), one without (a printed letter).
AFFECTED = [{"name": "Mehmet Yilmaz", "email": "mehmet.yilmaz@northgate.example"},
            {"name": "Anna Kowalska", "email": "anna.kowalska@northgate.example"},
            {"name": "João Ferreira", "email": "joao.ferreira@northgate.example"},
            {"name": "Heike Brandt"}]


def load_eu_ai_act_round(session: Session, organisations: list[Organisation], people: list[User]) -> None:
    """Open the AI Act round in the demo's world (the same six organisations and people), started and informed."""
    employer, secretariat = people[0], people[4]
    plan = {**copy.deepcopy(PLAN), "rollout_starts_on": (date.today() + timedelta(days=60)).isoformat()}
    round = open_round(session, employer, RoundIn().load({
        "title": "TalentLens: AI shortlisting of internal applicants at Northgate Logistics",
        "workflow": "eu-ai-act", "plan": plan, "time_zone": "Europe/Berlin", "establishment_country": "DE",
        "is_public": False,
    }))
    for organisation in organisations[1:]:
        invite_organisation(session, employer, round.id, organisation.id)
    for constituency, person in (("employers", people[0]), ("workers", people[1]), ("government", people[3])):
        name_signatory(session, secretariat, round.id, constituency, person.id)
    start_round(session, secretariat, round.id, "The plan and the deployer's checklist are complete.")
    list_affected_workers(session, employer, round.id, AFFECTED)
    inform_affected_workers(session, employer, round.id)
