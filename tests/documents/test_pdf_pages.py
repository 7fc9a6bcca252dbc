"""Nothing written in a round is lost on the signed PDF's pages: every word is printed, none past the page.

Every field of the plan, positions, stances, commitments, signatures and participants is filled to its maximum
length (fields that repeat per section: two at the maximum, the others shorter) with long unbroken words,
addresses and identifiers with underscores, then exported through the app (API, export job, render in its
child process, PAdES signature, download) and read back with poppler's pdftotext -bbox-layout.
"""

from __future__ import annotations

import copy
import io
import itertools
from datetime import date

import pypdf
import pytest

from consult.accounts.models import User
from consult.documents.render import write_pdf
from consult.outcomes.models import StanceKind
from consult.outcomes.schemas import STATEMENT_MAX
from consult.outcomes.services import add_commitment, draft_position, record_stance
from consult.rounds.plan import SECTIONS
from tests.documents.pdftext import MM, Index, missing_words, outside, pieces, words
from tests.documents.test_pdf import DOCUMENT
from tests.factories import PASSWORD, PLAN, log_in
from tests.outcomes.test_exports import save_pages, wait_ready
from tests.registry.test_registry import REASON

PARTIES = ("employer", "worker", "government")
WORDS = ("consultation", "representatives", "notwithstanding", "occupational", "co-determination", "rostering",
         "the", "of", "workers", "algorithmic", "transparency", "agreement", "(see", "annex)", "safeguards;")
_serial = itertools.count(1)


def token(kind: str) -> str:
    """One long word that no line is wide enough for, of the kinds people paste into forms."""
    n = next(_serial)
    if kind == "url":
        return (f"https://records.labour-ministry.example.org/consultations/{n}/annexes/"
                f"algorithmic_management_assessment_v{n}.pdf?section=privacy&revision={n:06d}")
    if kind == "identifier":  # 90 characters, underscores only
        return f"KPI_{n:04d}_" + "_".join(["monthly_roster_override_rate_by_site"] * 3)[:81]
    return f"Arbeitszeiterfassungsverordnungsentwurfsbegründung{n}" + "Übergangsbestimmungen" * 3


def text(length: int) -> str:
    """Prose of exactly `length` characters, a long token, an address or an identifier every few words."""
    parts: list[str] = []
    kinds = itertools.cycle(("word", "url", "identifier"))
    for index in itertools.count():
        parts.append(token(next(kinds)) if index % 9 == 4 else WORDS[(index * 7) % len(WORDS)])
        if sum(len(p) + 1 for p in parts) >= length:
            break
    return " ".join(parts)[:length].rstrip()


def big_plan() -> dict:
    """Every field of the plan at its maximum length."""
    plan = {**PLAN, "system_name": text(200), "provider": text(200), "purpose": text(5000),
            "worker_groups": text(2000), "sites": text(2000), "data_collected": text(5000),
            "data_retention": text(2000), "data_access": text(2000), "human_oversight": text(5000),
            "contest_route": text(5000), "sector": text(80), "workers_affected": 10_000_000}
    areas = list(PLAN["impact_statements"])
    plan["impact_statements"] = {area: text(10_000 if i < 2 else 700) for i, area in enumerate(areas)}
    return plan


