"""Opening a round, inviting and removing organisations, signatories, the identity policy: each appends its event.

Who may do each, and when, is the table in `consult.rounds.governance`; these services ask it first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import SOCIAL_PARTNERS, Constituency, Organisation, User
from consult.db import transaction_cache, utcnow
from consult.errors import Conflict, Forbidden, Invalid, NotFound
from consult.events.services import append_event, lock_round
from consult.informing.plan_rules import check_deployer_checklist, check_minimum_lengths, check_prohibitions
from consult.opinions.consent_rollout import check_consent_rollout
from consult.opinions.establishment import check_establishment
from consult.opinions.rollout import check_rollout, earliest_end, require_plan_items
from consult.outcomes import voiding
from consult.policy import PARTICIPANTS, RoundView, view_round
from consult.rounds import governance
from consult.rounds.models import Participant, Plan, Round, Section, Signatory
from consult.rounds.plan import SECTIONS, IdentityPolicy, is_high_risk
from consult.web.labels import constituency_name, policy_name
from consult.workflow.lengths import check_stage_lengths


def get_visible_round(session: Session, user: User | None, round_id: int, *, lock: bool = False,
                      after_conclusion: bool = False, locked: tuple[Round | None, bool] | None = None) -> RoundView:
    """The round and the requester's view of it; 404 for anyone who is not a participant.

    `lock` is for writes: a write to a concluded round is refused (409) unless `after_conclusion` says the
    caller asks the governance table itself (the follow-up of commitments, exports, the people's rules).
    A view is read once per transaction: an entry point that checks access and then presents what it
    changed asks twice, and within one transaction the answer cannot change (a locked read serves both).
    `locked`: the round the caller has just locked itself, and whether the requester's organisation takes
    part, read by the same statement (a frequent write reads all it needs at once).
    """
    key = ("round_view", user.id if user is not None else None, round_id)
    views = transaction_cache(session)
    if key in views and (views[key][1] or not lock):
        view = views[key][0]
    else:
        round, invited = locked or (lock_round(session, round_id) if lock else session.get(Round, round_id), None)
        if round is None:
            raise NotFound(gettext("No such round."))
        view = view_round(session, user, round, invited=invited)
        if not view.is_participant:
            raise NotFound(gettext("No such round."))
        views[key] = (view, lock)
    if lock and not after_conclusion:
        governance.require_writable(session, view.round)
    return view


def may_open_rounds(user: User) -> bool:
    """Employer representatives (for their own organisation) and the secretariat open rounds."""
    return user.constituency == Constituency.EMPLOYERS or user.is_secretariat


def open_round(session: Session, actor: User, data: dict[str, Any], *, inherits_policy: bool = False) -> Round:
    """Open a round about an AI deployment plan, by an employer representative or the secretariat.

    Only the secretariat opens a round under a weaker identity policy than the default; a follow-up round
    (`inherits_policy`) keeps the policy its original round had.
    """
    if not may_open_rounds(actor):
        raise Forbidden(gettext("Only an employer representative or the secretariat opens a round."))
    weaker = governance.STRENGTH[data["identity_policy"]] < governance.STRENGTH[governance.DEFAULT_POLICY]
    if weaker and not actor.is_secretariat and not inherits_policy:
        raise Forbidden(gettext("Only the secretariat opens a round under a weaker identity policy than "
                                "%(policy)s: it protects the worker representatives who speak up.",
                                policy=policy_name(governance.DEFAULT_POLICY.value)),
                        fields={"identity_policy": [governance.RULES["weaken_identity_policy"].refused]})
    if actor.constituency == Constituency.EMPLOYERS:
        employer_id = actor.organisation_id
        if data.get("employer_organisation_id") not in (None, employer_id):
            raise Forbidden(gettext("An employer representative opens rounds for their own organisation only."))
    else:
        employer_id = data.get("employer_organisation_id")
        employer = session.get(Organisation, employer_id) if employer_id else None
        if employer is None or employer.constituency != Constituency.EMPLOYERS:
            raise Invalid(gettext("Name the employer the plan belongs to."),
                          fields={"employer_organisation_id": [gettext("Give the id of an employer organisation.")]})
    workflows = session.info["workflows"]
    if data["workflow"] not in workflows:
        raise Invalid(gettext("Unknown workflow."),
                      fields={"workflow": [gettext("Use one of: %(workflows)s.",
                                                   workflows=", ".join(sorted(workflows)))]})
    workflow = workflows[data["workflow"]]
    check_prohibitions(workflow, data["plan"])
    stage_lengths = check_stage_lengths(workflow, data.get("stage_lengths") or {})
    check_minimum_lengths(workflow, data.get("stage_lengths") or {})
    data = {**data, "time_zone": check_establishment(workflow, data)}
    require_plan_items(workflow, data["plan"])
    if data.get("establishments") and not any(s.clock and s.clock.establishment_opinions for s in workflow.stages):
        raise Invalid(gettext("Only a workflow that consults establishment CSEs takes establishments."),
                      fields={"establishments": [gettext(
                          "A consultation at central and establishment level is fr-cse's (Code du travail "
                          "R2312-6 II): choose that workflow, or leave the establishments blank.")]})
    declared_risk = is_high_risk([f.value for f in data["plan"]["functions"]], data["plan"]["declares_high_risk"])
    check_deployer_checklist(workflow, data["plan"], declared_risk)
    check_rollout(workflow, data["plan"]["rollout_starts_on"], declared_risk,
                  earliest_end(workflow, utcnow(), data["time_zone"],
                               {key: timedelta(seconds=s) for key, s in stage_lengths.items()}),
                  data["time_zone"], planned=False)
    check_consent_rollout(workflow, data["plan"]["rollout_starts_on"], utcnow(), data["time_zone"],
                          {key: timedelta(seconds=s) for key, s in stage_lengths.items()})
    agreement = workflow.legal.signatories  # a profile that fixes who signs (de-betrvg: employer and works council)

    plan_data = dict(data["plan"])
    statements = plan_data.pop("impact_statements")
    declared = plan_data.pop("declares_high_risk")
    plan_data["functions"] = [function.value for function in plan_data["functions"]]
    round = Round(
        title=data["title"], employer_id=employer_id, opened_by_id=actor.id, workflow=data["workflow"],
        identity_policy=data["identity_policy"], language=data["language"], time_zone=data["time_zone"],
        establishment_country=data.get("establishment_country"), establishment_region=data.get("establishment_region"),
        establishments=list(data.get("establishments") or []) or None,
        is_public=data["is_public"], secretariat_sees_caucus=data["secretariat_sees_caucus"],
        required_constituencies=list(agreement.required) if agreement else sorted(set(data["required_constituencies"])),
        stage_lengths=stage_lengths,
        plan=Plan(**plan_data, is_high_risk=is_high_risk(plan_data["functions"], declared)),
        sections=[Section(key=key, title=title, ordinal=index, impact_statement=statements.get(key, "").strip())
                  for index, (key, title) in enumerate(SECTIONS)],
    )
    session.add(round)
    organisations = {employer_id, actor.organisation_id}
    round.participants = [Participant(organisation_id=org, invited_by_id=actor.id) for org in sorted(organisations)]
    session.flush()
    append_event(session, round, "round.opened", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"title": round.title, "workflow": round.workflow, "employer_id": employer_id,
                          "is_high_risk": round.plan.is_high_risk})
    return round


def may_manage(view: RoundView) -> bool:
    """Whether the viewer manages the round's set-up (invites, starts it): its employer or its secretariat."""
    return governance.RULES["invite"].grant(governance.role_of(view)) is not None


def invite_organisation(session: Session, actor: User, round_id: int, organisation_id: int) -> Participant:
    """Invite an organisation to a round (again, if it had been removed: the secretariat only)."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    governance.require_role(view, "invite")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise Invalid(gettext("No such organisation."), fields={"organisation_id": [gettext("No such organisation.")]})
    participant = session.scalar(select(Participant).where(
        Participant.round_id == round_id, Participant.organisation_id == organisation_id))
    if participant is not None and participant.removed_at is None:
        raise Conflict(gettext("%(organisation)s is invited already.", organisation=organisation.name))
    governance.require(session, view, "invite" if participant is None else "reinvite")
    if participant is None:
        participant = Participant(round_id=round_id, organisation_id=organisation_id, invited_by_id=actor.id)
        session.add(participant)
    else:
        participant.removed_at = None
        participant.invited_by_id = actor.id
    session.flush()
    append_event(session, view.round, "organisation.invited", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"organisation_id": organisation.id, "name": organisation.name,
                          "constituency": organisation.constituency.value})
    return participant


def invite_organisations(session: Session, actor: User, round_id: int, organisation_ids: list[int]
                         ) -> list[Participant]:
    """Invite several organisations in one go: all of them, each with its event, or none (an unknown, repeated
    or already invited one refuses the whole set, naming it)."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    governance.require_role(view, "invite")
    found = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(organisation_ids)))}
    unknown = sorted({i for i in organisation_ids if i not in found})
    repeated = sorted({i for i in organisation_ids if organisation_ids.count(i) > 1})
    if unknown or repeated:
        messages = [gettext("No organisation has the id %(id)s.", id=i) for i in unknown]
        messages += [gettext("%(organisation)s is listed twice.", organisation=found[i].name) for i in repeated
                     if i in found]
        raise Invalid(gettext("No such organisation.") if unknown else gettext("An organisation is listed twice."),
                      fields={"organisation_id": messages})
    active = set(session.scalars(select(Participant.organisation_id).where(
        Participant.round_id == round_id, Participant.removed_at.is_(None))))
    invited = [found[i].name for i in organisation_ids if i in active]
    if invited:
        raise Conflict(gettext("Nothing was saved: some of the organisations chosen take part already."),
                       fields={"organisation_id": [gettext("%(organisation)s is invited already.", organisation=name)
                                                   for name in invited]})
    return [invite_organisation(session, actor, round_id, i) for i in organisation_ids]


