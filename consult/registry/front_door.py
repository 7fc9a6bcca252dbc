"""The public front door: what `/` shows someone who is not logged in."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from consult.api.session import db_session
from consult.registry.models import RegistryEntry

#: How many of the newest published outcomes the front door lists.
LATEST = 5


def front_door():
    """What consult is, the newest published outcomes, and the ways in: registry, verification, log-in."""
    session = db_session()
    latest = session.scalars(select(RegistryEntry).order_by(RegistryEntry.id.desc()).limit(LATEST)).all()
    total = session.scalar(select(func.count(RegistryEntry.id)))
    return render_template("front_door.html", latest=latest, total=total)
