"""The adversary of a pseudonymous worker: everything an employer, a government, an observer, the secretariat
and an anonymous visitor can obtain, gathered from every route, socket, export and PDF, never joins a pseudonym
to a worker's name, organisation or role, and no named act is shown under a pseudonym (consult/policy/).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
from html.parser import HTMLParser
from typing import Any

import pypdf
import pytest

from consult.live.client import LiveClient
from consult.outcomes.models import ExportJob, Outcome, StanceKind
from consult.outcomes.services import add_commitment, draft_position, record_stance
from consult.rounds.plan import SECTIONS
from tests.factories import ApiClient, log_in
from tests.outcomes.test_exports import wait_ready
from tests.registry.test_registry import conclude
from tests.routes import fill

NAMED_ACTS = {"signatory.named", "outcome.signature_added"}
#: Block elements whose own text is one record of a page: a comment's byline, a row, a list item.
RECORD_TAGS = {"p", "li", "tr", "dd", "dt", "article", "section", "div", "option", "h1", "h2", "h3", "h4",
               "summary", "caption", "figcaption", "label", "entry", "script", "title", "main", "body", "form"}


class Records(HTMLParser):
    """The own text of each block element of a page (text inside a nested block belongs to that block)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[list[str]] = [[]]
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in RECORD_TAGS:
            self.stack.append([])
        for name, value in attrs:  # a title or a data attribute is read as much as text is
            if value and name in ("title", "aria-label", "alt", "content") or name.startswith("data-"):
                self.stack[-1].append(f" {value} ")

    def handle_endtag(self, tag):
        if tag in RECORD_TAGS and len(self.stack) > 1:
            self.found.append(" ".join(self.stack.pop()))

    def handle_data(self, data):
        self.stack[-1].append(data)

    def records(self) -> list[str]:
        """Every record, the page's loose text last."""
        return [*self.found, *(" ".join(part) for part in self.stack)]


def json_records(value: Any) -> list[tuple[str, Any]]:
    """Each object with its scalars and nested objects; an array of objects holds separate records."""
    found: list[tuple[str, Any]] = []

    def own_text(node: Any) -> str:
        if isinstance(node, dict):
            return " ".join(f"{key} {own_text(item)}" for key, item in node.items())
        if isinstance(node, list):
            return " ".join(own_text(item) for item in node if not isinstance(item, dict))
        return "" if node is None else str(node)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.append((own_text(node), node))
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(value)
    return found


def pdf_lines(data: bytes) -> list[str]:
    """The text lines of a PDF."""
    return [line for page in pypdf.PdfReader(io.BytesIO(data)).pages for line in page.extract_text().splitlines()]


class Adversary:
    """What one viewer gathered: (where, record text, parsed JSON object or None)."""

    def __init__(self, who: str) -> None:
        self.who = who
        self.records: list[tuple[str, str, Any]] = []
        self.size = 0

    def take(self, where: str, response) -> None:
        """Split a response into records by what it is (the same bytes are split once per test run)."""
        data = response.data if hasattr(response, "data") else response
        self.size += len(data)
        kind = getattr(response, "mimetype", "") or ""
        key = (kind, hashlib.sha256(data).digest())
        if key not in SPLIT:
            SPLIT[key] = split(kind, data)
        self.records += [(where, text, node) for text, node in SPLIT[key]]

    def take_frame(self, where: str, frame: Any) -> None:
        """A socket frame, as received."""
        self.size += len(json.dumps(frame))
        self.records += [(where, text, node) for text, node in json_records(frame)]


#: Records of bytes already split, by (content type, SHA-256): PDFs and the OpenAPI document come often.
SPLIT: dict[tuple[str, bytes], list[tuple[str, Any]]] = {}


