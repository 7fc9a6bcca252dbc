"""Demo data: the same plan at the group's French site, under fr-cse, with its package released, an expert
appointed and the CSE's legal clock running (its deadline shown as the law counts it)."""

from __future__ import annotations

import copy

from sqlalchemy.orm import Session

from consult.accounts.models import Organisation, User
from consult.opinions.experts import appoint_expert
from consult.opinions.schemas import ExpertIn
from consult.package.services import attach_document
from consult.rounds.schemas import RoundIn
from consult.rounds.services import invite_organisation, name_signatory, open_round
from consult.timeline.services import start_round

#: A one-page PDF standing for the employer's data-protection impact assessment.
DPIA = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def load_french_round(session: Session, plan: dict, employer: User, workers: tuple[User, User],
                      government: User, secretariat: User, expert: User, invited: list[Organisation]) -> int:
    """Open the French round under fr-cse, release its package (the CSE's clock starts, R2312-5) and appoint
    the workers' expert (two months, R2312-6); the round's id."""
    french_plan = {**copy.deepcopy(plan), "sites": "Distribution centre Lyon-Corbas", "country": "FR",
                   "rollout_starts_on": "2027-06-01", "rollout_completes_on": "2027-12-31",
                   "worker_groups": "Préparateurs de commandes, caristes, chefs d'équipe; intérimaires compris"}
    round = open_round(session, employer, RoundIn().load({
        "title": "ShiftPilot à Lyon-Corbas : consultation du CSE",
        "plan": french_plan, "workflow": "fr-cse", "identity_policy": "pseudonymous", "language": "fr",
        "establishment_country": "FR",
    }))
    for organisation in invited:
        invite_organisation(session, employer, round.id, organisation.id)
    for constituency, person in (("employers", employer), ("workers", workers[0]), ("government", government)):
        name_signatory(session, secretariat, round.id, constituency, person.id)
    attach_document(session, employer, round.id, title="Analyse d'impact relative à la protection des données",
                    caucus=None, filename="aipd-shiftpilot.pdf", data=DPIA)
    start_round(session, secretariat, round.id, "Le dossier d'information est complet.")  # releases the package
    appoint_expert(session, workers[0], round.id, ExpertIn().load({
        "expert_user_id": expert.id, "firm": "Institute for Work and Technology",
        "reason": "Le système mesure les cadences individuelles : le CSE a besoin d'une lecture indépendante de "
                  "l'AIPD (L2315-94, 2°).",
        "brief": "Évaluer les fonctions de surveillance, les données conservées et les effets sur les conditions "
                 "de travail.", "member_in_charge_user_id": workers[1].id}))
    return round.id
