"""A world in which every page form of consult appears, and the people who see them.

The demo's world (`consult/demo.py`): a round in consultation, fr-cse with its package released and an expert
appointed, de-betrvg before the conciliation board (consent refused, a function withdrawn), eu-ai-act with
its affected workers informed, a concluded public round with commitments. Added here, among the same people:
a platform-work round with its platform workers listed but not yet informed and two open questions, a draft
round, a round in drafting (positions, stances, commitments) and one in sign-off with its outcome frozen and
unsigned. Every
demo person's password becomes the factories' `PASSWORD`, so `as_person` logs them in.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask
from sqlalchemy import select

from consult.accounts.models import Organisation, User
from consult.accounts.services import hash_password
from consult.demo import PLAN, load_demo
from consult.informing.services import list_affected_workers
from consult.outcomes.models import StanceKind
from consult.outcomes.services import draft_position, freeze_outcome, record_stance
from consult.questions.services import ask_question
from consult.rounds.models import Round
from consult.rounds.plan import SECTIONS
from consult.rounds.schemas import RoundIn
from consult.rounds.services import invite_organisation, name_signatory, open_round
from consult.timeline.services import start_round
from tests.factories import PASSWORD, Factory
from tests.opinions.helpers import PLATFORM_ITEMS

#: The demo's people by the role the sweep gives them.
ROLES = {"employer": "claire.martin@northgate.example", "worker": "amira.haddad@utlwu.example",
         "works_council": "jonas.weber@northgate-wc.example", "government": "pedro.alves@labour.example",
         "secretariat": "sam.okafor@dialogue.example", "expert": "lin.chen@iwt.example"}
SIGNATORIES = (("employers", "employer"), ("workers", "worker"), ("government", "government"))
#: Platform workers the platform-work round lists (Directive (EU) 2024/2831 Art. 9(1)): a mail and a letter.
PLATFORM_WORKERS = [{"name": "Rider One", "email": "rider.one@couriers.example"}, {"name": "Rider Two"}]


def _standard_round(make: Factory, people: dict[str, User], invited: list[Organisation], title: str,
                    stage: str) -> int:
    round = make.round(people["employer"], invite=tuple(invited), stage="draft", title=title)
    for constituency, role in SIGNATORIES:
        make.signatory(people["secretariat"], round, constituency, people[role])
    if stage != "draft":
        make.move_to(people["employer"], round, stage)
    return round.id


def _draft(make: Factory, people: dict[str, User], round_id: int, sections=SECTIONS) -> None:
    with make.db.transaction() as session:
        for key, title in sections:
            draft_position(session, session.get(User, people["secretariat"].id), round_id, key,
                           f"The parties agree on **{title}**.", 0)


def _ready_to_sign(make: Factory, people: dict[str, User], round_id: int) -> None:
    """Every position drafted and every stance agreed: what the sign-off stage needs before freezing."""
    _draft(make, people, round_id)
    for _constituency, role in SIGNATORIES:
        with make.db.transaction() as session:
            for key, title in SECTIONS:
                record_stance(session, session.get(User, people[role].id), round_id, key, StanceKind.AGREE,
                              f"We accept the text on {title.lower()}.")


def _platform_round(make: Factory, people: dict[str, User], invited: list[Organisation]) -> int:
    plan = {**copy.deepcopy(PLAN), **copy.deepcopy(PLATFORM_ITEMS), "system_name": "RideMatch"}
    with make.db.transaction() as session:
        employer, secretariat = (session.get(User, people[k].id) for k in ("employer", "secretariat"))
        round = open_round(session, employer, RoundIn().load({
            "title": "RideMatch: task offers to couriers (Platform Work Directive)", "workflow": "platform-work",
            "plan": plan, "establishment_country": "DE", "time_zone": "Europe/Berlin"}))
        for organisation in invited:
            invite_organisation(session, employer, round.id, organisation.id)
        for constituency, role in SIGNATORIES:
            name_signatory(session, secretariat, round.id, constituency, people[role].id)
        start_round(session, secretariat, round.id, "The plan names every decision category.")
        list_affected_workers(session, employer, round.id, PLATFORM_WORKERS)
        # Two open questions: the employer's answer form and the asker's withdrawal form appear.
        for text in ("Which parameters weigh most in a task offer?", "Who reviews a suspension?"):
            ask_question(session, session.get(User, people["worker"].id), round.id,
                         {"section": "system", "body": text})
        return round.id


def form_world(app: Flask) -> dict[str, Any]:
    """Load the demo, add the rounds it lacks; the people by role and the rounds by name (ids)."""
    load_demo(app)
    make = Factory(app)
    with make.db.transaction() as session:
        for user in session.scalars(select(User)):
            user.password_hash = hash_password(PASSWORD)
    people = {}
    with make.db.transaction(write=False) as session:
        for role, email in ROLES.items():
            people[role] = session.scalar(select(User).where(User.email == email))
        organisations = session.scalars(select(Organisation).order_by(Organisation.id)).all()
    invited = [o for o in organisations if o.id != people["employer"].organisation_id]
    # A second person in each organisation: deactivating a party's last person in a round under way is refused
    # (docs/rules.md), and the secretariat's sweep deactivates whoever the register lists first.
    for organisation in organisations:
        make.user(organisation, name=f"Second person of {organisation.name}")
    # An expert from outside the rounds, for the appointment forms (the demo's researcher is invited to them).
    people["outside_expert"] = make.user("observers", name="Eva Expert")
    rounds = {"platform_work": _platform_round(make, people, invited),
              "draft": _standard_round(make, people, invited, "Draft: badge readers at the Kassel gate", "draft"),
              "drafting": _standard_round(make, people, invited, "Drafting: voice picking in Hanover", "drafting")}
    _draft(make, people, rounds["drafting"], SECTIONS[:2])  # stances may be taken on these two
    signing = _standard_round(make, people, invited, "Sign-off: route planning for the vans", "drafting")
    _ready_to_sign(make, people, signing)
    make.move_to(people["employer"], make.reload(Round, signing), "sign_off")
    with make.db.transaction() as session:
        freeze_outcome(session, session.get(User, people["secretariat"].id), signing)
    rounds["sign_off"] = signing
    return {**people, "rounds": rounds}
