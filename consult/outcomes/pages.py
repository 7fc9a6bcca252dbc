"""Pages: the download of a ready export, and the public verification page (upload a PDF, or look up a digest)."""

from __future__ import annotations

from flask import abort, render_template, request, send_file
from flask_babel import gettext as _

from consult.accounts.auth import open_to_anyone, require_user, session_or_token
from consult.api.session import db_session
from consult.outcomes.models import ExportJob
from consult.outcomes.snapshot import verification_record
from consult.rounds.services import get_visible_round
from consult.web import pages

MAX_PDF = 50 * 1024 * 1024


@pages.route("/rounds/<int:round_id>/exports/<int:job_id>/file")
@session_or_token
def download_export(round_id: int, job_id: int):
    """The signed PDF of a ready export, for a participant of the round."""
    session = db_session()
    round = get_visible_round(session, require_user(), round_id).round
    job = session.get(ExportJob, job_id)
    if job is None or job.round_id != round.id or job.status != "ready":
        abort(404)
    name = f"consult-outcome-{round.id}-v{job.digest[:12]}.pdf"
    return send_file(job.path, mimetype="application/pdf", as_attachment=True, download_name=name)


@pages.route("/verify", methods=["GET", "POST"])
@open_to_anyone
def verify_page():
    """Public: upload a PDF; the verdict on the file first, then its signature, its data and the record."""
    found = error = None
    if request.method == "POST":
        upload = request.files.get("pdf")
        data = upload.read(MAX_PDF + 1) if upload else b""
        if not data:
            error = _("Choose a PDF file to check.")
        elif len(data) > MAX_PDF:
            error = _("That file is larger than any outcome document (50 MB).")
        elif b"%PDF-" not in data[:1024]:  # where a PDF reader looks for the header
            error = _("That file is not a PDF: choose the outcome document's PDF file.")
        else:
            # Late: the signature libraries (cryptography, pyHanko) load when a file is checked, not at start.
            from consult.outcomes.verify import examine

            found = examine(db_session(), data)
    return render_template("verify.html", found=found, record=None, error=error), 422 if error else 200


@pages.route("/verify/<digest>")
def verify_digest_page(digest: str):
    """Public: what the record holds about a digest (the address printed on every signed PDF); checks no file."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        abort(404)
    return render_template("verify.html", found=None, record=verification_record(db_session(), digest), error=None)
