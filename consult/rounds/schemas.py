"""What a round looks like going in and coming out of the API."""

from __future__ import annotations

import zoneinfo

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from consult.accounts.models import SOCIAL_PARTNERS
from consult.accounts.schemas import COUNTRY, OrganisationOut
from consult.api.fields import DurationField, Id, Line, Text
from consult.rounds.duty_fields import DutyPlanIn, DutyPlanOut
from consult.rounds.plan import COMMITMENT_AREAS, AIFunction, IdentityPolicy
from consult.vocabulary import LANGUAGES


class DecisionCategoryIn(Schema):
    """One category of automated decision: what is decided, on which main parameters, with what relative weight."""

    category = Line(max_length=200)
    parameters = Text(max_length=2000)
    weight = Text(max_length=200, metadata={"description": 'Their relative weight, in words or figures ("pick rate '
                                                           '60%, attendance 40%")'})


class PlanIn(DutyPlanIn):
    """The AI deployment plan as the employer describes it."""

    system_name = Line(max_length=200)
    provider = Line(max_length=200)
    purpose = Text(max_length=5000)
    functions = fields.List(fields.Enum(AIFunction, by_value=True), required=True,
                            validate=validate.Length(min=1, max=len(AIFunction)))
    declares_high_risk = fields.Boolean(load_default=False)
    workers_affected = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000_000))
    worker_groups = Text(max_length=2000)
    sites = Text(max_length=2000)
    data_collected = Text(max_length=5000)
    data_retention = Text(max_length=2000)
    data_access = Text(max_length=2000)
    human_oversight = Text(max_length=5000)
    contest_route = Text(max_length=5000)
    rollout_starts_on = fields.Date(required=True)
    rollout_completes_on = fields.Date(load_default=None, allow_none=True)
    country = fields.String(load_default=None, allow_none=True, validate=COUNTRY)
    sector = Line(max_length=80, required=False, load_default=None, allow_none=True)
    decision_categories = fields.List(fields.Nested(DecisionCategoryIn), load_default=list, allow_none=True,
                                      validate=validate.Length(max=50), metadata={
                                          "description": "For automated decisions: optional unless the workflow "
                                                         "requires it (platform-work)"})
    data_recipients = Text(max_length=5000, required=False, load_default=None, allow_none=True, metadata={
        "description": "Recipients of workers' data and transfers within the group; optional unless required"})
    impact_statements = fields.Dict(
        keys=fields.String(validate=validate.OneOf(COMMITMENT_AREAS)),
        values=fields.String(validate=validate.Length(max=10_000)),
        required=True,
    )

    @validates("functions")
    def _distinct(self, value: list, data_key: str) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("List each function once.")

    @validates("impact_statements")
    def _every_area(self, value: dict, data_key: str) -> None:
        missing = [area for area in COMMITMENT_AREAS if not (value.get(area) or "").strip()]
        if missing:
            raise ValidationError(f"Give an impact statement for every commitment area; missing: {', '.join(missing)}.")

    @validates_schema
    def _rollout_order(self, data: dict, **_kwargs) -> None:
        end = data.get("rollout_completes_on")
        if end and data.get("rollout_starts_on") and end < data["rollout_starts_on"]:
            raise ValidationError("The rollout cannot complete before it starts.", "rollout_completes_on")


class RoundIn(Schema):
    """Opening a round."""

    title = Line(max_length=200)
    plan = fields.Nested(PlanIn, required=True)
    employer_organisation_id = Id(load_default=None, allow_none=True)
    workflow = fields.String(load_default="standard", validate=validate.Length(min=1, max=40))
    identity_policy = fields.Enum(IdentityPolicy, by_value=True, load_default=IdentityPolicy.PSEUDONYMOUS,
                                  metadata={"description": "How worker representatives are shown; only the "
                                                           "secretariat opens a round under a weaker policy "
                                                           "than pseudonymous."})
    language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))
    time_zone = fields.String(load_default=None, validate=validate.Length(max=64),
                              metadata={"description": "An IANA name; by default the legal profile's (fr-cse: "
                                                       "Europe/Paris), else UTC"})
    establishment_country = fields.String(load_default=None, validate=COUNTRY,
                                          metadata={"description": "Where the establishment is (ISO 3166-1 alpha-2):"
                                                                   " an EU profile's law and legal time follow it"})
    establishment_region = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Z0-9]{1,8}$"),
                                         metadata={"description": "Its region where holidays are regional "
                                                                  "(a German Land: BY, NW...)"})
    establishments = fields.List(Line(max_length=200), load_default=list, validate=validate.Length(max=50),
                                 metadata={"description": "fr-cse: the establishment CSEs consulted besides the "
                                                          "central CSE (a two-level consultation, R2312-6)"})
    is_public = fields.Boolean(load_default=False)
    secretariat_sees_caucus = fields.Boolean(load_default=False)
    required_constituencies = fields.List(
        fields.String(validate=validate.OneOf([c.value for c in SOCIAL_PARTNERS])),
        load_default=lambda: [c.value for c in SOCIAL_PARTNERS],
        validate=validate.Length(min=1),
    )
    stage_lengths = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=40)),
                                values=DurationField(), load_default=dict,
                                metadata={"description": 'Stage lengths for this round where they differ from '
                                                         'the workflow\'s, e.g. {"consultation": "21d"}.'})

    @validates("time_zone")
    def _known_zone(self, value: str | None, data_key: str) -> None:
        if value is None:
            return
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError("Unknown time zone; use an IANA name such as Europe/Paris.") from error


