"""The plan's fields that EU law asks for: the AI Act deployer's checklist, emotion recognition, and the Platform
Work Directive's items; mixed into the plan's schemas (consult/rounds/schemas.py), optional unless a profile
requires them (workflows/*.toml, checked in consult/informing/plan_rules.py)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from consult.api.fields import Text

#: How the plan answers "does the system infer emotions at the workplace?" (AI Act Art. 5(1)(f)).
EMOTION_RECOGNITION = ("none", "at_work", "medical_or_safety")
#: The plan columns these fields fill (the outcome document shows them only where the plan has them).
DUTY_PLAN_FIELDS = ("emotion_recognition", "deployer_checklist", "monitored_data", "account_decisions",
                    "platform_workers_in_member_state", "impact_assessment")


class DeployerChecklistIn(Schema):
    """What a deployer of a high-risk AI system states before putting it into service (AI Act Arts. 26, 27)."""

    oversight_by = Text(max_length=2000, metadata={
        "description": "Art. 26(2): the people assigned human oversight, with their competence, training and "
                       "authority"})
    log_retention_months = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1200),
                                          metadata={"description": "Art. 26(6): logs kept at least six months"})
    dpia_reference = Text(max_length=2000, metadata={
        "description": "GDPR Art. 35 (and AI Act Art. 26(9)): the data-protection impact assessment, by reference"})
    fria_applies = fields.Boolean(load_default=False, metadata={
        "description": "Art. 27(1): the deployer is a body governed by public law or a private entity providing "
                       "public services"})
    fria_reference = Text(max_length=2000, required=False, load_default="", metadata={
        "description": "Art. 27: the fundamental-rights impact assessment, where it applies"})


class DutyPlanIn(Schema):
    """The EU-law items of a plan as the employer describes them."""

    emotion_recognition = fields.String(load_default="none", validate=validate.OneOf(EMOTION_RECOGNITION), metadata={
        "description": "Does the system infer emotions of people at work? none, at_work (prohibited: AI Act "
                       "Art. 5(1)(f)) or medical_or_safety (the article's exception)"})
    deployer_checklist = fields.Nested(DeployerChecklistIn, load_default=None, allow_none=True, metadata={
        "description": "Required of a high-risk plan under eu-ai-act"})
    monitored_data = Text(max_length=5000, required=False, load_default=None, allow_none=True, metadata={
        "description": "Directive (EU) 2024/2831 Art. 9(1)(a): the categories of data and actions monitored"})
    account_decisions = Text(max_length=5000, required=False, load_default=None, allow_none=True, metadata={
        "description": "Art. 9(1)(b): decisions the systems take or support, including restricting, suspending or "
                       "terminating an account or refusing remuneration, and their grounds"})
    platform_workers_in_member_state = fields.Integer(load_default=None, allow_none=True, strict=True,
                                                      validate=validate.Range(min=0, max=100_000_000), metadata={
        "description": "Art. 13(2): the platform's workers in the Member State (not the plan's workers affected)"})
    impact_assessment = Text(max_length=5000, required=False, load_default=None, allow_none=True, metadata={
        "description": "Art. 8: the data-protection impact assessment and how it is provided to the "
                       "representatives"})


class DutyPlanOut(Schema):
    """The EU-law items of a plan as shown to participants."""

    emotion_recognition = fields.String(allow_none=True)
    deployer_checklist = fields.Dict(allow_none=True)
    monitored_data = fields.String(allow_none=True)
    account_decisions = fields.String(allow_none=True)
    platform_workers_in_member_state = fields.Integer(allow_none=True)
    impact_assessment = fields.String(allow_none=True)


def plan_record(dumped: dict) -> dict:
    """The plan as the outcome document records it: the EU-law items only where the plan has them, so the
    documents of rounds without them keep the shape they always had."""
    return {key: value for key, value in dumped.items()
            if key not in DUTY_PLAN_FIELDS or value not in (None, "", "none", {}, [])}
