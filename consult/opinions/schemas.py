"""What opinions, responses, consents, experts and their costs look like going in and coming out of the API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from consult.api.fields import Id, Line, Opaque, Text
from consult.informing.schemas import AffectedWorkersOut
from consult.opinions.conciliation_schemas import PlanVersionOut, RulingOut
from consult.opinions.models import OVERALL, ConsentDecision, Verdict
from consult.rounds.plan import AIFunction

GIVEN_VERDICTS = [Verdict.AGREE.value, Verdict.AGREE_WITH_RESERVATIONS.value, Verdict.DISAGREE.value]


class OpinionIn(Schema):
    """A formal opinion: on the plan as a whole (`overall`) or one section, with its reasons."""

    section = fields.String(load_default=OVERALL, validate=validate.Length(min=1, max=40),
                            metadata={"description": f'"{OVERALL}", or a section key'})
    verdict = fields.Enum(Verdict, by_value=True, required=True,
                          validate=validate.OneOf([Verdict(v) for v in GIVEN_VERDICTS],
                                                  error="Use agree, agree_with_reservations or disagree."))
    reasons = Text(max_length=20_000)


class ResponseIn(Schema):
    """The employer's reasoned response to one opinion."""

    reasons = Text(max_length=20_000)


class ConsentIn(Schema):
    """Consent given or refused for one function of the plan; a refusal says why."""

    function = fields.Enum(AIFunction, by_value=True, required=True)
    decision = fields.Enum(ConsentDecision, by_value=True, required=True)
    reasons = Text(max_length=10_000, required=False, load_default="")


class ExpertIn(Schema):
    """Appointing an expert: who, which firm, why, the brief, and the member in charge."""

    expert_user_id = Id(required=True, metadata={"description": "The expert's account (outside the round)"})
    firm = Line(max_length=200)
    reason = Text(max_length=10_000)
    brief = Text(max_length=20_000)
    member_in_charge_user_id = Id(required=True)
    constituency = fields.String(load_default=None, validate=validate.OneOf(["workers", "employers", "government"]),
                                 metadata={"description": "For whom the secretariat records the decision; "
                                                          "a signatory's own constituency otherwise"})
    ends_on = fields.Date(load_default=None, metadata={"description": "The last day of the term (it ends at 24:00 "
                                                                      "of that day in the round's time zone)"})


class EndExpertIn(Schema):
    """Ending an expert's appointment: the constituency's decision, with its reason."""

    reason = Text(max_length=10_000)


class StepIn(Schema):
    """A step of the expert's calendar, recorded when it happened, with what it says (de-betrvg: the person, the
    subject and the fee agreed; a refusal's reasons; the court and file number)."""

    step = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"description": "A step of the profile's calendar (GET .../procedure)"})
    note = Text(max_length=10_000, required=False, load_default="")


class StepOut(Schema):
    """A recorded step."""

    step = fields.String()
    note = fields.String()
    recorded_at = fields.String()


class CostIn(Schema):
    """A cost of the expert's work, in minor units (cents) of an ISO 4217 currency."""

    amount_minor = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$",
                                                                     error="Use an ISO 4217 code, e.g. EUR."))
    description = Text(max_length=2000)


class ResponseOut(Schema):
    """A reasoned response."""

    reasons = fields.String()
    by = fields.String()
    at = fields.String()


class OpinionOut(Schema):
    """An opinion as every participant sees it; its signatory is named (a named capacity)."""

    id = Opaque()
    constituency = fields.String()
    section = fields.String()
    verdict = fields.String()
    reasons = fields.String()
    is_deemed = fields.Boolean()
    basis = fields.String(allow_none=True)
    given_at = fields.String()
    signed_by = fields.String(allow_none=True)
    response = fields.Nested(ResponseOut, allow_none=True)


class ConsentOut(Schema):
    """One function of the plan and the consent decided for it."""

    function = fields.String()
    decision = fields.String(metadata={"description": "given, refused, or undecided (not agreed)"})
    reasons = fields.String()
    is_agreed = fields.Boolean()
    next_step = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    basis = fields.String()
    is_settled = fields.Boolean(metadata={"description": "consented, or ruled on by the conciliation board"})
    ruling = fields.Nested(RulingOut, allow_none=True)


class CostOut(Schema):
    """A cost recorded."""

    amount_minor = fields.Integer()
    currency = fields.String()
    description = fields.String()


