"""A world with every kind of page filled in, and a crawler that follows a person's links through it.

`full_world(make, api)`: a concluded public round (signed outcome in the registry, a commitment with progress,
comments on the drafts) and a second round of the same parties in consultation with plenary and caucus threads.
`crawl(page, start)`: every page reachable by links from `start` as that browser's person, each once (a path
with the same query keys counts once), downloads and forms' targets left out. A page the server answers 503
(busy: a lock or the connection pool, under load) is asked again after its Retry-After, as a browser's person
would; any other server error fails the crawl naming the page, instead of leaving the page out unseen.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import select

from consult.outcomes.models import Commitment
from tests.outcomes.helpers import outcome_world
from tests.registry.test_registry import conclude

#: Links a crawler does not follow: files, machine formats, the API, and anything that is not a page.
SKIPPED = re.compile(r"(\.(pdf|csv|json|atom|xml|svg|png|js|css)$)|(/file$)|(^/api/)|(^/static/)|(/feed)")
#: Long unbroken tokens people paste: they must wrap, not widen the page.
LONG_TOKEN = "https://evidence.example/" + "a1b2c3d4" * 12


def full_world(make, api) -> dict[str, Any]:
    """Two rounds of one employer, union, ministry and secretariat: one concluded and public, one in consultation."""
    world = outcome_world(make, is_public=True, title="Rostering at Northgate Logistics")
    concluded = world["round"]
    question = make.comment(world["worker"], concluded, f"Where is the audit? {LONG_TOKEN}", section="privacy")
    make.comment(world["employer"], concluded, "It will be published each year.", section="privacy",
                 parent_id=question.public_id)
    conclude(api, world)
    with make.db.transaction(write=False) as session:
        world["commitment"] = session.scalar(select(Commitment.id).where(Commitment.round_id == concluded.id))
    assert api(world["employer"]).post(f"/rounds/{concluded.id}/commitments/{world['commitment']}/updates", json={
        "value": "0 audits", "note": "Auditor chosen.", "evidence": [LONG_TOKEN]}).status_code == 201
    assert api(world["employer"]).post(f"/rounds/{concluded.id}/commitments/{world['commitment']}/updates", json={
        "value": "1 audit", "note": "Published."}).status_code == 201
    invited = tuple(world[k].organisation for k in ("worker", "government", "secretariat"))
    live = make.round(world["employer"], invite=invited, title="Task allocation at Northgate Logistics")
    asked = make.comment(world["worker"], live, "Why keep **scanner events** for 90 days?", section="privacy")
    make.comment(world["employer"], live, "Payroll disputes need them.", section="privacy", parent_id=asked.public_id)
    make.comment(world["government"], live, "Which lawful basis applies?", section="privacy")
    make.comment(world["worker"], live, "Caucus: hold firm on 30 days.", section="privacy", channel="caucus")
    make.comment(world["employer"], live, "The training budget is set for 2027.", section="skills_training")
    world["live"] = live
    return world


def _key(path: str) -> str:
    parts = urlsplit(path)
    return parts.path + "?" + "&".join(sorted(k for k, _ in parse_qsl(parts.query)))


#: How many times a busy (503) page is asked for before the crawl fails naming it.
BUSY_ATTEMPTS = 10


def visit(page, path: str, wait_until: str = "load"):
    """`page.goto(path)`, again after the Retry-After while the server answers 503 (busy); a 5xx fails the crawl."""
    for _ in range(BUSY_ATTEMPTS):
        answer = page.goto(path, wait_until=wait_until)
        if answer is None or answer.status != 503:
            break
        time.sleep(float(answer.headers.get("retry-after") or 1))
    if answer is not None and answer.status >= 500:
        raise AssertionError(f"{path} answered {answer.status} (after {BUSY_ATTEMPTS} attempts if busy)")
    return answer


def crawl(page, start: str = "/", limit: int = 60, key: Callable[[str], str] = _key,
          seen: set[str] | None = None, wait_until: str = "load") -> Iterator[str]:
    """Visit `start`, then every same-site page linked from what was visited; yield each path once loaded.

    `key(path)` says which paths count as one page (by default: the path and its query's keys); `seen`, the keys
    of pages an earlier crawl visited (filled in as this one goes), to crawl on from another start; `wait_until`,
    Playwright's event a visit waits for.
    """
    origin = urlsplit(page.url).netloc if page.url.startswith("http") else None
    seen = set() if seen is None else seen
    if key(start) in seen:
        return
    queue, first = [start], len(seen)
    seen.add(key(start))
    while queue and len(seen) - first <= limit:
        path = queue.pop(0)
        answer = visit(page, path, wait_until)
        if answer is None or answer.status >= 400 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        origin = origin or urlsplit(page.url).netloc
        # The links are read before the page is handed over: the caller may leave it (submit a form, say).
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            parts = urlsplit(href)
            if parts.netloc != origin:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if SKIPPED.search(parts.path) or key(target) in seen:
                continue
            seen.add(key(target))
            queue.append(target)
        yield path
