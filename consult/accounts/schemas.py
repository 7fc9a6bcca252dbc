"""Accounts in and out of the API."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from consult.accounts.models import Constituency
from consult.accounts.services import TOKEN_DAYS, TOKEN_MAX_DAYS
from consult.api.fields import Address, Id, Line
from consult.vocabulary import LANGUAGES

COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="Use a two-letter ISO 3166 country code, e.g. DE.")


class OrganisationOut(Schema):
    """An organisation as listed in a round."""

    id = fields.Integer()
    name = fields.String()
    constituency = fields.String()
    country = fields.String(allow_none=True)


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

    name = Line(max_length=80)
    expires_in_days = fields.Integer(load_default=TOKEN_DAYS, strict=True,
                                     validate=validate.Range(min=1, max=TOKEN_MAX_DAYS),
                                     metadata={"description": "Days until the token stops working (at most a "
                                                              "year); every token expires"})


class TokenOut(Schema):
    """A token; `token` is present only in the answer that created it."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True, metadata={
        "description": "null: a token made before every token expired; it works until revoked"})
    token = fields.String()


class OrganisationIn(Schema):
    """Registering an organisation (secretariat only)."""

    name = Line(max_length=200)
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
    """Adding a person to an organisation (secretariat only); they are mailed a link to choose a password."""

    organisation_id = Id(required=True)
    display_name = Line(max_length=120)
    email = Address(required=True)
    role_title = Line(max_length=120, required=False, load_default=None, allow_none=True)
    language = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LANGUAGES),
                             metadata={"description": "null or absent: not chosen, the pages follow the browser"})


class PersonOut(Schema):
    """A person as the secretariat's register shows them."""

    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    role_title = fields.String(allow_none=True)
    language = fields.String()
    organisation_id = fields.Integer()
    is_active = fields.Boolean()
    last_login_at = fields.DateTime(allow_none=True)


class ProfileIn(Schema):
    """Changing one's own profile; only the fields given change."""

    display_name = Line(max_length=120, required=False, not_blank=True)
    role_title = Line(max_length=120, required=False, allow_none=True)
    language = fields.String(validate=validate.OneOf(LANGUAGES))

    @validates_schema
    def _something(self, data: dict, **_kwargs) -> None:
        if not data:
            raise ValidationError("Give at least one of display_name, role_title, language.", "display_name")


class PasswordChangeIn(Schema):
    """Changing one's own password."""

    current_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    sign_out_everywhere = fields.Boolean(load_default=False, metadata={
        "description": "Also revoke every API token and cut every live connection (the account may be known "
                       "to someone else)"})


class PasswordForgottenIn(Schema):
    """Asking for a reset link; the answer is the same whether the address has an account or not."""

    email = Address(required=True)


class PasswordSetIn(Schema):
    """Choosing a password through a mailed link (an invitation or a reset)."""

    token = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
