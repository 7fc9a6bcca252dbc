"""What the notification pages accept."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from consult.notifications.kinds import DEFAULTS, DELIVERIES

PreferencesIn = Schema.from_dict(
    {kind: fields.String(required=True, validate=validate.OneOf(DELIVERIES)) for kind in DEFAULTS},
    name="PreferencesIn")
PreferencesIn.__doc__ = "How each kind of notification reaches me: immediately, daily, weekly, or off."


class UnsubscribeIn(Schema):
    """A one-click unsubscribe (RFC 8058): mail clients post `List-Unsubscribe=One-Click`; the form posts nothing."""

    class Meta:
        unknown = "exclude"  # the page's form also sends its csrf_token, which this path does not need

    one_click = fields.String(data_key="List-Unsubscribe", load_default=None,
                              validate=validate.OneOf(["One-Click"]))
