"""Demo: a German round under de-betrvg, held before the conciliation board.

The works council consented to scheduling and refused monitoring; the employer withdrew performance evaluation
(version 2 of the plan); the round waits in the conciliation stage for the Einigungsstelle's ruling on
monitoring (BetrVG §87(2)), and its procedure page says the rollout may not introduce monitoring before it.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

from sqlalchemy.orm import Session

from consult.accounts.models import Organisation, User
from consult.opinions.conciliation import revise_function
from consult.opinions.models import ConsentDecision, RevisionKind
from consult.opinions.services import decide_consent
from consult.rounds.schemas import RoundIn
from consult.rounds.services import invite_organisation, name_signatory, open_round
from consult.timeline.services import advance_round, start_round

TITLE = "ShiftPilot at the Hamburg-Billbrook centre: works council consent (BetrVG §87)"
REFUSAL = ("Pick rates per person and hour let shift leads rank individual workers: a performance control the "
           "works council does not accept without a binding ban on individual rankings.")


def load(session: Session, plan: dict, employer: User, works_council: Organisation, chair: User,
         secretariat: User) -> None:
    """Open the German round, decide consent for two functions, withdraw the third and reach the conciliation stage."""
    german = copy.deepcopy(plan)
    german.update({"functions": ["scheduling", "monitoring", "performance_evaluation"],
                   "sites": "Distribution centre Hamburg-Billbrook",
                   "rollout_starts_on": (date.today() + timedelta(days=90)).isoformat(),
                   "rollout_completes_on": (date.today() + timedelta(days=180)).isoformat()})
    round = open_round(session, employer, RoundIn().load({
        "title": TITLE, "workflow": "de-betrvg", "plan": german,
        "time_zone": "Europe/Berlin", "is_public": False}))
    for organisation in (works_council.id, secretariat.organisation_id):
        invite_organisation(session, employer, round.id, organisation)
    name_signatory(session, secretariat, round.id, "employers", employer.id)
    name_signatory(session, secretariat, round.id, "workers", chair.id)
    start_round(session, secretariat, round.id, "The employer released the vendor's documentation.")
    advance_round(session, secretariat, round.id, "The works council asked for no more information.")
    decide_consent(session, chair, round.id, {"function": "scheduling", "decision": ConsentDecision.GIVEN,
                                              "reasons": "Rosters stay subject to the shift leads' approval."})
    decide_consent(session, chair, round.id, {"function": "monitoring", "decision": ConsentDecision.REFUSED,
                                              "reasons": REFUSAL})
    revise_function(session, employer, round.id, "performance_evaluation", RevisionKind.WITHDRAWN,
                    "Performance evaluation is taken out of the system at this site.")
    advance_round(session, secretariat, round.id, "Monitoring goes to the conciliation board.")