def split(kind: str, data: bytes) -> list[tuple[str, Any]]:
    """The records of a response body, by what it is."""
    if kind == "application/pdf" or data[:5] == b"%PDF-":
        return [(line, None) for line in pdf_lines(data)]
    if kind == "application/json":
        return json_records(json.loads(data))
    if kind == "text/csv":
        return [(" ".join(row), None) for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
    parser = Records()
    parser.feed(data.decode("utf-8", "replace"))
    return [(text, None) for text in parser.records()]


def open_round(make, policy: str) -> dict[str, Any]:
    """Two unions of three people each, an employer, a government, a secretariat and an observer in a round."""
    employer = make.user("employers", name="Erin Employer", role_title="HR director")
    government = make.user("government", name="Gil Government", role_title="Labour inspector")
    secretariat = make.user("secretariat", name="Sasha Secretariat")
    observer = make.user("observers", name="Olga Observer")
    alpha, beta = make.organisation("workers", "Union Alphaville"), make.organisation("workers", "Beta Syndicate")
    workers = [make.user(alpha, name="Aline Signwell", role_title="Steward at Depot North"),
               make.user(alpha, name="Arno Quillon", role_title="Safety rep for night shifts"),
               make.user(alpha, name="Ada Vermeer", role_title="Branch treasurer"),
               make.user(beta, name="Bram Okonkwo", role_title="Works council chair"),
               make.user(beta, name="Bea Lindqvist", role_title="Delegate for drivers"),
               make.user(beta, name="Bo Trenholm", role_title="Youth officer")]
    signer = workers[0]
    round = make.round(employer, invite=(alpha, beta, government.organisation, secretariat.organisation,
                                         observer.organisation), identity_policy=policy, is_public=True,
                       title="Rostering with ShiftPilot")
    return {"round": round, "employer": employer, "worker": signer, "government": government,
            "secretariat": secretariat, "observer": observer, "workers": workers}


def play_round(make, api, world: dict[str, Any]) -> None:
    """Several commenters per union, a workers' signatory who comments, replies, edits, reactions, caucuses,
    and an outcome signed, concluded, published and exported (with its annex)."""
    round, employer, government = world["round"], world["employer"], world["government"]
    secretariat, workers, signer = world["secretariat"], world["workers"], world["worker"]
    comments = [make.comment(person, round, f"Plenary remark {index} on rosters.")
                for index, person in enumerate(workers[:5])]
    answer = make.comment(employer, round, "The employer answers the steward.", parent_id=comments[0].public_id)
    make.comment(workers[1], round, "A worker replies to the employer.", parent_id=answer.public_id)
    make.comment(government, round, "The inspectorate asks about night shifts.", section="safety_health_dignity")
    make.comment(signer, round, "The steward on privacy.", section="privacy")
    for person, comment in ((signer, comments[0]), (workers[3], comments[3])):
        assert api(person).put(f"/rounds/{round.id}/comments/{comment.public_id}",
                               json={"body": comment.body + " (edited)"}).status_code == 200
    for person, kind in ((employer, "disagree"), (workers[1], "agree"), (government, "question")):
        assert api(person).put(f"/rounds/{round.id}/comments/{comments[0].public_id}/reaction",
                               json={"kind": kind}).status_code == 200
    # The workers' signatory, who has written under the pseudonym, is named by the workers themselves.
    named = api(signer).put(f"/rounds/{round.id}/signatories/workers", json={"user_id": signer.id})
    if named.status_code == 403:  # where only a designated officer or the secretariat may name
        make.signatory(secretariat, round, "workers", signer)
    for person in (employer, government):
        make.signatory(secretariat, round, person.constituency.value, person)
    make.move_to(employer, round, "caucus")
    make.comment(workers[2], round, "Caucus: our red line on monitoring.", channel="caucus")
    make.comment(signer, round, "Caucus: the steward agrees.", channel="caucus")
    make.move_to(employer, round, "drafting")
    with make.db.transaction() as session:
        from consult.accounts.models import User

        chair = session.get(User, secretariat.id)
        for key, title in SECTIONS:
            draft_position(session, chair, round.id, key, f"The parties agree on {title}.", 0)
        from datetime import date

        add_commitment(session, chair, round.id, {
            "description": "Publish an annual algorithmic audit", "kpi": "Audits published", "target": "1 per year",
            "owner_organisation_id": employer.organisation_id, "due_on": date(2027, 12, 31)})
    for person in (signer, employer, government):
        with make.db.transaction() as session:
            from consult.accounts.models import User

            for key, _title in SECTIONS:
                record_stance(session, session.get(User, person.id), round.id, key, StanceKind.AGREE,
                              f"The {person.constituency.value} accept this.")
    conclude(api, world)
    annex = api(government).post(f"/rounds/{round.id}/exports", json={"kind": "pdf_annex"}).get_json()
    assert wait_ready(api(government), round.id, annex["id"])["status"] == "ready"
    deadline = time.monotonic() + 90
    while make.app.test_client().get(f"/registry/{round.id}/outcome.pdf").status_code != 200:
        assert time.monotonic() < deadline, "the registry's PDF was never made"
        time.sleep(0.2)


def gather(app, make, world, who: str, person) -> Adversary:
    """Every GET route of the application, every comment, section, export and digest, as this person."""
    round = world["round"]
    with make.db.transaction(write=False) as session:
        jobs = [job.id for job in session.query(ExportJob).filter_by(round_id=round.id)]
        digest = session.query(Outcome.digest).filter_by(round_id=round.id).order_by(Outcome.version.desc()).first()[0]
        from consult.comments.models import Comment

        # Every comment is in the lists and threads; one by one, those most likely to betray someone: the
        # signatory's, the edited ones, the replies.
        comment_ids = [c.id for c in session.query(Comment).filter_by(round_id=round.id)
                       if c.author_id == world["worker"].id or c.edited_at or c.parent_id]
    adversary = Adversary(who)
    pages = app.test_client()
    apis = ApiClient(app.test_client(), make.token(person)) if person else None
    if person:
        log_in(pages, person)
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/static") or rule.rule in ("/logout",):
            continue
        for comment_id in comment_ids if "<int:comment_id>" in rule.rule else [0]:
            for section in ("system", "privacy") if "<section>" in rule.rule else ["system"]:
                for job_id in jobs if "<int:job_id>" in rule.rule else [0]:
                    paths.add(fill(rule.rule, {"round_id": round.id, "comment_id": comment_id, "section": section,
                                               "job_id": job_id, "digest": digest}))
    paths |= {f"/api/v1/rounds/{round.id}/events?limit=500", f"/api/v1/rounds/{round.id}/comments?limit=200",
              *(f"/api/v1/rounds/{round.id}/records?what={what}" for what in ("comments", "stances", "positions")),
              *(f"/rounds/{round.id}/records.csv?what={what}" for what in ("comments", "stances", "positions")),
              f"/rounds/{round.id}?section=system&channel=caucus",
              # The round page's search: every comment of the workers' side, then each filter on its own.
              *(f"/rounds/{round.id}?{query}" for query in ("constituency=workers", "unanswered=1", "mine=1",
                                                               "q=e", "topic=privacy&constituency=workers"))}
    for path in sorted(paths):
        client = apis if (apis and path.startswith("/api/v1")) else pages
        response = client.get(path[len("/api/v1"):] if client is apis else path)
        if response.status_code == 200:
            adversary.take(path, response)
    pdf = pages.get(f"/registry/{round.id}/outcome.pdf").data
    form = pages.get("/verify").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = pages.post("/verify", data={"pdf": (io.BytesIO(pdf), "outcome.pdf"), "csrf_token": csrf},
                        content_type="multipart/form-data")
    assert answer.status_code == 200
    adversary.take("POST /verify", answer)
    return adversary


def follow_live(url: str, make, person, round_id: int) -> LiveClient:
    """A real Socket.IO client of this person, following the round from its first event."""
    client = LiveClient(url, make.token(person))
    client.frames = []
    client.on("*", lambda event, data: client.frames.append(data))
    client.connect()
    client.frames.append(client.follow(round_id, client.frames.append, 0))
    return client


def pseudonym_pattern(policy: str) -> re.Pattern:
    """How a masked worker representative is labelled under the policy."""
    return re.compile(r"Worker representative \d*" if policy == "pseudonymous" else r"A representative of \w+")


@pytest.mark.parametrize("policy", ["pseudonymous", "organisation"])
def test_nothing_a_non_worker_can_obtain_links_a_pseudonym_to_a_worker(app, make, api, live_server, policy):
    world = open_round(make, policy)
    round = world["round"]
    viewers = {"employer": world["employer"], "government": world["government"], "observer": world["observer"],
               "secretariat": world["secretariat"], "anonymous visitor": None}
    # The sockets follow from the start, so they receive every live push as it happens.
    sockets = {who: follow_live(live_server, make, person, round.id) for who, person in viewers.items() if person}
    play_round(make, api, world)
    with make.db.transaction(write=False) as session:
        from consult.rounds.models import Round

        heads = session.get(Round, round.id).audience_heads
    deadline = time.monotonic() + 30
    while not all(client.rounds[round.id].holds(heads) for client in sockets.values()):
        assert time.monotonic() < deadline, "a socket fell behind"
        time.sleep(0.05)
    # And a reconnecting client asks for everything again: the catch-up frames are gathered too.
    for who, person in list(viewers.items()):
        if person:
            sockets[f"{who} (catch-up)"] = follow_live(live_server, make, person, round.id)
    adversaries = [gather(app, make, world, who, person) for who, person in viewers.items()]
    for adversary in adversaries:
        for who, client in sockets.items():
            if who.startswith(adversary.who):
                for frame in client.frames:
                    adversary.take_frame("socket", frame)
    for client in sockets.values():
        client.close()

    pseudonym = pseudonym_pattern(policy)
    workers = world["workers"]
    identities = [w.display_name for w in workers] + [w.role_title for w in workers]
    if policy == "pseudonymous":
        identities += ["Union Alphaville", "Beta Syndicate"]
    problems = []
    for adversary in adversaries:
        assert adversary.size > 100_000 and len(adversary.records) > 500 or adversary.who == "anonymous visitor"
        for where, text, node in adversary.records:
            if pseudonym.search(text):
                joined = [identity for identity in identities if identity in text]
                if joined:
                    problems.append(f"{adversary.who} · {where}: {pseudonym.search(text).group()} with {joined}")
            if isinstance(node, dict) and str(node.get("type")) in NAMED_ACTS and isinstance(node.get("actor"), dict):
                if pseudonym.search(node["actor"].get("name") or ""):
                    problems.append(f"{adversary.who} · {where}: {node['type']} under {node['actor']['name']}")
            if isinstance(node, dict) and node.get("constituency") == "workers" and "people" in node:
                if node["people"]:
                    problems.append(f"{adversary.who} · {where}: people of a worker organisation {node['people']}")
                if policy == "pseudonymous" and node.get("commenters") is not None:
                    problems.append(f"{adversary.who} · {where}: commenters counted per union")
    assert not problems, "\n".join(sorted(set(problems))[:40])

    # The gathering saw what matters: the pseudonyms, the signatory's name, the published record.
    everything = " ".join(text for adversary in adversaries for _, text, _ in adversary.records)
    assert pseudonym.search(everything) and "Aline Signwell" in everything
    public = next(a for a in adversaries if a.who == "anonymous visitor")
    assert any("Publish an annual algorithmic audit" in text for _, text, _ in public.records)
    printed = re.sub(r"\s+", "", " ".join(text for where, text, _ in public.records if where.endswith(".pdf")))
    assert ("Neithernamednorcounted" if policy == "pseudonymous" else "whocommented,notnamed") in printed
    socket_types = {node.get("type") for a in adversaries for where, _, node in a.records
                    if where == "socket" and isinstance(node, dict)}
    assert {"signatory.named", "outcome.signature_added", "comment.posted"} <= socket_types