class TermOut(Schema):
    """An appointment's term: running, or how and when it ended."""

    active = fields.Boolean()
    ends_on = fields.String(allow_none=True)
    ended_how = fields.String(allow_none=True, metadata={"description": "decision, deactivated, end_date or "
                                                                        "conclusion"})
    ended_at = fields.String(allow_none=True)
    end_reason = fields.String(allow_none=True)


class ExpertOut(Schema):
    """An appointed expert."""

    id = Opaque()
    constituency = fields.String()
    name = fields.String()
    firm = fields.String()
    reason = fields.String()
    brief = fields.String()
    member_in_charge = fields.String(allow_none=True, metadata={
        "description": "null where the identity policy does not name that constituency's people to the reader"})
    appointed_at = fields.String()
    term = fields.Nested(TermOut)
    calendar = fields.List(fields.Dict(), metadata={"description": "The expert's legal calendar (fr-cse, "
                                                                   "de-betrvg): step, title, basis, due_at, flag, "
                                                                   "recorded_at, note"})
    cost_split = fields.Dict(allow_none=True, metadata={"description": "fr-cse: the costs split per L2315-80"})
    costs = fields.List(fields.Nested(CostOut))
    employer_bears_costs = fields.Boolean(allow_none=True)


class ClockOut(Schema):
    """The current stage's legal clock."""

    stage = fields.String()
    starts_at = fields.String(allow_none=True, metadata={"description": "null until its start event"})
    deadline_at = fields.String(allow_none=True)
    starts_with = fields.String(metadata={"description": "The event the clock starts at"})
    starts_with_any = fields.List(fields.String(), metadata={"description": "The first of these starts it"})
    basis = fields.String()
    at_expiry = fields.String(allow_none=True)
    time_zone = fields.String(allow_none=True, metadata={"description": "The law's time zone (never UTC)"})
    country = fields.String(allow_none=True)
    last_day = fields.String(allow_none=True, metadata={"description": "The governing last day (it ends at 24:00)"})
    deadline_text = fields.String(allow_none=True, metadata={
        "description": '"Wednesday 6 January 2027, end of the day, Paris time"'})
    reading = fields.String(allow_none=True, metadata={"description": "strict or extended, as recorded"})
    agreement = fields.Dict(allow_none=True, metadata={"description": "The company agreement recorded"})
    extension = fields.Dict(allow_none=True, metadata={
        "description": "When the last day is not a working day: both dates, the rule and the flag"})
    establishments = fields.Dict(allow_none=True, metadata={
        "description": "A two-level consultation: the establishments, their deadline and opinions"})


class ProcedureOut(Schema):
    """The legal procedure of a round: opinions and responses, consents, experts, the clock, the rules."""

    opinions = fields.List(fields.Nested(OpinionOut))
    consents = fields.List(fields.Nested(ConsentOut))
    experts = fields.List(fields.Nested(ExpertOut))
    clock = fields.Nested(ClockOut, allow_none=True)
    is_legal = fields.Boolean(metadata={"description": "Whether the workflow is a legal procedure (has a "
                                                       "jurisdiction); standard and fast-track are not"})
    profile_warning = fields.String(allow_none=True, metadata={
        "description": "A workflow that is not a legal procedure, in a country that has one: which to use"})
    expert_costs = fields.Dict(allow_none=True, metadata={"description": "threshold, workers_affected, "
                                                                         "employer_bears_costs, basis"})
    rollout_warning = fields.String(allow_none=True)
    plan_revisions = fields.List(fields.Nested(PlanVersionOut))
    duties = fields.Dict(allow_none=True, metadata={
        "description": "The profile's EU-law settings: application (the date Art. 26 applies from, its source and "
                       "an uncertain later date), minimum_lengths, prohibitions, transposition"})
    affected_workers = fields.Nested(AffectedWorkersOut, allow_none=True, metadata={
        "description": "Individual information: counts for all, the list for the employer and the secretariat"})


class ExpertBriefOut(Schema):
    """What an appointed expert reads: their appointment and their constituency's caucus."""

    round_id = fields.Integer()
    title = fields.String()
    constituency = fields.String()
    appointment = fields.Nested(ExpertOut)
    package = fields.List(fields.Dict(), metadata={"description": "The released documents the expert may read"})
    caucus = fields.List(fields.Dict())
