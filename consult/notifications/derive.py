"""Which notifications an event makes: who it concerns and what they may read of it (asked of the policy).

`derive` returns, for one committed event, one `Item` per recipient; `derive_many` does it for a batch (the
events of one transaction: the scheduler writes hundreds at once), reading the people of all its rounds and
the stages' deadlines in one query each. A round that entered several stages in one batch (the clock caught
it up through overdue stages) notifies only the stage it is in now, naming those it passed on the way.

Every recipient is a person of an organisation taking part in the round, and `may_notify` (consult/policy/)
must let them see the event's audience: a caucus event reaches its own constituency only. Authors are named as
the page names them to that recipient (`notification_author`): a pseudonymous worker stays a pseudonym for employers and
government. Nothing else of the event is copied: each kind keeps only the facts its words need.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency, User
from consult.comments.models import Channel, Comment
from consult.events.dispatcher import CommittedEvent
from consult.events.models import Event
from consult.notifications.expert_items import expert_date
from consult.notifications.items import Item
from consult.outcomes.models import Commitment
from consult.policy import RoundView, aliases_of, may_notify, notification_author, view_round
from consult.public_ids import by_reference
from consult.questions.models import Question
from consult.rounds.models import Participant, Round, Signatory
from consult.timeline.models import PlannedStage
from consult.timeline.rules import workflow_of
from consult.workflow import engine

EXCERPT = 300
#: Rounds asked about in one query (well under every database's limit on bound parameters).
CHUNK = 500


def participants(session: Session, round_id: int) -> list[User]:
    """The active people of every organisation taking part in the round."""
    return list(session.scalars(
        select(User).join(Participant, Participant.organisation_id == User.organisation_id)
        .where(Participant.round_id == round_id, Participant.removed_at.is_(None), User.is_active.is_(True))
        .order_by(User.id)).unique())


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "\u2026"


class Deriver:
    """Derives the notifications of a batch of events written in one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._views: dict[tuple[int, int], RoundView] = {}
        self._people: dict[int, list[User]] = {}
        self._deadlines: dict[int, dict[str, datetime | None]] = {}

    def view(self, user: User, round: Round) -> RoundView:
        key = (user.id, round.id)
        if key not in self._views:
            self._views[key] = view_round(self.session, user, round)
        return self._views[key]

    def allowed(self, users: list[User], round: Round, audience: str) -> list[tuple[User, RoundView]]:
        found = []
        for user in users:
            view = self.view(user, round)
            if user.is_active and may_notify(view, audience):
                found.append((user, view))
        return found

    def people(self, round: Round) -> list[User]:
        """The round's participants (`participants`), read once per batch."""
        if round.id not in self._people:
            self._people[round.id] = participants(self.session, round.id)
        return self._people[round.id]

    def deadline(self, round: Round, stage: str) -> datetime | None:
        """The planned deadline of one of the round's stages."""
        if round.id not in self._deadlines:
            self._deadlines[round.id] = dict(self.session.execute(
                select(PlannedStage.key, PlannedStage.deadline_at).where(PlannedStage.round_id == round.id)).all())
        return self._deadlines[round.id].get(stage)

    def prefetch(self, events: list[CommittedEvent]) -> None:
        """Read what a batch's events need in a few queries for all their rounds: the rounds, their people (whose
        standing in the round follows: `view_round` of an invited person), the stages' deadlines."""
        round_ids = sorted({event.round_id for event in events if event.type in TO_EVERYONE} - set(self._people))
        for start in range(0, len(round_ids), CHUNK):
            chunk = round_ids[start:start + CHUNK]
            rounds = {round_id: self.session.get(Round, round_id) for round_id in chunk}  # the writer's, held
            people: dict[int, dict[int, User]] = {round_id: {} for round_id in chunk}
            for round_id, user in self.session.execute(
                    select(Participant.round_id, User)
                    .join(Participant, Participant.organisation_id == User.organisation_id)
                    .where(Participant.round_id.in_(chunk), Participant.removed_at.is_(None),
                           User.is_active.is_(True))):
                people[round_id].setdefault(user.id, user)
            for round_id, found in people.items():
                self._people[round_id] = [found[user_id] for user_id in sorted(found)]
                for user in self._people[round_id]:  # what view_round finds for a person whose organisation takes part
                    self._views.setdefault((user.id, round_id), RoundView(rounds[round_id], user.id, user.constituency,
                                                                          user.organisation_id))
            if any(event.type == "stage.entered" for event in events):
                deadlines: dict[int, dict[str, datetime | None]] = {round_id: {} for round_id in chunk}
                for round_id, key, at in self.session.execute(
                        select(PlannedStage.round_id, PlannedStage.key, PlannedStage.deadline_at)
                        .where(PlannedStage.round_id.in_(chunk))):
                    deadlines[round_id][key] = at
                self._deadlines.update(deadlines)

    def derive(self, event: CommittedEvent, passed: list[CommittedEvent] | None = None) -> list[Item]:
        """The notifications one event makes (a `stage.entered` names the stages `passed` just before it)."""
        handler = HANDLERS.get(event.type)
        if handler is None:
            return []
        round = self.session.get(Round, event.round_id)
        base = {"round_title": round.title, "time_zone": round.time_zone}
        if passed:
            base["passed"] = [{"stage": e.payload["stage"], "title": e.payload.get("title")} for e in passed]
        return handler(self, event, round, base)

    def derive_many(self, events: list[CommittedEvent]) -> list[tuple[CommittedEvent, Item]]:
        """The notifications of a batch, each with its event; of the stages a round entered in the batch, only
        the last notifies (the others are named in it as passed)."""
        self.prefetch(events)
        entered: dict[int, list[CommittedEvent]] = {}
        for event in events:
            if event.type == "stage.entered":
                entered.setdefault(event.round_id, []).append(event)
        found = []
        for event in events:
            passed = None
            if event.type == "stage.entered":
                run = entered[event.round_id]
                if event is not run[-1]:
                    continue
                passed = run[:-1]
            found.extend((event, item) for item in self.derive(event, passed))
        return found


