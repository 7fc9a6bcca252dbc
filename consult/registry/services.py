"""Publishing a concluded public round's signed outcome to the registry, and searching the registry.

Only the signed outcome goes in: the plan, the positions, the stances and statements, the commitments and
the signatures, with people shown as the identity policy shows them to the public. No comment, plenary or
caucus, ever reaches the registry.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from consult.db import utcnow
from consult.outcomes.models import Outcome, OutcomeStatus
from consult.outcomes.snapshot import public_document
from consult.registry.models import RegistryEntry
from consult.rounds.models import Round

_WORD = re.compile(r"\w+", re.UNICODE)


def publish(session: Session, round: Round) -> RegistryEntry | None:
    """Add a concluded public round's signed outcome to the registry (once); None if it may not go there."""
    if not round.is_public:
        return None
    outcome = session.scalar(select(Outcome).where(Outcome.round_id == round.id,
                                                   Outcome.status == OutcomeStatus.SIGNED)
                             .order_by(Outcome.version.desc()).limit(1))
    if outcome is None:
        return None
    existing = session.scalar(select(RegistryEntry).where(RegistryEntry.round_id == round.id))
    if existing is not None:
        return existing
    document = public_document(round, json.loads(outcome.canonical))
    signatures = [{"constituency": sig.constituency.value, "name": sig.user.display_name,
                   "organisation": sig.user.organisation.name, "signed_at": sig.signed_at.isoformat()}
                  for sig in outcome.signatures]
    entry = entry_for(round.id, document, digest=outcome.digest, version=outcome.version,
                      signed_at=outcome.signed_at.isoformat() if outcome.signed_at else None, signatures=signatures)
    session.add(entry)
    session.flush()
    return entry


def entry_for(round_id: int, document: dict[str, Any], *, digest: str, version: int, signed_at: str | None,
              signatures: list[dict[str, Any]]) -> RegistryEntry:
    """The registry entry of a signed outcome document: its public summary and its searchable text."""
    plan = document["plan"]
    areas = [s["key"] for s in document["sections"] if s["key"] != "system" and s["position"]]
    searchable = [document["round"]["title"], document["round"]["employer"], plan["system_name"], plan["provider"],
                  plan["purpose"], plan["sector"] or "", plan["worker_groups"], plan["sites"]]
    for section in document["sections"]:
        searchable.append(section["title"])
        if section["position"]:
            searchable.append(section["position"]["text"])
        searchable.extend(stance["statement"] for stance in section["stances"])
    searchable.extend(f"{c['description']} {c['kpi']} {c['target']} {c['owner']}" for c in document["commitments"])
    return RegistryEntry(
        round_id=round_id, title=document["round"]["title"], employer=document["round"]["employer"],
        system_name=plan["system_name"], country=plan["country"], sector=plan["sector"],
        functions=list(plan["functions"]), areas=areas,
        function_keys="|" + "|".join(plan["functions"]) + "|", area_keys="|" + "|".join(areas) + "|",
        summary={"digest": digest, "version": version, "signed_at": signed_at,
                 "plan": plan, "commitments": document["commitments"],
                 "stances": [{"section": s["title"], "stances": s["stances"]} for s in document["sections"]],
                 "signatures": signatures, "participants": document["participants"]},
        text="\n".join(part for part in searchable if part), digest=digest, published_at=utcnow())


def _terms(query: str) -> list[str]:
    """Words of a search, lower-case without accents (the indexes fold them the same way)."""
    folded = unicodedata.normalize("NFKD", query.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD.findall(folded)[:12]


def search_statement(session: Session, filters: dict[str, Any]) -> Select:
    """The registry entries matching the filters: words (prefixes), country, sector, AI function, area."""
    statement = select(RegistryEntry)
    terms = _terms(filters.get("q") or "")
    if terms:
        if session.get_bind().dialect.name == "postgresql":
            statement = statement.where(text("search_vector @@ to_tsquery('simple', :tsquery)")).params(
                tsquery=" & ".join(f"{term}:*" for term in terms))
        else:
            fts = text("SELECT rowid FROM registry_fts WHERE registry_fts MATCH :match").bindparams(
                match=" ".join(f'"{term}"*' for term in terms))
            statement = statement.where(RegistryEntry.id.in_(fts))
    if filters.get("country"):
        statement = statement.where(RegistryEntry.country == filters["country"])
    if filters.get("sector"):
        statement = statement.where(RegistryEntry.sector == filters["sector"])
    if filters.get("function"):
        statement = statement.where(RegistryEntry.function_keys.contains(f"|{filters['function']}|"))
    if filters.get("area"):
        statement = statement.where(RegistryEntry.area_keys.contains(f"|{filters['area']}|"))
    return statement


def search(session: Session, filters: dict[str, Any], *, limit: int = 50, before: int | None = None
           ) -> tuple[list[RegistryEntry], int | None]:
    """One page of matches, newest first, and the id to continue from (None on the last page)."""
    statement = search_statement(session, filters)
    if before:
        statement = statement.where(RegistryEntry.id < before)
    rows = session.scalars(statement.order_by(RegistryEntry.id.desc()).limit(limit + 1)).all()
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def publish_on_conclusion(session: Session, round: Round, actor_id: int | None) -> None:
    """A public round that concludes with a signed outcome is published, and its signed PDF made."""
    from consult.outcomes.exports import queue_export
    from consult.timeline.rules import workflow_of

    if not workflow_of(session, round).stage(round.stage).is_terminal:
        return
    entry = publish(session, round)
    if entry is not None:
        outcome = session.scalar(select(Outcome).where(Outcome.digest == entry.digest))
        queue_export(session, round, outcome, "pdf", actor_id or outcome.frozen_by_id)
