"""The positions page's stances form: every section of the plan recorded in one submit, all or nothing."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.models import User
from consult.events.models import Event
from consult.outcomes.models import Stance
from consult.outcomes.services import draft_position
from consult.rounds.plan import SECTIONS
from tests.factories import tripartite
from tests.i18n.helpers import speak
from tests.outcomes.helpers import PARTIES, outcome_world
from tests.pages.forms import browser, followed, send
from tests.test_bad_input import snapshot

KEYS = [key for key, _title in SECTIONS]


def every_section(**overrides: dict) -> dict[str, str]:
    """A full form: agree everywhere, a reservation on privacy, with `overrides` by section key."""
    chosen = {key: {"stance": "agree", "statement": ""} for key in KEYS}
    chosen["privacy"] = {"stance": "agree_with_reservation", "statement": "Only with a yearly audit."}
    chosen.update(overrides)
    return {f"stances.{key}.{field}": value for key, given in chosen.items() for field, value in given.items()}


def stance_events(db, round_id: int) -> list[dict]:
    with db.transaction(write=False) as session:
        return [e.payload for e in session.scalars(select(Event).where(
            Event.round_id == round_id, Event.type == "stance.recorded").order_by(Event.seq))]


def test_a_party_records_every_section_in_one_submit_and_unchanged_ones_append_nothing(app, make, db):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    page = f"/rounds/{round_id}/positions"
    worker = browser(app, world["worker"])
    form = worker.get(page).get_data(as_text=True)
    assert form.count('name="stances.') == 4 * len(KEYS)  # three choices and a statement per section
    shown = followed(worker, send(worker, f"/rounds/{round_id}/stances", every_section(), page=page))
    assert "Your constituency&#39;s stances were recorded." in shown
    events = stance_events(db, round_id)
    assert [e["section"] for e in events] == KEYS  # one event per section, in the plan's order
    assert {e["constituency"] for e in events} == {"workers"}
    privacy = shown.split('id="section-privacy"')[1].split('<th scope="row">Workers</th>')[1].split("</tr>")[0]
    assert "Agree with a reservation" in privacy and "Only with a yearly audit." in privacy
    # The form comes back pre-filled with what is recorded.
    assert shown.count('value="agree" checked') == len(KEYS) - 1
    assert 'value="agree_with_reservation" checked' in shown.split('id="stance-privacy"')[1]
    # Sent again as it is: nothing changes, nothing is appended.
    before = snapshot(db)
    assert send(worker, f"/rounds/{round_id}/stances", every_section(), page=page).status_code == 303
    assert snapshot(db) == before
    # One section changed: one event.
    send(worker, f"/rounds/{round_id}/stances", every_section(
        system={"stance": "disagree", "statement": "No vendor audit."}), page=page)
    assert [e["section"] for e in stance_events(db, round_id)][len(KEYS):] == ["system"]


def test_a_bad_section_refuses_the_whole_set_names_it_and_saves_nothing(app, make, db):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    page, path = f"/rounds/{round_id}/positions", f"/rounds/{round_id}/stances"
    worker = browser(app, world["worker"])
    before = snapshot(db)
    cases = {
        "an unknown stance": (every_section(privacy={"stance": "maybe", "statement": "Kept text"}),
                              "Privacy: Stance: Must be one of"),
        "a disagreement without a statement": (every_section(privacy={"stance": "disagree", "statement": ""}),
                                               "Privacy: Say why: a reservation or a disagreement needs a statement."),
        "a statement without a stance": ({**every_section(), "stances.privacy.stance": ""},
                                         "Privacy: Stance: Missing data for required field."),
        "a statement too long": (every_section(privacy={"stance": "disagree", "statement": "x" * 5_001}),
                                 "Privacy: Statement: Length must be between 0 and 5000."),
        "an unknown section": ({**every_section(), "stances.nope.stance": "agree"},
                               "nope: No such section in this round."),
    }
    for case, (form, named) in cases.items():
        response = send(worker, path, form, page=page)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, case
        assert snapshot(db) == before, case
        assert "Nothing was saved: check the stances on" in html, case
        assert named in html, (case, named)
    kept = send(worker, path, every_section(privacy={"stance": "maybe", "statement": "Kept text"}), page=page)
    assert ">Kept text</textarea>" in kept.get_data(as_text=True)  # what the person wrote is kept
    empty = send(worker, path, {}, page=page)
    assert empty.status_code == 422 and snapshot(db) == before
    assert "Choose a stance on at least one section." in empty.get_data(as_text=True)
    assert stance_events(db, round_id) == []


def test_the_error_names_the_section_in_the_page_language(app, make, db):
    world = outcome_world(make, stances=False)
    speak(db, world["worker"], "fr")
    round_id = world["round"].id
    worker = browser(app, world["worker"])
    before = snapshot(db)
    response = send(worker, f"/rounds/{round_id}/stances", every_section(
        privacy={"stance": "disagree", "statement": ""}), page=f"/rounds/{round_id}/positions")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Rien n&#39;a été enregistré" in html
    assert "Vie privée" in html.split('role="alert"')[1].split("</div>")[0]
    assert snapshot(db) == before


def test_only_the_parties_get_the_form_and_others_are_refused(app, make, db):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    page, path = f"/rounds/{round_id}/positions", f"/rounds/{round_id}/stances"
    secretariat = browser(app, world["secretariat"])
    assert f'action="{path}"' not in secretariat.get(page).get_data(as_text=True)
    assert f'action="{path}"' in browser(app, world["government"]).get(page).get_data(as_text=True)
    before = snapshot(db)
    assert send(secretariat, path, every_section(), page=page).status_code == 403
    make.move_to(world["employer"], world["round"], "concluded")  # the workflow no longer opens stances
    worker = browser(app, world["worker"])
    assert f'action="{path}"' not in worker.get(page).get_data(as_text=True)
    before = snapshot(db)
    late = send(worker, path, every_section(), page=page)
    assert late.status_code == 409 and snapshot(db) == before


def test_a_stance_on_an_earlier_version_is_neither_prefilled_nor_moved(app, make, db):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    page = f"/rounds/{round_id}/positions"
    worker = browser(app, world["worker"])
    followed(worker, send(worker, f"/rounds/{round_id}/stances", every_section(), page=page))
    with db.transaction() as session:  # a new version of privacy: the stance on it is now on the old text
        draft_position(session, session.get(User, world["secretariat"].id), round_id, "privacy", "New text.", 1)
    html = worker.get(page).get_data(as_text=True)
    privacy = html.split('id="stance-privacy"')[1].split('id="stance-')[0]
    assert "was on version 1, before the current text" in privacy and " checked" not in privacy
    before = snapshot(db)
    # Sent as shown (privacy left blank): privacy keeps its stance on version 1, nothing else changes.
    form = {k: v for k, v in every_section().items() if not k.startswith("stances.privacy.")}
    assert send(worker, f"/rounds/{round_id}/stances", form, page=page).status_code == 303
    assert snapshot(db) == before
    with db.transaction(write=False) as session:
        stance = next(s for s in session.scalars(select(Stance).where(Stance.round_id == round_id))
                      if s.section.key == "privacy")
        assert stance.position_version == 1


def test_a_section_without_a_position_is_listed_but_takes_no_stance(app, make, db):
    world = tripartite(make)
    for party in PARTIES:
        make.signatory(world["secretariat"], world["round"], world[party].constituency.value, world[party])
    make.move_to(world["employer"], world["round"], "drafting")
    round_id = world["round"].id
    with db.transaction() as session:
        draft_position(session, session.get(User, world["secretariat"].id), round_id, "privacy", "Agreed.", 0)
    page = f"/rounds/{round_id}/positions"
    worker = browser(app, world["worker"])
    html = worker.get(page).get_data(as_text=True)
    assert html.count("there is nothing to take a stance on.") == len(KEYS) - 1
    assert 'name="stances.privacy.stance"' in html and 'name="stances.system.stance"' not in html
    before = snapshot(db)
    response = send(worker, f"/rounds/{round_id}/stances", {"stances.privacy.stance": "agree",
                                                            "stances.system.stance": "agree"}, page=page)
    assert response.status_code == 422
    assert "The system: There is no drafted position on this section yet" in response.get_data(as_text=True)
    assert snapshot(db) == before
    shown = followed(worker, send(worker, f"/rounds/{round_id}/stances", {"stances.privacy.stance": "agree"},
                                  page=page))
    assert [e["section"] for e in stance_events(db, round_id)] == ["privacy"]
    assert "Your constituency&#39;s stances were recorded." in shown
