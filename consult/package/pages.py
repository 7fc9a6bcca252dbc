"""The information package's page: the documents, their versions and digests, releases and receipts; the forms
to attach, add a version, release and acknowledge (plain forms: everything works without JavaScript)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from consult.accounts.auth import require_user
from consult.accounts.models import SOCIAL_PARTNERS
from consult.api.routing import load_input
from consult.api.session import db_session, run_after_commit
from consult.errors import Conflict, ConsultError, Invalid, NotFound
from consult.package import services
from consult.package.download import attachment
from consult.package.reading import present_package, visible_version
from consult.package.schemas import DocumentIn, VersionIn, caucus_of
from consult.rounds import governance
from consult.rounds.services import get_visible_round
from consult.settings import settings_of
from consult.web import pages
from consult.web.forms import form_fields


def _render(round_id: int, *, error: ConsultError | None = None, posted: dict | None = None):
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    package = present_package(session, view)
    caucuses = [c.value for c in SOCIAL_PARTNERS if c.value in view.visible_caucuses]
    context = {"round": view.round, "view": view, "package": package, "error": error, "posted": posted or {},
               "may_attach": governance.may(session, view, "attach_document"),
               "may_release": governance.may(session, view, "release_package")
               and services.has_pending(session, round_id),
               "may_acknowledge": governance.may(session, view, "acknowledge_package"),
               "caucuses": caucuses, "max_bytes": settings_of(current_app).document_max_bytes}
    return render_template("package.html", **context), error.status if error else 200


@pages.route("/rounds/<int:round_id>/package")
@login_required
def package_page(round_id: int):
    """The package as I may see it."""
    return _render(round_id)


def _upload(round_id: int, schema, act):
    session = db_session()
    governance.require_role(get_visible_round(session, require_user(), round_id), "attach_document")
    posted = form_fields()
    upload = request.files.get("file")
    try:
        data = load_input(schema, posted)
        if upload is None or not upload.filename:
            raise Invalid("Choose a file to attach.", fields={"file": ["Missing file."]})
        act(session, data, upload.filename,
            upload.stream.read(settings_of(current_app).document_max_bytes + 1))
        session.commit()
    except (Invalid, Conflict) as error:
        session.rollback()
        return _render(round_id, error=error, posted=posted)
    except ConsultError as error:
        session.rollback()
        if error.status != 413:
            raise
        return _render(round_id, error=error, posted=posted)
    run_after_commit()
    return redirect(url_for("pages.package_page", round_id=round_id), 303)


@pages.route("/rounds/<int:round_id>/package/documents", methods=["POST"])
@login_required
def attach_document_form(round_id: int):
    """Attach a document from the page."""
    return _upload(round_id, DocumentIn(), lambda session, data, name, content: services.attach_document(
        session, require_user(), round_id, title=data["title"], caucus=caucus_of(data.get("caucus")),
        filename=name, data=content, note=data["note"]))


@pages.route("/rounds/<int:round_id>/package/documents/<document_id>/versions", methods=["POST"])
@login_required
def add_version_form(round_id: int, document_id: str):
    """Add a new version from the page."""
    return _upload(round_id, VersionIn(), lambda session, data, name, content: services.add_version(
        session, require_user(), round_id, document_id, filename=name, data=content, note=data["note"]))


attach_document_form.accepts_uploads = True  # type: ignore[attr-defined]
add_version_form.accepts_uploads = True  # type: ignore[attr-defined]


def _simple(round_id: int, act):
    session = db_session()
    try:
        act(session)
        session.commit()
    except Conflict as error:
        session.rollback()
        return _render(round_id, error=error)
    run_after_commit()
    return redirect(url_for("pages.package_page", round_id=round_id), 303)


@pages.route("/rounds/<int:round_id>/package/release", methods=["POST"])
@login_required
def release_package_form(round_id: int):
    """Release the new documents from the page."""
    return _simple(round_id, lambda session: services.release_package(session, require_user(), round_id))


@pages.route("/rounds/<int:round_id>/package/releases/<release_id>/acknowledgement", methods=["POST"])
@login_required
def acknowledge_form(round_id: int, release_id: str):
    """Acknowledge receipt for my organisation from the page."""
    return _simple(round_id, lambda session: services.acknowledge_release(session, require_user(), round_id,
                                                                          release_id))


@pages.route("/rounds/<int:round_id>/package/documents/<document_id>/versions/<int:version>/file")
@login_required
def download_document_page(round_id: int, document_id: str, version: int):
    """A version's file, as an attachment."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    found = visible_version(session, view, document_id, version)
    if found is None:
        raise NotFound(_("No such document."))
    return attachment(found, services.package_settings(session).store.read(found.storage_key))
