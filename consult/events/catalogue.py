"""Every type of event a round's log may hold, declared once: its payload, its audience, how its actor is shown.

A round's log (consult/events/services.py) refuses a type that is not declared here, and an audience the type
does not declare: every writer, one event at a time or in bulk (the scheduler's batches), passes through
`next_event`, which asks `check`. So this table is the truth about the log, and the places that read event
types (the policy, the notifications, the legal clocks, the scheduler) can be checked against it
(tests/events/test_catalogue.py, which also finds every append in the source and checks the payloads a
demonstration world writes).

- **payload**: the keys an event's payload carries; `optional` ones may be absent (none is, today). A value may
  be null where the description says so. Events logged before a change of shape keep theirs (comments before
  public ids name the comment by its row id: consult/events/replay.py reads both).
- **audience**: who receives the event, live or replayed (`RoundView.may_see_event` in consult/policy/):
  every participant; the secretariat; one constituency's caucus (`caucus:<constituency>`); one person
  (`user:<id>`). Nothing is logged for the public.
- **actor**: how the person who did it is shown to a lens from which worker representatives are masked (the
  unlinkability rule, consult/policy/): as a discussant (under the pseudonym), by name (a named capacity), or
  as "the workers' side" (everything else, and every event the scheduler writes, which has no actor).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Audiences, as `RoundView.audiences` names them (without the caucus's constituency or the person's id).
PARTICIPANTS, SECRETARIAT, CAUCUS, PERSON, PUBLIC = "participants", "secretariat", "caucus", "user", "public"
#: How an event's actor is shown where worker representatives are masked.
AS_DISCUSSANT, BY_NAME, AS_SIDE = "as a discussant", "by name", "as their side"


class UndeclaredEvent(LookupError):
    """An event of a type (or to an audience) this catalogue does not declare: a programming error."""


@dataclass(frozen=True)
class EventType:
    """One type of event: what it records, the keys of its payload, who receives it, how its actor is shown."""

    name: str
    description: str
    payload: tuple[str, ...]
    audiences: frozenset[str] = frozenset({PARTICIPANTS})
    actor: str = AS_SIDE
    optional: tuple[str, ...] = ()  # of `payload`: the keys that may be absent


def _event(name: str, description: str, payload: str, *audiences: str, actor: str = AS_SIDE,
           optional: str = "") -> EventType:
    return EventType(name, description, tuple(payload.split()), frozenset(audiences or {PARTICIPANTS}), actor,
                     tuple(optional.split()))


_STAGE_CHANGE = "stage reason"
_VERSION = "document_id title version filename media_type size_bytes sha256 caucus"
_COMMITMENT = "commitment_id description owner kpi target due_on latest_value"
_EXPERT_DATE = "expert_id constituency step title basis due_at due_day legal_time_zone is_window"

EVENT_TYPES: dict[str, EventType] = {event.name: event for event in (
    # The round and who takes part (consult/rounds)
    _event("round.opened", "The secretariat or an employer opened a round on a plan.",
           "title workflow employer_id is_high_risk"),
    _event("organisation.invited", "An organisation was invited to take part.", "organisation_id name constituency"),
    _event("organisation.removed", "An organisation was removed from the round, with the reason.",
           "organisation_id name reason"),
    _event("signatory.named", "A constituency's signatory was named (or replaced).",
           "user_id name constituency reason replaces_user_id", actor=BY_NAME),
    _event("identity_policy.changed", "How worker representatives are shown changed, with the reason.",
           "from to reason"),
    # The timeline (consult/timeline): the secretariat's acts and the scheduler's
    _event("stage.entered", "The round entered a stage, by the secretariat's hand or the scheduler's (`by`).",
           "stage title from entered_at planned_at by reason"),
    _event("stage.extended", "The secretariat extended the current stage's deadline.",
           f"{_STAGE_CHANGE} deadline_was deadline_at"),
    _event("stage.reminder", "The scheduler's reminder that the stage's deadline is near.",
           "stage deadline_at seconds_left"),
    _event("stage.deadline_passed", "The deadline of a stage that holds has passed: the secretariat decides.",
           "stage deadline_at message"),
    _event("round.paused", "The secretariat stopped the clock.", _STAGE_CHANGE),
    _event("round.resumed", "The secretariat restarted the clock; deadlines moved by the time paused.",
           f"{_STAGE_CHANGE} shifted_seconds"),
    _event("round.held", "The secretariat kept the round in its stage past the deadline.", _STAGE_CHANGE),
    _event("round.blocked", "The scheduler could not advance the round: a gate is unmet (told to the secretariat).",
           "stage deadline_at reasons", SECRETARIAT),
    # Discussion (consult/comments, consult/questions)
    _event("comment.posted", "A comment or reply was posted, in plenary or in a caucus.",
           "comment_id section channel parent_id", PARTICIPANTS, CAUCUS, actor=AS_DISCUSSANT),
    _event("comment.edited", "A comment's author rewrote it (its history keeps the old text).",
           "comment_id section channel", PARTICIPANTS, CAUCUS, actor=AS_DISCUSSANT),
    _event("comment.hidden", "The secretariat hid a comment, with the reason (a tombstone stays).",
           "comment_id section reason", PARTICIPANTS, CAUCUS),
    _event("comment.reacted", "A comment's reactions changed: the new tally, never who reacted (no actor).",
           "comment_id tally", PARTICIPANTS, CAUCUS),
    _event("question.asked", "A participant asked the employer a question.", "question_id comment_id section"),
    _event("question.answered", "The employer answered a question.", "question_id comment_id answered_at"),
    _event("question.withdrawn", "A question was withdrawn, by its asker or the secretariat.",
           "question_id comment_id by reason"),
    # The information package (consult/package)
    _event("document.attached", "A package document was attached, as a draft (told to those who prepare it).",
           _VERSION, SECRETARIAT, PERSON),
    _event("document.version_added", "A new version of a draft package document was stored.",
           _VERSION, SECRETARIAT, PERSON),
    _event("package.released", "The package's pending versions were released to every party or to one caucus.",
           "release_id number caucus stage by released_at documents", PARTICIPANTS, CAUCUS),
    _event("package.acknowledged", "An organisation acknowledged receiving a release.",
           "release_id number caucus organisation_id organisation acknowledged_at", PARTICIPANTS, CAUCUS),
    # Opinions, consent, experts and legal clocks (consult/opinions)
    _event("opinion.given", "A constituency gave its formal opinion.",
           "opinion_id constituency section verdict reasons", actor=BY_NAME),
    _event("opinion.answered", "The employer answered a constituency's opinion with a reasoned response.",
           "opinion_id constituency section reasons"),
    _event("opinion.deemed", "The clock ran out: the constituency's opinion is deemed given (no actor).",
           "opinion_id constituency section verdict reasons basis deadline_at deemed deemed_consulted"),
    _event("consent.decided",
           "The constituency the workflow names gave or refused consent to one function of the plan.",
           "function decision reasons next_step replaces", actor=BY_NAME),
    _event("conciliation.ruled", "A conciliation body's ruling on a refused function was recorded.",
           "function ruling terms reference ruled_on basis"),
    _event("plan.function_withdrawn", "The employer withdrew a function from the plan (a new plan version).",
           "function plan_version description set_aside reopens"),
    _event("plan.function_changed", "The employer changed a function substantially (a new plan version).",
           "function plan_version description set_aside reopens"),
    _event("clock.set", "A legal clock was set or moved (its start, its deadline, and why).",
           "stage starts_at deadline_at deadline_was because basis"),
    _event("clock.reading_recorded", "The secretariat chose the reading of an uncertain deadline extension.",
           "stage reading reason basis"),
    _event("clock.agreement_recorded", "The secretariat recorded the company agreement that sets the clock.",
           "stage reference length basis"),
    _event("bdese.notified", "The employer recorded that the information is in the BDESE (the clock may start).",
           "stage description basis"),
    _event("establishment_opinion.transmitted", "An establishment CSE's opinion was transmitted.",
           "establishment verdict reasons basis"),
    _event("establishment_opinion.deemed", "An establishment CSE's opinion is deemed negative (its time ran out).",
           "establishment verdict reasons basis deadline_at"),
    _event("expert.appointed", "A constituency appointed an expert.",
           "expert_id constituency name firm ends_on reason", actor=BY_NAME),
    _event("expert.ended", "An expert's appointment ended (decision, deactivation or the round's end: `how`).",
           "expert_id constituency name how reason", actor=BY_NAME),
    _event("expert.step_recorded", "A step of an expert's mission was recorded.", "expert_id step note basis",
           actor=BY_NAME),
    _event("expert.cost_recorded", "An expert's cost was recorded.", "expert_id amount_minor currency description"),
    _event("expert.date_coming", "The scheduler's reminder of an expert's coming legal date.", _EXPERT_DATE),
    _event("expert.date_missed", "The scheduler's flag that an expert's legal date passed unmet.", _EXPERT_DATE),
    # The outcome and its follow-up (consult/outcomes, consult/rounds/governance.py)
    _event("position.drafted", "The secretariat drafted a version of a section's position.", "section version"),
    _event("stance.recorded", "A constituency recorded its stance on a position.",
           "section position_version constituency stance statement"),
    _event("outcome.frozen", "The secretariat froze the outcome for signature.", "version digest"),
    _event("outcome.signature_added", "A signatory signed the frozen outcome (with any reservation).",
           "version digest constituency reservation", actor=BY_NAME),
    _event("outcome.signed", "Every required signature is in: the outcome is signed (no actor).",
           "version digest constituencies"),
    _event("outcome.voided", "A change after freezing voided the frozen outcome and its signatures.",
           "version digest reason signatures_voided"),
    _event("export.requested", "Someone asked for an export of the outcome.", "job_id kind digest"),
    _event("export.progress", "An export job moved on a step.", "job_id kind step attempt"),
    _event("export.ready", "An export is ready to download.", "job_id kind digest size download_url"),
    _event("export.failed", "An export job failed for good.", "job_id kind error"),
    _event("commitment.added", "The secretariat added a commitment to the outcome.", "commitment_id owner kpi due_on"),
    _event("commitment.progress", "Progress on a commitment was reported against its KPI.",
           "commitment_id value note evidence completes"),
    _event("commitment.review_due", "The scheduler's reminder that a commitment's review is near.",
           f"{_COMMITMENT} days_before"),
    _event("commitment.overdue", "The scheduler's flag that a commitment is past its date unmet.", _COMMITMENT),
    _event("commitment.follow_up_opened", "A follow-up round was opened on a commitment of this round.",
           "commitment_id round_id title outcome_digest"),
    # Informing affected workers (consult/informing)
    _event("affected_workers.listed",
           "The employer or the secretariat listed affected workers (counts only, never names).",
           "added listed informed by_mail by_letter"),
    _event("affected_workers.informed", "The listed workers were informed, by mail or by letter (counts and ids).",
           "basis mailed letters mailed_ids letter_ids listed informed by_mail by_letter"),
)}


def audience_kind(audience: str) -> str:
    """The kind of an event's audience: `caucus:workers` is a caucus, `user:3` a person."""
    return audience.partition(":")[0]


