"""What positions, stances, commitments, outcomes, signatures and exports look like in the API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from consult.api.fields import Id, Line, Text
from consult.outcomes.models import StanceKind

#: What a digest look-up says about itself (GET /verify/<digest>).
DIGEST_NOTICE = ("This answer says what the record holds about this digest; it does not check any file. Only "
                 "checking the file itself (the upload form at /verify, `consult verify FILE.pdf`, or any PAdES "
                 "validator) proves that a copy is unaltered.")
POSITION_MAX = 50_000
STATEMENT_MAX = 5_000


class PositionIn(Schema):
    """A new version of a section's position, written on top of `base_version` (0 for the first)."""

    text = Text(max_length=POSITION_MAX)
    base_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100_000),
                                  metadata={"description": "The version you edited; a stale one answers 409"})


class PositionOut(Schema):
    """One version of a section's position."""

    section = fields.String()
    version = fields.Integer()
    text = fields.String()
    text_html = fields.String()
    drafted_at = fields.DateTime()


class StanceIn(Schema):
    """My constituency's stance on a section's current position."""

    stance = fields.Enum(StanceKind, by_value=True, required=True)
    statement = Text(max_length=STATEMENT_MAX, required=False, load_default="")


class StancesIn(Schema):
    """My constituency's stances on several sections at once, by section key: saved all together or not at all."""

    stances = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)),
                          values=fields.Nested(StanceIn), required=True, validate=validate.Length(min=1, max=50),
                          metadata={"description": 'e.g. {"privacy": {"stance": "agree"}}; unchanged ones append '
                                                   "nothing"})


class StanceOut(Schema):
    """A constituency's stance."""

    section = fields.String()
    constituency = fields.String()
    stance = fields.String()
    statement = fields.String()
    position_version = fields.Integer()
    recorded_at = fields.DateTime()


class SectionPositionOut(Schema):
    """A section with its current position and the stances on it."""

    section = fields.String()
    title = fields.String()
    position = fields.Nested(PositionOut, allow_none=True)
    stances = fields.List(fields.Nested(StanceOut))


class CommitmentIn(Schema):
    """A commitment in the outcome."""

    description = Text(max_length=2_000)
    owner_organisation_id = Id(required=True)
    kpi = Text(max_length=300)
    target = Text(max_length=300)
    due_on = fields.Date(required=True)


class CommitmentOut(Schema):
    """A commitment."""

    id = fields.Integer()
    description = fields.String()
    owner_organisation_id = fields.Integer()
    owner = fields.Function(lambda c: c.owner.name)
    kpi = fields.String()
    target = fields.String()
    due_on = fields.Date()


class SignIn(Schema):
    """Signing the frozen outcome: the digest read, the password again, any reservation."""

    digest = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$",
                                                                     error="A SHA-256 digest in lower-case hex."))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024))
    reservation = Text(max_length=STATEMENT_MAX, required=False, load_default=None, allow_none=True)


class SignatureOut(Schema):
    """A signature on one digest."""

    constituency = fields.String()
    name = fields.Function(lambda s: s.user.display_name)
    organisation = fields.Function(lambda s: s.user.organisation.name)
    role = fields.Function(lambda s: s.user.role_title)
    digest = fields.String()
    reservation = fields.String(allow_none=True)
    signed_at = fields.DateTime()


class OutcomeOut(Schema):
    """The current outcome version: its digest, status, signatures and the document itself."""

    version = fields.Integer()
    digest = fields.String()
    status = fields.String()
    frozen_at = fields.DateTime()
    signed_at = fields.DateTime(allow_none=True)
    signatures = fields.List(fields.Nested(SignatureOut))
    missing = fields.List(fields.String(), metadata={"description": "Constituencies yet to sign"})
    document = fields.Dict(metadata={"description": "The frozen document (canonical JSON, parsed)"})


class ExportIn(Schema):
    """An export of the signed outcome."""

    kind = fields.String(required=True, validate=validate.OneOf(["pdf", "pdf_annex"]),
                         metadata={"description": "pdf, or pdf_annex with an annex of the plenary comments"})


class ExportOut(Schema):
    """An export job."""

    id = fields.Integer()
    kind = fields.String()
    digest = fields.String()
    status = fields.String(metadata={"description": "queued, running, ready or failed"})
    attempts = fields.Integer()
    size = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    requested_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    download_url = fields.Function(lambda j: f"/rounds/{j.round_id}/exports/{j.id}/file" if j.status == "ready"
                                   else None)


class VerificationOut(Schema):
    """What the record says about a digest (public)."""

    digest = fields.String()
    on_record = fields.Boolean()
    status = fields.String(allow_none=True)
    round_title = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    frozen_at = fields.DateTime(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    signatures = fields.List(fields.Dict())
    checks_file = fields.Constant(False, metadata={
        "description": "Always false: this answer looks a digest up and checks no file."})
    notice = fields.Constant(DIGEST_NOTICE, metadata={"description": "What this answer proves, and what not."})


class CommitmentUpdateIn(Schema):
    """A progress report on a commitment, by its owner."""

    value = Text(max_length=300, metadata={"description": "The KPI's value now, e.g. \"2 audits\""})
    note = Text(max_length=5_000, required=False, load_default="")
    evidence = fields.List(fields.Url(schemes={"http", "https"}, validate=validate.Length(max=500)),
                           load_default=list, validate=validate.Length(max=10))
    completes = fields.Boolean(load_default=False, metadata={"description": "The commitment is met"})


class CommitmentUpdateOut(Schema):
    """A progress report."""

    id = fields.Integer()
    value = fields.String()
    note = fields.String()
    evidence = fields.List(fields.String())
    completes = fields.Boolean()
    posted_at = fields.DateTime()


class FollowUpIn(Schema):
    """Opening a follow-up round from a commitment."""

    title = Line(max_length=200)


class TrackedCommitmentOut(CommitmentOut):
    """A commitment followed after its round, with its status."""

    round_id = fields.Integer()
    round_title = fields.Function(lambda c: c.round_title)
    status = fields.Function(lambda c: c.status)
    latest_value = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    overdue_at = fields.DateTime(allow_none=True)


class MonitoringOut(Schema):
    """Commitments by status at the end of each week."""

    weeks = fields.List(fields.Dict(), metadata={"description": '[{"week_ending", "open", "overdue", "completed"}]'})
