"""What a timeline and the secretariat's timeline actions look like in the API."""

from __future__ import annotations

from marshmallow import Schema, fields

from consult.api.fields import DurationField, Text

REASON_MAX = 2000


class ReasonIn(Schema):
    """A timeline action: the reason is recorded in the event and shown to every participant."""

    reason = Text(max_length=REASON_MAX)


class ExtendIn(ReasonIn):
    """Extending the current stage; later deadlines move by the same amount."""

    by = DurationField(required=True, metadata={"description": 'How much longer, e.g. "3d" or "12h".'})


class StageOut(Schema):
    """One stage of the timeline, planned and actual."""

    key = fields.String()
    title = fields.String()
    starts_at = fields.DateTime(allow_none=True, metadata={"description": "Planned start (UTC)"})
    deadline_at = fields.DateTime(allow_none=True, metadata={"description": "Planned deadline (UTC)"})
    deadline_local = fields.String(allow_none=True,
                                   metadata={"description": "The deadline in the round's time zone, ISO 8601"})
    entered_at = fields.DateTime(allow_none=True, metadata={"description": "When the round entered it"})
    on_deadline = fields.String()
    is_current = fields.Boolean()
    open = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                       metadata={"description": "What is open to whom in the stage"})


class TimelineOut(Schema):
    """A round's timeline."""

    round_id = fields.Integer()
    workflow = fields.String()
    stage = fields.String()
    status = fields.String(metadata={"description": "open, paused, held or blocked"})
    status_reason = fields.String(allow_none=True)
    time_zone = fields.String()
    paused_at = fields.DateTime(allow_none=True)
    stages = fields.List(fields.Nested(StageOut))
