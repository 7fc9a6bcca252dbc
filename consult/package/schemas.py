"""What the information package looks like going in and coming out of the API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from consult.accounts.models import SOCIAL_PARTNERS, Constituency
from consult.api.fields import Line, Text

CAUCUSES = [c.value for c in SOCIAL_PARTNERS]


class DocumentIn(Schema):
    """The form fields sent with a new document (multipart/form-data, beside its `file`)."""

    title = Line(max_length=200)
    caucus = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CAUCUSES + [""]),
                           metadata={"description": "Empty or absent: every party; else the one caucus it is for"})
    note = Text(max_length=2000, required=False, load_default="")


class VersionIn(Schema):
    """The form fields sent with a new version of a document."""

    note = Text(max_length=2000, required=False, load_default="")


def caucus_of(value: str | None) -> Constituency | None:
    """The caucus a form names (empty: every party)."""
    return Constituency(value) if value else None


class VersionOut(Schema):
    """One version of a document: name, version, size and digest, and when it was released."""

    version = fields.Integer()
    filename = fields.String()
    kind = fields.String()
    media_type = fields.String()
    size_bytes = fields.Integer()
    sha256 = fields.String()
    note = fields.String()
    uploaded_at = fields.DateTime()
    released_at = fields.DateTime(allow_none=True)
    release_id = fields.String(allow_none=True, metadata={"description": "The release's opaque id"})
    download = fields.String(metadata={"description": "Where to download it (always as an attachment)"})


class DocumentOut(Schema):
    """A document of the package and the versions the viewer may see."""

    id = fields.String(metadata={"description": "Opaque: it counts nothing across audiences"})
    title = fields.String()
    caucus = fields.String(allow_none=True)
    attached_at = fields.DateTime()
    versions = fields.List(fields.Nested(VersionOut))


class AcknowledgementOut(Schema):
    """One organisation's receipt of a release."""

    organisation_id = fields.Integer()
    organisation = fields.String()
    acknowledged_at = fields.DateTime()


class ReleaseOut(Schema):
    """A release of the package to one audience, and who acknowledged it."""

    id = fields.String(metadata={"description": "Opaque: it counts nothing across audiences"})
    number = fields.Integer()
    caucus = fields.String(allow_none=True)
    released_at = fields.DateTime()
    stage = fields.String()
    acknowledgements = fields.List(fields.Nested(AcknowledgementOut))
    acknowledged_by_me = fields.Boolean(metadata={"description": "Whether my organisation has acknowledged it"})


class PackageOut(Schema):
    """The package as the viewer may see it."""

    documents = fields.List(fields.Nested(DocumentOut))
    releases = fields.List(fields.Nested(ReleaseOut))
    awaiting_my_acknowledgement = fields.List(fields.String(), metadata={
        "description": "Releases my organisation has not acknowledged yet"})
