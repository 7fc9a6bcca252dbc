"""The API's legal-clock routes: the reading of an uncertain extension, a company agreement, the BDESE notice,
an establishment CSE's opinion. Each parses, calls its service and returns what the record now says."""

from __future__ import annotations

from marshmallow import Schema, fields

from consult.accounts.auth import require_user
from consult.api.routing import route
from consult.api.session import db_session
from consult.opinions import clock_records
from consult.opinions.clock_schemas import AgreementIn, BdeseIn, EstablishmentOpinionIn, ReadingIn

WRITE_ERRORS = (403, 404, 409, 422)


class RecordedOut(Schema):
    """What was recorded, as its event's payload says it."""

    stage = fields.String()
    reading = fields.String()
    reason = fields.String()
    reference = fields.String()
    length = fields.String()
    description = fields.String()
    establishment = fields.String()
    verdict = fields.String()
    reasons = fields.String()
    basis = fields.String()


@route("/rounds/<int:round_id>/procedure/reading", "POST", summary="Record which reading of an uncertain "
       "next-working-day extension the round follows (the secretariat)", tag="procedure", body=ReadingIn,
       response=RecordedOut, status=201, errors=WRITE_ERRORS)
def record_reading(round_id: int, body):
    """The clock is set again from the reading chosen; the choice and its reason are in the record."""
    return clock_records.record_reading(db_session(), require_user(), round_id, body)


@route("/rounds/<int:round_id>/procedure/agreement", "POST", summary="Record the company agreement that sets "
       "the consultation's length (the secretariat)", tag="procedure", body=AgreementIn, response=RecordedOut,
       status=201, errors=WRITE_ERRORS)
def record_agreement(round_id: int, body):
    """Its length replaces the defaults and their expert extensions (Code du travail L2312-16, L2312-19)."""
    return clock_records.record_agreement(db_session(), require_user(), round_id, body)


@route("/rounds/<int:round_id>/procedure/bdese", "POST", summary="Record that the information is available in "
       "the BDESE (the employer)", tag="procedure", body=BdeseIn, response=RecordedOut, status=201,
       errors=WRITE_ERRORS)
def notify_bdese(round_id: int, body):
    """Like the package's release, it can start the clock (Code du travail R2312-5)."""
    return clock_records.notify_bdese(db_session(), require_user(), round_id, body)


@route("/rounds/<int:round_id>/procedure/establishment-opinions", "POST", summary="Transmit an establishment "
       "CSE's opinion to the central CSE", tag="procedure", body=EstablishmentOpinionIn, response=RecordedOut,
       status=201, errors=WRITE_ERRORS)
def transmit_establishment_opinion(round_id: int, body):
    """Due 7 days before the central CSE's deadline; deemed negative after it (R2312-6 II)."""
    return clock_records.transmit_establishment_opinion(db_session(), require_user(), round_id, body)