def check(type: str, audience: str) -> EventType:
    """The declared type of an event about to be appended; refused if undeclared or not for this audience."""
    declared = EVENT_TYPES.get(type)
    if declared is None:
        raise UndeclaredEvent(f"The event type {type!r} is not declared in consult/events/catalogue.py: declare "
                              "it there (payload, audience, description) before appending it.")
    if audience_kind(audience) not in declared.audiences:
        raise UndeclaredEvent(f"The event type {type!r} is declared for {', '.join(sorted(declared.audiences))}, "
                              f"not for the audience {audience!r} (consult/events/catalogue.py).")
    return declared


def acted_as(actor: str) -> frozenset[str]:
    """The types whose actor is shown this way (the policy's `DISCUSSION_EVENTS` and `NAMED_EVENTS`)."""
    return frozenset(name for name, event in EVENT_TYPES.items() if event.actor == actor)


def markdown_table() -> str:
    """The event types as a Markdown table, for the docs: type, meaning, payload, audience, how the actor shows."""
    lines = ["| event | what it records | payload | audience | actor shown |", "|---|---|---|---|---|"]
    for event in EVENT_TYPES.values():
        keys = ", ".join(f"`{key}`" + (" (optional)" if key in event.optional else "") for key in event.payload)
        audiences = ", ".join(sorted(event.audiences))
        lines.append(f"| `{event.name}` | {event.description} | {keys} | {audiences} | {event.actor} |")
    return "\n".join(lines)
