"""Accounts in and out of the API."""

from marshmallow import Schema, fields, validate

from consult.accounts.models import Constituency
from consult.api.fields import Id, Text
from consult.rounds.schemas import COUNTRY, OrganisationOut
from consult.web.locale import LANGUAGES


class MeOut(Schema):
    """The person behind the request."""

    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    role_title = fields.String(allow_none=True)
    language = fields.Function(lambda user: user.language or None,
                               metadata={"description": "null: not chosen (the pages follow the browser)"})
    constituency = fields.String()
    organisation = fields.Nested(OrganisationOut)


class TokenIn(Schema):
    """Creating a personal API token."""

    name = Text(max_length=80)
    expires_in_days = fields.Integer(load_default=90, allow_none=True, strict=True,
                                     validate=validate.Range(min=1, max=730),
                                     metadata={"description": "Days until the token stops working; null: never"})


class TokenOut(Schema):
    """A token; `token` is present only in the answer that created it."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    token = fields.String()


class OrganisationIn(Schema):
    """Registering an organisation (secretariat only)."""

    name = Text(max_length=200)
    constituency = fields.Enum(Constituency, by_value=True, required=True)
    country = fields.String(load_default=None, allow_none=True, validate=COUNTRY)


class OrganisationQuery(Schema):
    """Filter organisations by constituency."""

    constituency = fields.String(load_default=None, validate=validate.OneOf([c.value for c in Constituency]))


class LanguageIn(Schema):
    """Choosing the language of the pages (the language switcher)."""

    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    next = fields.String(load_default="", validate=validate.Length(max=500),
                         metadata={"description": "The page to go back to (a local path)"})


class PersonIn(Schema):
    """Adding a person to an organisation (secretariat only); a one-time password is made for them."""

    organisation_id = Id(required=True)
    display_name = Text(max_length=120)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    role_title = Text(max_length=120, required=False, load_default=None, allow_none=True)
    language = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LANGUAGES),
                             metadata={"description": "null or absent: not chosen, the pages follow the browser"})
