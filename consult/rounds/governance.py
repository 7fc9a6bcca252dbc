"""Who may take each write action of a round, and when: one table, read by the services and shown on the people page.

Each rule names the people who may ever take an action (anyone else: 403), the phases of the round in which
it is open (any other phase: 409), the workflow actions the round's current stage must open to the
constituency acted for (else 409 naming the stage, or the pause), plus the conditions that must also hold,
in words. The services call `require` before they change anything (or `require_role`, their named
conditions, then `require`, where a condition's refusal comes first; or `require(..., stage=False)`, their
named conditions, then `require_stage`, where it comes after the phase's but before the stage's); pages only
ask `may`; the people page and docs/rules.md render `GOVERNANCE`; the tests are generated from it. No single
party can push another out: only the neutral secretariat removes, never the employer whose plan it is, never
the last organisation of a constituency that signs, never the last secretariat. After conclusion the record
is read-only except for the follow-up of commitments.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency, Organisation, User
from consult.comments.models import Comment, CommentReaction
from consult.errors import Conflict, Forbidden
from consult.events.models import Event
from consult.outcomes.models import Outcome, OutcomeStatus, Signature
from consult.policy import RoundView
from consult.rounds.models import Round, RoundStatus
from consult.rounds.plan import IdentityPolicy
from consult.rounds.rules import (  # noqa: F401 (the table's names, read through this module)
    ACTED_FOR,
    ANY_PARTY,
    GOVERNANCE,
    OWN,
    PARTIES,
    PHASE_REFUSALS,
    RULES,
    YES,
    Phase,
    Role,
    Rule,
)
from consult.timeline.rules import require_open, workflow_of
from consult.workflow import engine

#: The identity policies from the one that hides least to the one that hides most.
STRENGTH = {IdentityPolicy.NAMED: 0, IdentityPolicy.ORGANISATION: 1, IdentityPolicy.PSEUDONYMOUS: 2}
#: The policy of a new round: worker comments come from the rank and file as well as from officers.
DEFAULT_POLICY = IdentityPolicy.PSEUDONYMOUS


def role_of(view: RoundView) -> Role | None:
    """The viewer's role in the governance table (None: not a participant)."""
    if view.constituency is None:
        return None
    if view.constituency == Constituency.EMPLOYERS:
        return Role.EMPLOYER if view.organisation_id == view.round.employer_id else Role.EMPLOYERS
    return Role(view.constituency.value)


def is_concluded(session: Session, round: Round) -> bool:
    """Whether the round has reached its workflow's last stage."""
    return workflow_of(session, round).stage(round.stage).is_terminal


#: Whether an outcome version stands, built once: every round page asks.
_STANDING = select(Outcome.id).where(Outcome.round_id == bindparam("round_id"), Outcome.status != OutcomeStatus.VOID) \
    .limit(1)


def phase_of(session: Session, round: Round) -> Phase:
    """The round's phase: concluded, frozen (an outcome version stands), or under way."""
    if is_concluded(session, round):
        return Phase.CONCLUDED
    standing = session.scalar(_STANDING, {"round_id": round.id})
    return Phase.FROZEN if standing is not None else Phase.UNDER_WAY


def may(session: Session, view: RoundView, action: str, constituency: str | None = None) -> bool:
    """Whether the viewer may take the action now (for showing a form), without raising."""
    try:
        require(session, view, action, constituency)
    except (Forbidden, Conflict):
        return False
    return True


def require_role(view: RoundView, action: str, constituency: str | None = None) -> str:
    """403 unless the table lets the viewer's role take the action (for `constituency`, where it says OWN)."""
    rule = RULES[action]
    grant = rule.grant(role_of(view))
    if grant is None:
        raise Forbidden(gettext(rule.refused))
    assert view.constituency is not None  # a grant needs a role, and a role a constituency (role_of)
    if grant == OWN and (constituency is None or view.constituency.value != constituency):
        raise Forbidden(gettext(rule.refused))
    return grant


def _refused_phase(session: Session, round: Round, phases: frozenset[Phase]) -> Phase | None:
    """The round's phase if the rule does not open it; a rule open until conclusion costs no query."""
    if {Phase.UNDER_WAY, Phase.FROZEN} <= phases:
        return Phase.CONCLUDED if Phase.CONCLUDED not in phases and is_concluded(session, round) else None
    phase = phase_of(session, round)
    return None if phase in phases else phase


def require(session: Session, view: RoundView, action: str, constituency: str | None = None, *,
            stage: bool = True) -> str:
    """403 for a role that may never take the action, 409 for a phase, or a stage, that does not open it now;
    else the grant. The stage is asked for `constituency` (default: the viewer's own); `stage=False` leaves it
    to a later `require_stage`, where a named condition's refusal comes before the stage's."""
    grant = require_role(view, action, constituency)
    rule, round = RULES[action], view.round
    phase = _refused_phase(session, round, rule.phases)
    if phase is not None:
        raise Conflict(PHASE_REFUSALS.get(phase, "Not open now."), phase=phase.value, stage=round.stage)
    if stage:
        require_stage(session, view, action, constituency)
    return grant


