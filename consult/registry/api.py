"""The public registry: search through the API, a page, open data (JSON, CSV) and an Atom feed."""

from __future__ import annotations

from xml.sax.saxutils import escape

from flask import Response, abort, render_template, request, send_file, url_for
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from consult.api.fields import Number
from consult.api.routing import load_input, route
from consult.api.session import db_session
from consult.outcomes.models import ExportJob
from consult.registry import entry as entry_view
from consult.registry import services
from consult.registry.models import RegistryEntry
from consult.rounds.models import Round
from consult.rounds.plan import COMMITMENT_AREAS, AIFunction
from consult.web import pages
from consult.web.csvdata import csv_response


class RegistryQuery(Schema):
    """Registry filters: words (matched as prefixes), country, sector, AI function, commitment area."""

    q = fields.String(load_default=None, validate=validate.Length(max=200))
    country = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Z]{2}$"))
    sector = fields.String(load_default=None, validate=validate.Length(max=80))
    function = fields.String(load_default=None, validate=validate.OneOf([f.value for f in AIFunction]))
    area = fields.String(load_default=None, validate=validate.OneOf(COMMITMENT_AREAS))
    limit = Number(load_default=50, validate=validate.Range(min=1, max=200))
    before = Number(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


class RegistryEntryOut(Schema):
    """A published outcome."""

    round_id = fields.Integer()
    title = fields.String()
    employer = fields.String()
    system_name = fields.String()
    country = fields.String(allow_none=True)
    sector = fields.String(allow_none=True)
    functions = fields.List(fields.String())
    areas = fields.List(fields.String())
    digest = fields.String()
    published_at = fields.DateTime()
    summary = fields.Dict()
    pdf_url = fields.Function(lambda e: f"/registry/{e.round_id}/outcome.pdf")
    verify_url = fields.Function(lambda e: f"/verify/{e.digest}")


class RegistryPage(Schema):
    """A page of entries, newest first; `next_before` continues it."""

    items = fields.List(fields.Nested(RegistryEntryOut))
    next_before = fields.Integer(allow_none=True)


@route("/registry", summary="Search the public registry of signed outcomes", tag="registry",
       query=RegistryQuery, response=RegistryPage, public=True, errors=(422,))
def search_registry(query):
    """Concluded public rounds whose outcome was signed; nothing from any comment thread is in it."""
    entries, next_before = services.search(db_session(), query, limit=query["limit"], before=query["before"])
    return {"items": entries, "next_before": next_before}


def _filters() -> dict:
    return load_input(RegistryQuery(), request.args.to_dict())


@pages.route("/registry")
def registry_page():
    """Public: search the registry."""
    filters = _filters()
    entries, next_before = services.search(db_session(), filters, limit=filters["limit"], before=filters["before"])
    kept = {k: v for k, v in request.args.items() if k != "before"}
    next_url = url_for("pages.registry_page", **kept, before=next_before) if next_before else None
    return render_template("registry.html", entries=entries, filters=filters, next_url=next_url,
                           functions=[f.value for f in AIFunction], areas=COMMITMENT_AREAS)


@pages.route("/registry/<int:round_id>")
def registry_entry_page(round_id: int):
    """Public: one published outcome."""
    session = db_session()
    entry = session.scalar(select(RegistryEntry).where(RegistryEntry.round_id == round_id))
    if entry is None:
        abort(404)
    round = session.get(Round, round_id)
    return render_template("registry_entry.html", entry=entry, zone=round.time_zone,
                           sections=entry_view.sections_of(session, entry, round),
                           commitments=entry_view.commitments_with_progress(session, entry))


@pages.route("/registry/<int:round_id>/outcome.pdf")
def registry_pdf(round_id: int):
    """Public: the signed PDF of a published outcome."""
    session = db_session()
    entry = session.scalar(select(RegistryEntry).where(RegistryEntry.round_id == round_id))
    job = session.scalar(select(ExportJob).where(ExportJob.digest == entry.digest, ExportJob.kind == "pdf",
                                                 ExportJob.status == "ready")) if entry else None
    if job is None:
        abort(404, _("The signed PDF of this outcome is not ready yet."))
    return send_file(job.path, mimetype="application/pdf", download_name=f"consult-outcome-{round_id}.pdf")


def _all(filters: dict) -> list[RegistryEntry]:
    statement = services.search_statement(db_session(), filters).order_by(RegistryEntry.id.desc())
    return list(db_session().scalars(statement.limit(10_000)))


@pages.route("/registry.json")
def registry_json():
    """Open data: every matching entry as JSON."""
    entries = RegistryEntryOut(many=True).dump(_all(_filters()))
    return {"entries": entries, "count": len(entries)}


CSV_COLUMNS = ["round_id", "title", "employer", "system_name", "country", "sector", "functions", "areas",
               "commitments", "signed_at", "digest", "published_at", "verify_url"]


@pages.route("/registry.csv")
def registry_csv():
    """Open data: every matching entry as CSV."""
    rows = ([e.round_id, e.title, e.employer, e.system_name, e.country or "", e.sector or "",
             " ".join(e.functions), " ".join(e.areas), len(e.summary["commitments"]),
             e.summary.get("signed_at") or "", e.digest, e.published_at.isoformat(), f"/verify/{e.digest}"]
            for e in _all(_filters()))
    return csv_response("consult-registry.csv", CSV_COLUMNS, rows)


@pages.route("/registry.atom")
def registry_feed():
    """An Atom feed of the newest published outcomes."""
    entries = list(db_session().scalars(select(RegistryEntry).order_by(RegistryEntry.id.desc()).limit(50)))
    base = request.url_root.rstrip("/")
    updated = entries[0].published_at.isoformat() if entries else "1970-01-01T00:00:00+00:00"
    items = []
    for e in entries:
        link = base + url_for("pages.registry_entry_page", round_id=e.round_id)
        items.append(
            f"<entry><id>{escape(link)}</id><title>{escape(e.title)}</title>"
            f"<updated>{e.published_at.isoformat()}</updated><link href=\"{escape(link)}\"/>"
            f"<author><name>{escape(e.employer)}</name></author>"
            f"<summary>{escape(e.system_name)}: {len(e.summary['commitments'])} commitments; digest "
            f"{e.digest}</summary></entry>")
    feed = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{escape(base)}/registry</id><title>consult: signed outcomes</title><updated>{updated}</updated>"
            f'<link rel="self" href="{escape(base)}/registry.atom"/>{"".join(items)}</feed>')
    return Response(feed, mimetype="application/atom+xml")
