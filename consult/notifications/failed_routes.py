"""Failed mail for the secretariat: a list and a retry, in the API (/api/v1/mail/failed) and on a page."""

from __future__ import annotations

from flask import make_response, render_template
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import Schema, fields

from consult.accounts.auth import require_user
from consult.api.routing import route
from consult.api.session import db_session
from consult.errors import ConsultError
from consult.notifications.failed import failed_messages, retry_message
from consult.web import pages
from consult.web.forms import handle_form


class FailedMailOut(Schema):
    """A message that could not be sent: who it was for, what it was, why it failed."""

    id = fields.Integer()
    to_address = fields.String()
    to_name = fields.String(allow_none=True)
    to_user_id = fields.Integer(allow_none=True)
    kind = fields.String()
    subject = fields.String()
    attempts = fields.Integer()
    reason = fields.String(allow_none=True, metadata={"description": "The server's answer, or why it cannot be built"})
    created_at = fields.DateTime()
    retried_at = fields.DateTime(allow_none=True)


class RetryIn(Schema):
    """Queue a failed message again (the form posts nothing but its CSRF token)."""


@route("/mail/failed", summary="Mail that could not be sent", tag="notifications", response=FailedMailOut,
       many=True, errors=(403,))
def get_failed_mail():
    """The messages marked failed, newest first (secretariat only)."""
    return failed_messages(db_session(), require_user())


@route("/mail/failed/<int:message_id>/retry", "POST", summary="Send a failed message again", tag="notifications",
       response=FailedMailOut, errors=(403, 404, 409))
def retry_failed_mail(message_id: int):
    """Queue a failed message again with its Message-ID; it is sent after the commit (secretariat only)."""
    row = retry_message(db_session(), require_user(), message_id)
    return {"id": row.id, "to_address": row.to_address, "to_name": row.to_name, "to_user_id": row.to_user_id,
            "kind": row.kind, "subject": row.subject, "attempts": row.attempts, "reason": row.last_error,
            "created_at": row.created_at, "retried_at": row.retried_at}


def _page(error: ConsultError | None = None):
    rows = failed_messages(db_session(), require_user())
    response = make_response(render_template("mail_failed.html", rows=rows, error=error),
                             error.status if error else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.route("/mail/failed")
@login_required
def failed_mail_page():
    """The secretariat's list of mail that could not be sent, each with its reason and a retry button."""
    return _page()


@pages.route("/mail/failed/<int:message_id>/retry", methods=["POST"])
@login_required
def retry_failed_mail_form(message_id: int):
    """Queue one failed message again, then come back to the list."""
    return handle_form(RetryIn(), lambda session, _data: retry_message(session, require_user(), message_id),
                       form={}, done=lambda _row: "/mail/failed", again=lambda _posted, error: _page(error),
                       saved=_("The message is queued again."))