def _invited(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    users = list(d.session.scalars(select(User).where(User.organisation_id == event.payload["organisation_id"])))
    return [Item(user, "round.invitation", None, {**base, "organisation": event.payload["name"],
                                                  "system": round.plan.system_name if round.plan else ""},
                 f"/rounds/{round.id}")
            for user, _view in d.allowed(users, round, event.audience)]


def open_to(workflow, stage: str, view: RoundView) -> list[str]:
    """The actions of a stage open to this viewer's constituency (what the stage lets them do)."""
    return sorted(a for a, who in workflow.stage(stage).open.items() if view.constituency.value in who)


def _stage(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    stage = event.payload["stage"]
    workflow = workflow_of(d.session, round)
    deadline = d.deadline(round, stage)
    items = []
    for user, view in d.allowed(d.people(round), round, event.audience):
        items.append(Item(user, "stage.entered", None,
                          {**base, "stage": stage, "title": event.payload.get("title"),
                           "open": open_to(workflow, stage, view),
                           "deadline_at": deadline.isoformat() if deadline else None}, f"/rounds/{round.id}"))
    return items


def _reminder(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    """A deadline coming: to those for whom something of the stage is open; a deadline passed: the secretariat."""
    passed = event.type == "stage.deadline_passed"
    stage = event.payload["stage"]
    workflow = workflow_of(d.session, round)
    items = []
    for user, view in d.allowed(d.people(round), round, event.audience):
        actions = open_to(workflow, stage, view)
        if (view.is_secretariat if passed else bool(actions)):
            items.append(Item(user, "deadline.reminder", None,
                              {**base, "stage": stage, "passed": passed, "open": actions,
                               "deadline_at": event.payload.get("deadline_at")}, f"/rounds/{round.id}/timeline"))
    return items


def _comment(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    comment = by_reference(d.session, Comment, round.id, event.payload["comment_id"])
    anchor = f"/rounds/{round.id}#comment-{comment.public_id}"
    facts = {**base, "section": comment.section.key, "excerpt": _excerpt(comment.body),
             "comment_id": comment.public_id}
    workflow = workflow_of(d.session, round)
    action = (engine.plenary_action(workflow, round.stage, comment.author_constituency.value)
              if comment.channel == Channel.PLENARY else None)
    if comment.parent_id is not None:
        parent = d.session.get(Comment, comment.parent_id)
        if parent.author_id == comment.author_id:
            return []
        kind = "question.answered" if action == "answer" else "comment.reply"
        aliases = aliases_of(d.session, round.id)
        return [Item(user, kind, comment.section.key, {**facts, "author": notification_author(view, comment, aliases)},
                     anchor)
                for user, view in d.allowed([parent.author], round, event.audience)
                if view.may_see_comment(comment)]
    if action != "ask":
        return []
    employers = [u for u in d.people(round) if u.constituency == Constituency.EMPLOYERS]
    aliases = aliases_of(d.session, round.id)
    return [Item(user, "question.asked", comment.section.key,
                 {**facts, "author": notification_author(view, comment, aliases)}, anchor)
            for user, view in d.allowed(employers, round, event.audience) if view.may_see_comment(comment)]


def _answered(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    """An answer through the questions route: to the asker, if they may still read the question."""
    question = by_reference(d.session, Question, round.id, event.payload["question_id"])
    comment = question.comment
    if comment.author_id == event.actor_id:
        return []
    answerer = d.session.get(User, event.actor_id) if event.actor_id else None
    facts = {**base, "section": comment.section.key, "excerpt": _excerpt(question.answer or ""),
             "author": answerer.display_name if answerer else "", "question_id": question.public_id}
    return [Item(user, "question.answered", comment.section.key, facts,
                 f"/rounds/{round.id}/questions#question-{question.public_id}")
            for user, view in d.allowed([comment.author], round, event.audience) if view.may_see_comment(comment)]


def _hidden(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    comment = by_reference(d.session, Comment, round.id, event.payload["comment_id"])
    return [Item(user, "comment.moderated", comment.section.key,
                 {**base, "section": comment.section.key, "reason": event.payload.get("reason", "")},
                 f"/rounds/{round.id}#comment-{comment.public_id}")
            for user, _view in d.allowed([comment.author], round, event.audience)]


def _frozen(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    signers = list(d.session.scalars(select(User).join(Signatory, Signatory.user_id == User.id)
                                     .where(Signatory.round_id == round.id)).unique())
    return [Item(user, "signature.awaited", None, {**base, "version": event.payload.get("version")},
                 f"/rounds/{round.id}/sign-off") for user, _view in d.allowed(signers, round, event.audience)]


def _signed(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    return [Item(user, "outcome.published", None, {**base, "version": event.payload.get("version")},
                 f"/rounds/{round.id}/sign-off")
            for user, _view in d.allowed(d.people(round), round, event.audience)]


def _export(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    requests = d.session.execute(select(Event.actor_id, Event.payload).where(
        Event.round_id == round.id, Event.type == "export.requested")).all()
    asked = {actor for actor, payload in requests if payload.get("job_id") == event.payload["job_id"] and actor}
    users = [d.session.get(User, user_id) for user_id in sorted(asked)]
    return [Item(user, "export.ready", None, {**base, "kind": event.payload.get("kind")},
                 event.payload.get("download_url") or f"/rounds/{round.id}/exports")
            for user, _view in d.allowed(users, round, event.audience)]


def _commitment(d: Deriver, event: CommittedEvent, round: Round, base: dict) -> list[Item]:
    commitment = d.session.get(Commitment, event.payload["commitment_id"])
    people = [(u, v) for u, v in d.allowed(d.people(round), round, event.audience)
              if v.is_secretariat or u.organisation_id == commitment.owner_organisation_id]
    return [Item(user, "commitment.due", None,
                 {**base, "overdue": event.type == "commitment.overdue", "owner": commitment.owner.name,
                  "kpi": commitment.kpi, "due_on": commitment.due_on.isoformat()},
                 f"/rounds/{round.id}/commitments/{commitment.id}")
            for user, _view in people]


#: The kinds whose handler reads every participant of the round, read for a whole batch by `prefetch`; the
#: others (a reply to its parent's author, an answer to its asker...) ask only for the people they name.
TO_EVERYONE = {"stage.entered", "stage.reminder", "stage.deadline_passed", "outcome.signed", "commitment.overdue",
               "expert.date_coming", "expert.date_missed",
               "commitment.review_due"}

HANDLERS = {
    "organisation.invited": _invited, "stage.entered": _stage, "stage.reminder": _reminder,
    "stage.deadline_passed": _reminder, "comment.posted": _comment, "comment.hidden": _hidden,
    "question.answered": _answered,
    "outcome.frozen": _frozen, "outcome.signed": _signed, "export.ready": _export,
    "commitment.overdue": _commitment, "commitment.review_due": _commitment,
    "expert.date_coming": expert_date, "expert.date_missed": expert_date,
}
