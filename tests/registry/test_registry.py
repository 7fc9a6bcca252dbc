"""The public registry: only concluded public rounds with a signed outcome; every filter; no comment ever."""

from __future__ import annotations

import copy

from consult.outcomes.models import ExportJob
from tests.factories import PASSWORD
from tests.factories import PLAN as BASE_PLAN
from tests.outcomes.helpers import PARTIES, outcome_world

REASON = {"reason": "Done."}


def plan(**changes):
    body = copy.deepcopy(BASE_PLAN)
    body.update(changes)
    return body


def conclude(api, world) -> None:
    """Sign-off and conclusion through the API, as the secretariat and the signatories would."""
    round_id = world["round"].id
    secretariat = api(world["secretariat"])
    assert secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 200
    digest = secretariat.post(f"/rounds/{round_id}/outcome/freeze").get_json()["digest"]
    for party in PARTIES:
        assert api(world[party]).post(f"/rounds/{round_id}/outcome/sign",
                                      json={"digest": digest, "password": PASSWORD}).status_code == 201
    assert secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON).get_json()["stage"] == "concluded"


def titles(response) -> set[str]:
    return {item["title"] for item in response.get_json()["items"]}


def test_registry_search_finds_the_right_rounds_for_each_filter_and_nothing_private(api, make, client, db):
    logistics = outcome_world(make, is_public=True, title="Rostering at Hafen Logistik", plan=plan(
        country="DE", sector="Logistics", functions=["scheduling", "monitoring"],
        purpose="Weekly rosters from parcel forecasts."))
    make.comment(logistics["worker"], logistics["round"], "zebracaucus red line", channel="caucus")
    make.comment(logistics["worker"], logistics["round"], "plenaryonly remark")
    conclude(api, logistics)
    retail = outcome_world(make, is_public=True, title="Sélection des candidats chez Marché", plan=plan(
        country="FR", sector="Retail", functions=["recruitment"], purpose="Présélection des candidatures.",
        system_name="HireSense"))
    conclude(api, retail)
    private = outcome_world(make, is_public=False, title="Private rostering deal", plan=plan(country="DE"))
    conclude(api, private)
    unsigned = outcome_world(make, is_public=True, title="Rostering still in drafting", plan=plan(country="DE"))

    public = client  # nobody logged in
    search = lambda **q: public.get("/api/v1/registry", query_string=q)  # noqa: E731
    both = {"Rostering at Hafen Logistik", "Sélection des candidats chez Marché"}
    assert titles(search()) == both
    assert titles(search(q="roster")) == {"Rostering at Hafen Logistik"}  # a prefix of "rosters"/"Rostering"
    assert titles(search(q="selection candidats")) == {"Sélection des candidats chez Marché"}  # accents fold
    assert titles(search(country="FR")) == {"Sélection des candidats chez Marché"}
    assert titles(search(sector="Logistics")) == {"Rostering at Hafen Logistik"}
    assert titles(search(function="monitoring")) == {"Rostering at Hafen Logistik"}
    assert titles(search(function="recruitment", country="DE")) == set()
    assert titles(search(area="privacy")) == both
    assert titles(search(q="audit", country="DE")) == {"Rostering at Hafen Logistik"}  # the commitment's words
    assert search(function="telepathy").status_code == 422
    for word in ("zebracaucus", "plenaryonly", "Private", "drafting"):
        assert titles(search(q=word)) == set(), word

    for path in ("/registry.json", "/registry.csv", "/registry.atom", "/registry", "/registry?q=roster"):
        body = public.get(path).get_data(as_text=True)
        assert "zebracaucus" not in body and "plenaryonly" not in body and "Private rostering" not in body, path
        assert unsigned["round"].title not in body, path
    assert public.get("/registry.json").get_json()["count"] == 2
    assert "Sélection des candidats" in public.get("/registry.csv").get_data(as_text=True)
    feed = public.get("/registry.atom")
    assert feed.mimetype == "application/atom+xml" and feed.get_data(as_text=True).count("<entry>") == 2
    entry = public.get(f"/registry/{logistics['round'].id}").get_data(as_text=True)
    assert "Publish an annual algorithmic audit" in entry and "zebracaucus" not in entry
    assert public.get(f"/registry/{private['round'].id}").status_code == 404
    with db.transaction(write=False) as session:
        kinds = session.query(ExportJob.round_id).all()
    assert {row[0] for row in kinds} == {logistics["round"].id, retail["round"].id}  # a PDF queued for each
