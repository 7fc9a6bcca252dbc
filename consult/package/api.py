"""The API's information-package routes: read the package, attach, add a version, release, acknowledge, download.

Uploads are multipart/form-data (a `file` and the schema's fields); everything else is JSON. The upload
routes accept bodies up to DOCUMENT_MAX_BYTES (see `accepts_uploads` in consult/app.py).
"""

from __future__ import annotations

from flask import current_app, request

from consult.accounts.auth import require_user
from consult.api.routing import ROUTES, RouteSpec, api_v1, load_input, route
from consult.api.session import db_session
from consult.errors import Invalid, NotFound
from consult.package import services
from consult.package.download import attachment
from consult.package.models import PackageRelease
from consult.package.reading import present_package, visible_version
from consult.package.schemas import DocumentIn, PackageOut, ReleaseOut, VersionIn, caucus_of
from consult.rounds import governance
from consult.rounds.services import get_visible_round
from consult.settings import settings_of


def uploaded_file() -> tuple[str, bytes]:
    """The one file of a multipart upload: its name as given and its bytes (the size is checked later)."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("Send the document as the multipart field 'file'.", fields={"file": ["Missing file."]})
    limit = settings_of(current_app).document_max_bytes
    return upload.filename or "", upload.stream.read(limit + 1)


def form_input(round_id: int, schema) -> dict:
    """The upload's other fields through their schema (one value each), once the requester may attach at all:
    an outsider learns nothing about the round from the form's errors (404 first, then 403)."""
    session = db_session()
    governance.require_role(get_visible_round(session, require_user(), round_id), "attach_document")
    return load_input(schema, {key: request.form.get(key) for key in request.form})


def _package(round_id: int) -> dict:
    session = db_session()
    return present_package(session, get_visible_round(session, require_user(), round_id))


@route("/rounds/<int:round_id>/package", summary="The information package as I may see it", tag="package",
       response=PackageOut, errors=(404,))
def get_package(round_id: int):
    """Documents and versions I may see, each with its size and SHA-256; releases and acknowledgements."""
    return _package(round_id)


@route("/rounds/<int:round_id>/package/documents", "POST", summary="Attach a document (multipart)",
       tag="package", response=PackageOut, status=201, errors=(403, 404, 409, 413, 422))
def attach_document(round_id: int):
    """The employer or the secretariat attaches a document; its type is read from its content."""
    session = db_session()
    data = form_input(round_id, DocumentIn())
    filename, content = uploaded_file()
    services.attach_document(session, require_user(), round_id, title=data["title"],
                             caucus=caucus_of(data.get("caucus")), filename=filename, data=content,
                             note=data["note"])
    return _package(round_id)


@route("/rounds/<int:round_id>/package/documents/<document_id>/versions", "POST",
       summary="Add a new version of a document (multipart)", tag="package", response=PackageOut, status=201,
       errors=(403, 404, 409, 413, 422))
def add_version(round_id: int, document_id: str):
    """A new version; the earlier ones stay, with their digests."""
    session = db_session()
    data = form_input(round_id, VersionIn())
    filename, content = uploaded_file()
    services.add_version(session, require_user(), round_id, document_id, filename=filename, data=content,
                         note=data["note"])
    return _package(round_id)


attach_document.accepts_uploads = True  # type: ignore[attr-defined]
add_version.accepts_uploads = True  # type: ignore[attr-defined]


@route("/rounds/<int:round_id>/package/release", "POST", summary="Release the new documents", tag="package",
       response=ReleaseOut, many=True, status=201, errors=(403, 404, 409))
def release_package(round_id: int):
    """Deliver every new document and version now; one release per audience."""
    session = db_session()
    releases = services.release_package(session, require_user(), round_id)
    view = get_visible_round(session, require_user(), round_id)
    return [r for r in present_package(session, view)["releases"] if r["id"] in {x.public_id for x in releases}]


@route("/rounds/<int:round_id>/package/releases/<release_id>/acknowledgement", "POST",
       summary="Acknowledge receipt for my organisation", tag="package", response=ReleaseOut, status=201,
       errors=(403, 404, 409))
def acknowledge(round_id: int, release_id: str):
    """My organisation received this release; the time is in the record."""
    session = db_session()
    acknowledgement = services.acknowledge_release(session, require_user(), round_id, release_id)
    release = session.get(PackageRelease, acknowledgement.release_id)
    view = get_visible_round(session, require_user(), round_id)
    return next(r for r in present_package(session, view)["releases"] if r["id"] == release.public_id)


def download(round_id: int, document_id: str, version: int):
    """A version's file, as an attachment (never inline), if I may see it."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    found = visible_version(session, view, document_id, version)
    if found is None:
        raise NotFound("No such document.")
    return attachment(found, services.package_settings(session).store.read(found.storage_key))


DOWNLOAD_RULE = "/rounds/<int:round_id>/package/documents/<document_id>/versions/<int:version>/file"
api_v1.add_url_rule(DOWNLOAD_RULE, "download_document", download, methods=["GET"])
ROUTES.append(RouteSpec(DOWNLOAD_RULE, "GET", "download_document", "Download a document version (attachment)",
                        "package", errors=(404,)))