def require_stage(session: Session, view: RoundView, action: str, constituency: str | None = None) -> None:
    """409 naming the stage (or the pause) unless the round's current stage opens one of the row's `opens` to
    the constituency acted for (`constituency`, else the viewer's own; any party, for the secretariat acting on
    a party's behalf where the row says ANY_PARTY). A row without `opens`: any stage."""
    rule, round = RULES[action], view.round
    if not rule.opens:
        return
    assert view.constituency is not None  # after require_role granted: a grant needs a role, a role a constituency
    side = constituency or view.constituency.value
    sides = PARTIES if rule.opens_for == ANY_PARTY and side == Constituency.SECRETARIAT.value else (side,)
    workflow = workflow_of(session, round)
    if round.status == RoundStatus.PAUSED or not any(engine.is_open(workflow, round.stage, opened, party)
                                                     for opened in rule.opens for party in sides):
        require_open(session, round, rule.opens[0], sides[0])  # raises: the pause, or the stage naming the first


def require_writable(session: Session, round: Round) -> None:
    """409 for any write to a concluded round (the follow-up of commitments asks `require` instead)."""
    if is_concluded(session, round):
        raise Conflict(PHASE_REFUSALS[Phase.CONCLUDED], phase=Phase.CONCLUDED.value, stage=round.stage)


def has_signed_current(session: Session, round: Round, constituency: str) -> bool:
    """Whether the constituency has signed the version of the outcome that stands now."""
    return session.scalar(select(exists().where(
        Signature.outcome_id == Outcome.id, Outcome.round_id == round.id, Outcome.status != OutcomeStatus.VOID,
        Signature.constituency == Constituency(constituency)))) or False


def workers_have_written(session: Session, round: Round) -> bool:
    """Whether any worker representative has written or done anything in the round (under its policy)."""
    workers = select(User.id).join(Organisation).where(Organisation.constituency == Constituency.WORKERS)
    comment = exists().where(Comment.round_id == round.id, Comment.author_constituency == Constituency.WORKERS)
    reaction = exists().where(CommentReaction.comment_id == Comment.id, Comment.round_id == round.id,
                              CommentReaction.user_id.in_(workers))
    event = exists().where(Event.round_id == round.id, Event.actor_id.in_(workers))
    return bool(session.scalar(select(or_(comment, reaction, event))))


def identity_change(current: IdentityPolicy, wanted: IdentityPolicy) -> str:
    """The table's action for moving from one policy to another."""
    return "strengthen_identity_policy" if STRENGTH[wanted] > STRENGTH[current] else "weaken_identity_policy"


def governance_of(session: Session, view: RoundView) -> dict[str, Any]:
    """The table as the API shows it: every rule, the round's phase, and what the viewer may do now."""
    own = view.constituency.value if view.constituency is not None else None
    return {
        "phase": phase_of(session, view.round).value,
        "my_role": role.value if (role := role_of(view)) is not None else None,
        "identity_policy": view.round.identity_policy.value,
        "rules": [{"action": rule.action, "title": rule.title,
                   "who": {role.value: rule.grant(role) for role in Role if rule.grant(role)},
                   "phases": [phase.value for phase in Phase if phase in rule.phases],
                   "stage_opens": list(rule.opens),
                   "conditions": list(rule.conditions), "i_may_now": may(session, view, rule.action, own)}
                  for rule in GOVERNANCE],
    }


def markdown_table() -> str:
    """The table in Markdown, as docs/rules.md shows it (the docs build writes it there)."""
    phase_names = {Phase.UNDER_WAY: "under way", Phase.FROZEN: "frozen", Phase.CONCLUDED: "concluded"}
    cells = {YES: "yes", OWN: "own side", None: "no"}
    lines = ["| action | " + " | ".join(role.value for role in Role) + " | when | the stage opens | conditions |",
             "|---|" + "---|" * (len(Role) + 3)]
    for rule in GOVERNANCE:
        who = " | ".join(cells[rule.grant(role)] for role in Role)
        when = ", ".join(phase_names[p] for p in Phase if p in rule.phases)
        opens = " or ".join(f"`{action}`" for action in rule.opens) or "any stage"
        if rule.opens and rule.opens_for == ANY_PARTY:
            opens += " (for any party, when the secretariat acts on its behalf)"
        lines.append(f"| {rule.title} (`{rule.action}`) | {who} | {when} | {opens} | {' '.join(rule.conditions)} |")
    return "\n".join(lines)