def filled_round(make, api) -> tuple[dict, list[str]]:
    """A concluded round with every field full, and the texts that must all be on the PDF."""
    organisations = {party: make.organisation(constituency, name=text(200)) for party, constituency in
                     (("employer", "employers"), ("worker", "workers"), ("government", "government"),
                      ("secretariat", "secretariat"))}
    people = {party: make.user(organisation, name=text(120), role_title=text(120))
              for party, organisation in organisations.items()}
    plan = big_plan()
    round = make.round(people["employer"], invite=tuple(organisations[p] for p in ("worker", "government",
                                                                                   "secretariat")),
                       title=text(200), plan=plan)
    for party in PARTIES:
        make.signatory(people["secretariat"], round, people[party].constituency.value, people[party])
    for party in PARTIES:  # people who spoke are listed among the participants
        make.comment(people[party], round, text(1500))
    make.move_to(people["employer"], round, "drafting")
    expected = [round.title, *(v for k, v in plan.items() if isinstance(v, str) and len(v) > 30),
                *plan["impact_statements"].values()]
    db = make.db
    with db.transaction() as session:
        secretariat = session.get(User, people["secretariat"].id)
        for index, (key, _title) in enumerate(SECTIONS):
            position = text(50_000 if index == 0 else 4000 if index == 1 else 600)
            draft_position(session, secretariat, round.id, key, position, 0)
            expected.append(position)
        for index in range(3):
            commitment = {"description": text(2000 if index == 0 else 300), "kpi": text(300),
                          "target": text(300), "owner_organisation_id": organisations["employer"].id,
                          "due_on": date(2027, 12, 31)}
            commitment["kpi"] = token("identifier") + " " + text(209)  # 90 + 1 + 209 = the 300 allowed
            add_commitment(session, secretariat, round.id, commitment)
            expected += [commitment["description"], commitment["kpi"], commitment["target"]]
    for party in PARTIES:
        with db.transaction() as session:
            person = session.get(User, people[party].id)
            for index, (key, _title) in enumerate(SECTIONS):
                statement = text(STATEMENT_MAX if index < 2 else 500)
                record_stance(session, person, round.id, key, StanceKind.AGREE_WITH_RESERVATION, statement)
                expected.append(statement)
    secretariat = api(people["secretariat"])
    assert secretariat.post(f"/rounds/{round.id}/timeline/advance", json=REASON).status_code == 200
    digest = secretariat.post(f"/rounds/{round.id}/outcome/freeze").get_json()["digest"]
    reservation = text(STATEMENT_MAX)
    for party in PARTIES:
        body = {"digest": digest, "password": PASSWORD, "reservation": reservation if party == "worker" else None}
        assert api(people[party]).post(f"/rounds/{round.id}/outcome/sign", json=body).status_code == 201
    assert secretariat.post(f"/rounds/{round.id}/timeline/advance", json=REASON).get_json()["stage"] == "concluded"
    expected += [reservation, *(o.name for o in organisations.values() if o is not organisations["secretariat"])]
    expected += [p.display_name for p in people.values() if p is not people["secretariat"]]
    expected += [p.role_title for party, p in people.items() if party in PARTIES]
    return {"round": round, "people": people}, expected


@pytest.mark.one_database("sqlite", "the printed page does not depend on the database")
@pytest.mark.timeout(900)
def test_every_word_of_every_field_is_printed_inside_the_page(app, api, make, client):
    world, expected = filled_round(make, api)
    round_id, worker = world["round"].id, world["people"]["worker"]
    job = api(worker).post(f"/rounds/{round_id}/exports", json={"kind": "pdf"}).get_json()
    job = wait_ready(api(worker), round_id, job["id"], seconds=600)
    assert job["status"] == "ready", job
    log_in(client, worker)
    pdf = client.get(job["download_url"]).data
    save_pages(pdf, "long-fields")
    found = words(pdf)
    index = Index(pieces(found))
    lost = {field[:60]: missing[:5] for field in expected if (missing := missing_words(field, index))}
    assert not lost, f"{len(lost)} fields lost words on the page: {lost}"
    # Nothing is drawn past the margins at the sides (the running headers stand in the top and bottom margins,
    # so there the limit is a printer's unprintable edge, 8 mm).
    past = outside(found, left_mm=18, right_mm=18)
    assert not past, [(w.page, w.text[:40], round(w.x_min / MM), round(w.x_max / MM)) for w in past[:10]]
    # The running headers do not run into each other: no two words of the top margin overlap.
    for page in {w.page for w in found}:
        header = [w for w in found if w.page == page and w.y_max < 22 * MM]
        for first, second in itertools.combinations(header, 2):
            overlap = (min(first.x_max, second.x_max) - max(first.x_min, second.x_min) > 0.5
                       and min(first.y_max, second.y_max) - max(first.y_min, second.y_min) > 0.5)
            assert not overlap, (page, first.text, second.text)


def test_the_annex_prints_each_reply_under_what_it_replies_to():
    def comment(number: int, parent: int | None, body: str) -> dict:
        return {"id": number, "parent_id": parent, "section": "Privacy", "author": f"Person {number}",
                "posted_at": f"2027-02-0{number}T10:00:00+00:00", "body_html": f"<p>{body}</p>"}

    document = copy.deepcopy(DOCUMENT)
    document["annex"] = [comment(1, None, "Firstquestion about retention."), comment(2, None, "Secondtopic raised."),
                         comment(3, 1, "Replytothefirst from the employer."), comment(4, 3, "Replytothereply."),
                         comment(5, 99, "Replytoahiddencomment.")]
    reader = pypdf.PdfReader(io.BytesIO(write_pdf(document)))
    annex = reader.pages[-1].extract_text()
    order = [annex.index(word) for word in ("Firstquestion", "Replytothefirst", "Replytothereply", "Secondtopic",
                                            "Replytoahiddencomment")]
    assert order == sorted(order), annex
    assert annex.count("reply") >= 2  # the replies say they are replies
