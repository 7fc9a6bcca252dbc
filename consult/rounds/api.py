"""The API's round routes: open, read, invite and remove, name signatories, the identity policy, the rules."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.api.fields import PageQuery, page_of
from consult.api.pagination import paginate
from consult.api.routing import route
from consult.api.session import db_session
from consult.opinions.establishment import profile_warning
from consult.policy import RoundView
from consult.rounds import services
from consult.rounds.anonymity import anonymity_for
from consult.rounds.governance import governance_of
from consult.rounds.models import Participant, Round, Signatory
from consult.rounds.schemas import (
    GovernanceOut,
    IdentityPolicyIn,
    InvitationIn,
    ParticipantOut,
    RemovalIn,
    RoundIn,
    RoundOut,
    RoundSummaryOut,
    SignatoryIn,
    SignatoryOut,
)

RoundPage = page_of(RoundSummaryOut, "RoundPage")


def present_round(view: RoundView) -> dict:
    """A round with the viewer's own constituency in it."""
    round = view.round
    shown = {name: getattr(round, name) for name in RoundOut().fields if hasattr(round, name)}
    workflows = db_session().info["workflows"]
    warning = profile_warning(workflows, workflows[round.workflow], round.establishment_country, round.time_zone)
    return {**shown, "my_constituency": view.constituency.value if view.constituency else None,
            "anonymity": anonymity_for(db_session(), view), "profile_warning": warning}


def present_signatory(signatory: Signatory) -> dict:
    """A named signatory: signatories act in the open for their constituency, so they are always named."""
    return {"constituency": signatory.constituency.value, "user_id": signatory.user_id,
            "name": signatory.user.display_name, "organisation": signatory.user.organisation.name,
            "role": signatory.user.role_title, "named_at": signatory.named_at}


@route("/rounds", summary="The rounds I take part in", tag="rounds", query=PageQuery, response=RoundPage)
def list_rounds(query):
    """Rounds whose invited organisations include mine, oldest first."""
    user = require_user()
    mine = select(Participant.round_id).where(
        Participant.organisation_id == user.organisation_id, Participant.removed_at.is_(None))
    return paginate(db_session(), select(Round).where(Round.id.in_(mine)), Round.id, query, list)


@route("/rounds", "POST", summary="Open a round about an AI deployment plan", tag="rounds", body=RoundIn,
       response=RoundOut, status=201, errors=(403, 422))
def open_round(body):
    """Open a round (employer representatives and the secretariat)."""
    user = require_user()
    round = services.open_round(db_session(), user, body)
    return present_round(services.get_visible_round(db_session(), user, round.id))


@route("/rounds/<int:round_id>", summary="A round and its plan", tag="rounds", response=RoundOut, errors=(404,))
def get_round(round_id: int):
    """One round, if the requester takes part in it."""
    return present_round(services.get_visible_round(db_session(), require_user(), round_id))


@route("/rounds/<int:round_id>/participants", summary="Invited organisations", tag="rounds",
       response=ParticipantOut, many=True, errors=(404,))
def list_participants(round_id: int):
    """The organisations taking part."""
    view = services.get_visible_round(db_session(), require_user(), round_id)
    return db_session().scalars(select(Participant).where(
        Participant.round_id == view.round.id, Participant.removed_at.is_(None)).order_by(Participant.id)).all()


@route("/rounds/<int:round_id>/participants", "POST", summary="Invite an organisation", tag="rounds",
       body=InvitationIn, response=ParticipantOut, status=201, errors=(403, 404, 409, 422))
def invite(round_id: int, body):
    """Invite an organisation (the round's employer or secretariat)."""
    return services.invite_organisation(db_session(), require_user(), round_id, body["organisation_id"])


@route("/rounds/<int:round_id>/participants/<int:organisation_id>/remove", "POST",
       summary="Remove an organisation from the round", tag="rounds", body=RemovalIn, response=ParticipantOut,
       errors=(403, 404, 409, 422))
def remove(round_id: int, organisation_id: int, body):
    """The secretariat removes an organisation, with a reason; its people's live connections are cut."""
    return services.remove_organisation(db_session(), require_user(), round_id, organisation_id, body["reason"])


@route("/rounds/<int:round_id>/signatories", summary="Named signatories", tag="rounds",
       response=SignatoryOut, many=True, errors=(404,))
def list_signatories(round_id: int):
    """Who signs for each constituency."""
    view = services.get_visible_round(db_session(), require_user(), round_id)
    rows = db_session().scalars(select(Signatory).where(Signatory.round_id == view.round.id)
                                .order_by(Signatory.constituency)).all()
    return [present_signatory(s) for s in rows]


@route("/rounds/<int:round_id>/signatories/<constituency>", "PUT", summary="Name a constituency's signatory",
       tag="rounds", body=SignatoryIn, response=SignatoryOut, errors=(403, 404, 409, 422))
def name_signatory(round_id: int, constituency: str, body):
    """Name who signs for a constituency (that constituency or the secretariat); a replacement says why."""
    signatory = services.name_signatory(db_session(), require_user(), round_id, constituency, body["user_id"],
                                        body["reason"])
    return present_signatory(signatory)


@route("/rounds/<int:round_id>/identity-policy", "PUT", summary="Change how worker representatives are shown",
       tag="rounds", body=IdentityPolicyIn, response=RoundOut, errors=(403, 404, 409, 422))
def set_identity_policy(round_id: int, body):
    """The secretariat (or the workers' side, towards more protection) changes the identity policy."""
    user = require_user()
    services.set_identity_policy(db_session(), user, round_id, body["identity_policy"], body["reason"])
    return present_round(services.get_visible_round(db_session(), user, round_id))


@route("/rounds/<int:round_id>/governance", summary="Who may change who takes part, and when", tag="rounds",
       response=GovernanceOut, errors=(404,))
def get_governance(round_id: int):
    """The governance table, the round's phase, and what the requester may do now."""
    view = services.get_visible_round(db_session(), require_user(), round_id)
    return governance_of(db_session(), view)