def remove_organisation(session: Session, actor: User, round_id: int, organisation_id: int,
                        reason: str) -> Participant:
    """Remove an invited organisation: its people lose the round at once (their sockets are cut after commit)."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    governance.require(session, view, "remove")
    if organisation_id == view.round.employer_id:
        raise Conflict(gettext("The employer whose plan this is cannot be removed from its round."))
    active = session.scalars(select(Participant).where(
        Participant.round_id == round_id, Participant.removed_at.is_(None))).all()
    participant = next((p for p in active if p.organisation_id == organisation_id), None)
    if participant is None:
        raise NotFound(gettext("That organisation does not take part in this round."))
    constituency = participant.organisation.constituency
    alone = not any(p.organisation.constituency == constituency for p in active if p is not participant)
    if alone and constituency == Constituency.SECRETARIAT:
        raise Conflict(gettext("%(organisation)s is the round's only secretariat: the secretariat can never be "
                               "locked out of a round. Invite another secretariat first.",
                               organisation=participant.organisation.name))
    if alone and constituency.value in view.round.required_constituencies:
        raise Conflict(gettext("%(organisation)s is the last organisation of its constituency (%(constituency)s), "
                               "which signs the outcome: invite another of theirs first.",
                               organisation=participant.organisation.name,
                               constituency=constituency_name(constituency)))
    participant.removed_at = utcnow()
    append_event(session, view.round, "organisation.removed", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"organisation_id": organisation_id, "name": participant.organisation.name,
                          "reason": reason})
    return participant


def name_signatory(session: Session, actor: User, round_id: int, constituency: str, user_id: int,
                   reason: str = "") -> Signatory:
    """Name (or replace, saying why) the person who signs for one constituency of the round."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    if constituency not in {c.value for c in SOCIAL_PARTNERS}:
        raise NotFound(gettext("Only workers, employers and government have signatories."))
    if constituency not in view.round.required_constituencies:
        raise Conflict(gettext("The %(constituency)s constituency does not sign in this round.",
                               constituency=constituency_name(constituency)))
    governance.require(session, view, "name_signatory", constituency)
    if governance.has_signed_current(session, view.round, constituency):
        raise Conflict(gettext("%(constituency)s signed the current version of the outcome: their signatory can no "
                               "longer change.", constituency=constituency_name(constituency)))
    signer = session.get(User, user_id)
    eligible = signer is not None and signer.constituency == constituency
    if not eligible or not view_round(session, signer, view.round).is_participant:
        raise Invalid(gettext("The signatory must be a member of an invited organisation of that constituency."),
                      fields={"user_id": [f"No invited {constituency} representative with this id."]})
    signatory = session.scalar(select(Signatory).where(
        Signatory.round_id == round_id, Signatory.constituency == constituency))
    previous = signatory.user_id if signatory is not None else None
    if previous is not None and previous != signer.id and not reason:
        raise Invalid(gettext("Say why the signatory changes: every participant is shown the reason."),
                      fields={"reason": [gettext("Required when a signatory is replaced.")]})
    if previous != signer.id:  # the outcome names its signatories: a frozen version no longer holds
        voiding.void_standing_outcome(session, view.round, actor, f"The {constituency} named another signatory.")
    if signatory is None:
        signatory = Signatory(round_id=round_id, constituency=Constituency(constituency))
        session.add(signatory)
    signatory.user = signer  # the relationship, not only the id: the answer names the new signatory
    signatory.named_by_id = actor.id
    signatory.named_at = utcnow()
    session.flush()
    append_event(session, view.round, "signatory.named", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"constituency": constituency, "user_id": signer.id, "name": signer.display_name,
                          "replaces_user_id": previous if previous != signer.id else None, "reason": reason})
    return signatory


def set_identity_policy(session: Session, actor: User, round_id: int, policy: IdentityPolicy,
                        reason: str) -> Round:
    """Change how worker representatives are shown: stronger at any time before freezing, weaker only before
    any worker representative has written anything."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    governance.require_role(view, "strengthen_identity_policy")
    round = view.round
    if policy == round.identity_policy:
        raise Conflict(gettext("The round's identity policy is %(policy)s already.", policy=policy_name(policy.value)))
    governance.require(session, view, governance.identity_change(round.identity_policy, policy))
    weaker = governance.STRENGTH[policy] < governance.STRENGTH[round.identity_policy]
    if weaker and governance.workers_have_written(session, round):
        raise Conflict(gettext("Worker representatives have written under the %(policy)s policy: a weaker one "
                               "would unmask them. It can only become stronger now.",
                               policy=policy_name(round.identity_policy.value)))
    previous = round.identity_policy
    round.identity_policy = policy
    session.flush()
    append_event(session, round, "identity_policy.changed", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"from": previous.value, "to": policy.value, "reason": reason})
    return round