class RemovalIn(Schema):
    """Removing an organisation from a round: the reason is recorded and shown."""

    reason = Text(max_length=2000)


class InvitationIn(Schema):
    """Inviting an organisation to a round."""

    organisation_id = Id(required=True)


class InvitationsIn(Schema):
    """Inviting several organisations at once (the people page's checkboxes, each named `organisation_id`)."""

    organisation_id = fields.List(Id(), required=True, validate=validate.Length(min=1, max=100),
                                  metadata={"description": "The ids of the organisations to invite"})


class SignatoryIn(Schema):
    """Naming the person who signs for a constituency; replacing one needs a reason."""

    user_id = Id(required=True)
    reason = Text(max_length=2000, required=False, load_default="",
                  metadata={"description": "Why the signatory changes: required when one is replaced, recorded "
                                           "in the signatory.named event."})


class IdentityPolicyIn(Schema):
    """Changing how worker representatives are shown: the new policy and why."""

    identity_policy = fields.Enum(IdentityPolicy, by_value=True, required=True)
    reason = Text(max_length=2000)


class PlanOut(DutyPlanOut):
    """The plan as shown to participants."""

    system_name = fields.String()
    provider = fields.String()
    purpose = fields.String()
    functions = fields.List(fields.String())
    is_high_risk = fields.Boolean()
    workers_affected = fields.Integer()
    worker_groups = fields.String()
    sites = fields.String()
    data_collected = fields.String()
    data_retention = fields.String()
    data_access = fields.String()
    human_oversight = fields.String()
    contest_route = fields.String()
    rollout_starts_on = fields.Date()
    rollout_completes_on = fields.Date(allow_none=True)
    country = fields.String(allow_none=True)
    sector = fields.String(allow_none=True)
    decision_categories = fields.List(fields.Dict(), allow_none=True)
    data_recipients = fields.String(allow_none=True)


class SectionOut(Schema):
    """A section of the plan."""

    key = fields.String()
    title = fields.String()
    impact_statement = fields.String()


class SignatoryOut(Schema):
    """Who signs for a constituency."""

    constituency = fields.String()
    user_id = fields.Integer()
    name = fields.String()
    organisation = fields.String()
    role = fields.String(allow_none=True)
    named_at = fields.DateTime()


class AnonymityOut(Schema):
    """How many people a masked worker representative hides among (consult/rounds/anonymity.py)."""

    policy = fields.String()
    minimum = fields.Integer(metadata={"description": "Fewer people than this cannot be hidden"})
    worker_side = fields.Integer(metadata={"description": "Worker representatives taking part"})
    organisations = fields.List(fields.Dict(), metadata={"description": "People per worker organisation"})
    small_organisations = fields.List(fields.String())
    is_too_small = fields.Boolean(metadata={"description": "The policy cannot hide everyone: say so"})


class RoundOut(Schema):
    """A round as one participant sees it."""

    id = fields.Integer()
    title = fields.String()
    workflow = fields.String()
    stage = fields.String()
    stage_entered_at = fields.DateTime()
    status = fields.String(metadata={"description": "open, paused, held or blocked"})
    status_reason = fields.String(allow_none=True)
    identity_policy = fields.String()
    language = fields.String()
    time_zone = fields.String()
    establishment_country = fields.String(allow_none=True)
    establishment_region = fields.String(allow_none=True)
    establishments = fields.List(fields.String(), allow_none=True)
    profile_warning = fields.String(allow_none=True, metadata={
        "description": "Set when the workflow is not a legal procedure and the establishment's country has one"})
    is_public = fields.Boolean()
    secretariat_sees_caucus = fields.Boolean()
    required_constituencies = fields.List(fields.String())
    employer = fields.Nested(OrganisationOut)
    plan = fields.Nested(PlanOut)
    sections = fields.List(fields.Nested(SectionOut))
    my_constituency = fields.String(allow_none=True)
    anonymity = fields.Nested(AnonymityOut, allow_none=True, metadata={
        "description": "Shown to the secretariat and the workers' side; null under `named` and for others"})
    created_at = fields.DateTime()
    follow_up_of_round_id = fields.Integer(allow_none=True)
    follow_up_of_commitment_id = fields.Integer(allow_none=True)


class RoundSummaryOut(Schema):
    """A round in a list."""

    id = fields.Integer()
    title = fields.String()
    stage = fields.String()
    employer = fields.Nested(OrganisationOut)
    created_at = fields.DateTime()


class ParticipantOut(Schema):
    """An organisation invited to a round."""

    organisation = fields.Nested(OrganisationOut)
    invited_at = fields.DateTime()



class RuleOut(Schema):
    """One row of the governance table: one write action of a round."""

    action = fields.String()
    title = fields.String()
    who = fields.Dict(keys=fields.String(), values=fields.String(),
                      metadata={"description": 'role -> "yes", or "own" (for their own constituency only)'})
    phases = fields.List(fields.String(), metadata={"description": "under_way, frozen, concluded"})
    stage_opens = fields.List(fields.String(), metadata={
        "description": "workflow actions the round's current stage must open to the constituency (one of them); "
                       "empty: any stage"})
    conditions = fields.List(fields.String())
    i_may_now = fields.Boolean()


class GovernanceOut(Schema):
    """Who may change who takes part in a round, and when, with the round's phase and the requester's role."""

    phase = fields.String()
    my_role = fields.String(allow_none=True)
    identity_policy = fields.String()
    rules = fields.List(fields.Nested(RuleOut))
