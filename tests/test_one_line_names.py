"""Names and titles that reach a mail header or name someone are one line, checked once at the input schema
(consult/api/fields.py `Line`): no Unicode Cc (C0 and C1 controls), Zl, Zp (U+2028, U+2029), no bidi
embedding, override or isolate (UAX #9: U+202A-202E, U+2066-2069). ZWJ and ZWNJ, which scripts need, and
the implicit marks LRM and RLM stay allowed. Addresses are ASCII (the README's decision). Each refusal is a
422 naming the field, and nothing is written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.accounts.models import Organisation, User
from consult.rounds.models import Round
from tests.factories import log_in, round_payload

#: One of each class; the names say why each is refused.
BAD = {"CRLF": "Pick\r\nBcc: x@example.org", "LF": "Pick\nrate", "NUL": "Pick\x00rate", "TAB": "Pick\trate",
       "VT": "Pick\x0brate", "FF": "Pick\x0crate", "FS": "Pick\x1crate", "NEL": "Pick\x85rate",
       "LINE SEPARATOR": "Pick\u2028rate", "PARAGRAPH SEPARATOR": "Pick\u2029rate",
       "RLO": "Alice\u202eecilA", "LRE": "Alice\u202aB", "PDF": "Alice\u202c", "RLI": "Alice\u2067B\u2069",
       "FSI": "Alice\u2068B", "DEL": "Pick\x7frate", "CSI": "Pick\x9brate"}
#: Kept: Persian with a ZWNJ, Devanagari with a ZWJ, Hebrew followed by a number with an RLM, accents.
GOOD = ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0915\u094d\u200d\u0937", "\u05d3\u05d5\u05d3\u200f 2",
        "J\u00f6rg M\u00fcller-\u00c9tienne"]


def _count(db, model) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_round_title_with_a_control_separator_or_override_is_refused_at_creation(make, api, db, case):
    employer = make.user("employers")
    before = _count(db, Round)
    response = api(employer).post("/rounds", round_payload(title=f"Rollout {BAD[case]} 2027"))
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["error"]["fields"]) == ["title"]
    assert _count(db, Round) == before


@pytest.mark.parametrize("field", ["display_name", "role_title"])
@pytest.mark.parametrize("case", ["RLO", "LINE SEPARATOR", "NEL", "RLI"])
def test_names_and_role_titles_are_one_line_without_overrides(make, api, db, field, case, backend):
    if backend != "sqlite" and case != "RLO":
        pytest.skip("by design: the schema does not depend on the database; one case proves it on PostgreSQL")
    secretariat = make.user("secretariat")
    union = make.organisation("workers")
    before = _count(db, User)
    body = {"organisation_id": union.id, "display_name": "Alice", "email": "alice@example.org", field: BAD[case]}
    response = api(secretariat).post("/people", body)
    assert response.status_code == 422 and list(response.get_json()["error"]["fields"]) == [field]
    assert _count(db, User) == before
    own = api(make.user(union))
    profile = own.client.patch("/api/v1/me", json={field: BAD[case]}, headers=own.headers)
    assert profile.status_code == 422 and list(profile.get_json()["error"]["fields"]) == [field]


@pytest.mark.parametrize("name", GOOD)
def test_what_scripts_need_is_kept(make, api, db, name):
    secretariat = make.user("secretariat")
    response = api(secretariat).post("/organisations", {"name": name, "constituency": "workers"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["name"] == name


def test_an_organisation_name_with_a_line_separator_is_refused_on_the_page_too(app, make, db):
    secretariat = make.user("secretariat")
    browser = app.test_client()
    log_in(browser, secretariat)
    page = browser.get("/organisations").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    before = _count(db, Organisation)
    answer = browser.post("/organisations", data={"name": "Union\u2028of Pickers", "constituency": "workers",
                                                  "country": "", "csrf_token": token})
    assert answer.status_code == 422 and "Must be one line" in answer.get_data(as_text=True)
    assert _count(db, Organisation) == before


@pytest.mark.parametrize("address", ["j\u00f6rg@example.org", "anna@b\u00fccher.example",
                                     "\u0430dmin@example.org"])  # the last one's "a" is Cyrillic
def test_an_address_that_is_not_ascii_is_refused_with_a_clear_error(make, api, db, address):
    secretariat = make.user("secretariat")
    union = make.organisation("workers")
    before = _count(db, User)
    response = api(secretariat).post("/people", {"organisation_id": union.id, "display_name": "J\u00f6rg",
                                                 "email": address})
    assert response.status_code == 422, response.get_json()
    assert "ASCII" in response.get_json()["error"]["fields"]["email"][0]
    assert _count(db, User) == before
