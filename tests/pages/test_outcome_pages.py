"""The outcome's pages: positions and stances, sign-off, exports, as people use them with plain forms."""

from __future__ import annotations

import re
import time

import pytest

from consult.rounds.plan import SECTIONS
from tests.factories import PASSWORD, tripartite
from tests.outcomes.helpers import PARTIES, outcome_world
from tests.pages.forms import browser, followed, send
from tests.test_bad_input import snapshot

REASON = {"reason": "Ready for sign-off."}


def textarea(html: str, name: str, key: str) -> str:
    found = re.search(rf'<textarea id="{name}-{key}" name="[a-z._]+"[^>]*>(.*?)</textarea>', html, re.S)
    return found.group(1) if found else ""


def unescape(text: str) -> str:
    import html

    return html.unescape(text)


@pytest.fixture
def drafting(make):
    """A tripartite round in drafting, every signatory named, no position yet."""
    world = tripartite(make)
    for party in PARTIES:
        make.signatory(world["secretariat"], world["round"], world[party].constituency.value, world[party])
    make.move_to(world["employer"], world["round"], "drafting")
    return world


# ---- Who sees the pages ------------------------------------------------------------------------------------

def test_every_page_renders_for_each_participant_and_is_404_to_outsiders(app, make, db):
    world = outcome_world(make)
    round_id = world["round"].id
    outsider = make.user("workers", name="Otto Outsider")
    for person in ("worker", "employer", "government", "secretariat"):
        client = browser(app, world[person])
        positions = client.get(f"/rounds/{round_id}/positions")
        assert positions.status_code == 200
        html = positions.get_data(as_text=True)
        assert "The parties agree on <strong>Privacy</strong>." in html
        assert "Publish an annual algorithmic audit" in html and "Audits published" in html
        assert 'aria-current="page">Positions</a>' in html
        signoff = client.get(f"/rounds/{round_id}/sign-off").get_data(as_text=True)
        assert "What the sign-off needs" in signoff and 'aria-current="page">Sign-off</a>' in signoff
        exports = client.get(f"/rounds/{round_id}/exports").get_data(as_text=True)
        assert "The outcome is not signed yet" in exports and 'aria-current="page">Exports</a>' in exports
        assert "<script>" not in exports and 'src="/static/exports.js"' in exports
    stranger = browser(app, outsider)
    before = snapshot(db)
    for path in ("positions", "sign-off", "exports"):
        assert stranger.get(f"/rounds/{round_id}/{path}").status_code == 404
    for path, data in (("positions/privacy", {"text": "Mine", "base_version": "1"}),
                       ("stances/privacy", {"stance": "agree"}), ("outcome/freeze", {}),
                       ("outcome/sign", {"digest": "a" * 64, "password": PASSWORD}), ("exports", {"kind": "pdf"}),
                       ("commitments", {"description": "x", "owner_organisation_id": "1", "kpi": "k",
                                        "target": "t", "due_on": "2027-01-01"})):
        assert send(stranger, f"/rounds/{round_id}/{path}", data, page="/").status_code == 404, path
    assert snapshot(db) == before


def test_only_the_people_who_may_act_are_shown_the_forms(app, make):
    world = outcome_world(make)
    round_id = world["round"].id
    worker = browser(app, world["worker"]).get(f"/rounds/{round_id}/positions").get_data(as_text=True)
    assert 'name="stances.privacy.stance"' in worker
    assert 'name="base_version"' not in worker and "Add a commitment" not in worker
    secretariat = browser(app, world["secretariat"]).get(f"/rounds/{round_id}/positions").get_data(as_text=True)
    assert 'name="base_version"' in secretariat and "Add a commitment" in secretariat
    assert 'name="stances.privacy.stance"' not in secretariat


# ---- Positions ---------------------------------------------------------------------------------------------

def test_the_secretariat_drafts_versions_and_earlier_ones_stay_readable(app, make, db, drafting):
    round_id = drafting["round"].id
    secretariat = browser(app, drafting["secretariat"])
    page = f"/rounds/{round_id}/positions"
    shown = followed(secretariat, send(secretariat, f"{page}/privacy", {
        "text": "No tracking outside working time.", "base_version": "0"}, page=page))
    assert "The position was saved." in shown
    assert "No tracking outside working time." in shown and "Version 1, drafted by Sasha Secretariat" in shown
    shown = followed(secretariat, send(secretariat, f"{page}/privacy", {
        "text": "No tracking outside working time, *ever*.", "base_version": "1"}, page=page))
    assert "Version 2, drafted by Sasha Secretariat" in shown and "<em>ever</em>" in shown
    earlier = shown.split('id="section-privacy"')[1].split("</details>")[0]
    assert "Earlier versions (1)" in earlier and "<h4>Version 1</h4>" in earlier
    assert "No tracking outside working time.</p>" in earlier
    assert 'name="base_version" value="2"' in shown.split('id="section-privacy"')[1]
    # Every participant reads both versions.
    worker_view = browser(app, drafting["worker"]).get(page).get_data(as_text=True)
    assert "<em>ever</em>" in worker_view and "<h4>Version 1</h4>" in worker_view


def test_bad_or_refused_position_drafts_change_nothing(app, make, db, drafting):
    round_id = drafting["round"].id
    page = f"/rounds/{round_id}/positions"
    secretariat = browser(app, drafting["secretariat"])
    before = snapshot(db)
    blank = send(secretariat, f"{page}/privacy", {"text": "  ", "base_version": "0"}, page=page)
    assert blank.status_code == 422 and 'role="alert"' in blank.get_data(as_text=True)
    assert "Text of the position:" in blank.get_data(as_text=True)  # the field by its label
    wrong = send(secretariat, f"{page}/privacy", {"text": "Kept text", "base_version": "first"}, page=page)
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "Version: Not a valid integer." in html
    assert textarea(html, "text", "privacy") == "Kept text"
    assert send(secretariat, f"{page}/nowhere", {"text": "x", "base_version": "0"}, page=page).status_code == 404
    worker = browser(app, drafting["worker"])
    assert send(worker, f"{page}/privacy", {"text": "Ours", "base_version": "0"}, page=page).status_code == 403
    assert snapshot(db) == before


def test_a_stale_save_shows_the_page_again_with_both_texts_and_saves_on_top_afterwards(app, make, db, drafting):
    round_id = drafting["round"].id
    page = f"/rounds/{round_id}/positions"
    first, second = browser(app, drafting["secretariat"]), browser(app, make.user(
        drafting["secretariat"].organisation, name="Sam Second"))
    first.get(page)
    assert send(second, f"{page}/privacy", {"text": "Second's text, saved first.", "base_version": "0"},
                page=page).status_code == 303
    before = snapshot(db)
    stale = send(first, f"{page}/privacy", {"text": "First's careful text & more.", "base_version": "0"}, page=page)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    section = html.split('id="section-privacy"')[1].split("</section>")[0]
    assert 'role="alert"' in section and "Someone saved a newer version" in section
    assert unescape(textarea(html, "text", "privacy")) == "First's careful text & more."
    current = section.split('class="current-version"')[1].split("</div>\n")[0]
    assert "Second&#39;s text, saved first." in current and "The current version (1)" in current
    assert 'name="base_version" value="1"' in section  # saving again goes on top of the current version
    assert snapshot(db) == before
    shown = followed(first, send(first, f"{page}/privacy", {"text": "First's careful text & more.",
                                                             "base_version": "1"}, page=page))
    assert "Version 2, drafted by" in shown and "Earlier versions (1)" in shown


# ---- Stances -----------------------------------------------------------------------------------------------

def test_a_party_records_its_stance_and_sees_it_in_its_row(app, make, db):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    page = f"/rounds/{round_id}/positions"
    worker = browser(app, world["worker"])
    shown = followed(worker, send(worker, f"{page[:-9]}stances/privacy", {
        "stance": "agree_with_reservation", "statement": "Only with a yearly audit by the works council."},
        page=page))
    assert "Your constituency&#39;s stance was recorded." in shown
    row = shown.split('id="section-privacy"')[1].split('<th scope="row">Workers</th>')[1].split("</tr>")[0]
    assert "Agree with a reservation" in row and "Only with a yearly audit by the works council." in row
    assert 'value="agree_with_reservation" checked' in shown.split('id="section-privacy"')[1]
    government_view = browser(app, world["government"]).get(page).get_data(as_text=True)
    assert "Only with a yearly audit by the works council." in government_view


def test_bad_refused_and_out_of_stage_stances_change_nothing(app, make, db):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    page = f"/rounds/{round_id}/positions"
    path = f"/rounds/{round_id}/stances/privacy"
    government, secretariat = browser(app, world["government"]), browser(app, world["secretariat"])
    before = snapshot(db)
    bare = send(government, path, {"stance": "disagree"}, page=page)
    assert bare.status_code == 422 and "Statement: Required unless you agree." in bare.get_data(as_text=True)
    odd = send(government, path, {"stance": "maybe", "statement": "Kept statement"}, page=page)
    html = odd.get_data(as_text=True)
    assert odd.status_code == 422 and "Stance: Must be one of" in html
    assert textarea(html, "statement", "privacy") == "Kept statement"
    assert send(secretariat, path, {"stance": "agree"}, page=page).status_code == 403
    assert snapshot(db) == before
    make.move_to(world["employer"], world["round"], "concluded")
    before = snapshot(db)
    late = send(government, path, {"stance": "agree"}, page=page)
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and "The round is concluded: its record is read-only" in html
    assert "Stances cannot be recorded in the Concluded stage." in html
    assert snapshot(db) == before


# ---- Commitments -------------------------------------------------------------------------------------------

def test_the_secretariat_adds_a_commitment_and_bad_or_refused_ones_change_nothing(app, make, db, drafting):
    round_id = drafting["round"].id
    page = f"/rounds/{round_id}/positions"
    path = f"/rounds/{round_id}/commitments"
    secretariat = browser(app, drafting["secretariat"])
    owner = drafting["employer"].organisation_id
    good = {"description": "Train every shift lead on the roster tool", "owner_organisation_id": str(owner),
            "kpi": "Shift leads trained", "target": "100%", "due_on": "2027-09-30"}
    before = snapshot(db)
    missing = send(secretariat, path, {**good, "kpi": "", "due_on": "30/09/2027"}, page=page)
    html = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "KPI: Missing data for required field." in html
    assert "Due date: Not a valid date." in html and "Train every shift lead on the roster tool</textarea>" in html
    stranger = make.organisation("employers", name="Not In This Round Ltd")
    foreign = send(secretariat, path, {**good, "owner_organisation_id": str(stranger.id)}, page=page)
    assert foreign.status_code == 422 and "Not an organisation of this round." in foreign.get_data(as_text=True)
    before = snapshot(db)
    assert send(browser(app, drafting["employer"]), path, good, page=page).status_code == 403
    assert snapshot(db) == before
    shown = followed(secretariat, send(secretariat, path, good, page=page))
    assert "The commitment was added." in shown
    row = shown.split('<tr id="commitment-')[1].split("</tr>")[0]
    assert "Train every shift lead on the roster tool" in row and drafting["employer"].organisation.name in row
    assert "Shift leads trained" in row and "100%" in row and 'datetime="2027-09-30"' in row


# ---- Sign-off ----------------------------------------------------------------------------------------------

def test_the_checklist_shows_what_is_missing_at_a_glance(app, make, api):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    page = browser(app, world["worker"]).get(f"/rounds/{round_id}/sign-off").get_data(as_text=True)
    items = page.split('<ol class="checklist">')[1].split("</ol>")[0].split('<li class="')
    assert items[1].startswith("done") and "Wanda Worker" in items[1] and "Erin Employer" in items[1]
    assert items[2].startswith("todo") and "missing on The system, Social dialogue" in items[2]
    assert items[3].startswith("todo") and "has not frozen the outcome yet" in items[3]
    assert items[4].startswith("todo") and items[4].count("not signed yet") == 3
    assert "You will be able to sign here once the secretariat has frozen the outcome." in page


def test_freeze_and_sign_through_the_page_with_errors_shown_and_nothing_saved(app, make, db, api):
    world = outcome_world(make)
    round_id = world["round"].id
    page = f"/rounds/{round_id}/sign-off"
    secretariat, worker = browser(app, world["secretariat"]), browser(app, world["worker"])
    before = snapshot(db)
    assert send(worker, f"/rounds/{round_id}/outcome/freeze", {}, page=page).status_code == 403
    odd = send(secretariat, f"/rounds/{round_id}/outcome/freeze", {"version": "9"}, page=page)
    assert odd.status_code == 422 and "Version: Unknown field." in odd.get_data(as_text=True)
    assert snapshot(db) == before
    shown = followed(secretariat, send(secretariat, f"/rounds/{round_id}/outcome/freeze", {}, page=page))
    assert "The outcome was frozen" in shown
    digest = re.search(r'<code class="digest">([0-9a-f]{64})</code>', shown).group(1)
    assert "Version 1" in shown
    assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 200

    sign = f"/rounds/{round_id}/outcome/sign"
    form = worker.get(page).get_data(as_text=True)
    assert f'name="digest" value="{digest}"' in form and 'type="password"' in form
    before = snapshot(db)
    wrong = send(worker, sign, {"digest": digest, "password": "guess", "reservation": "My kept reservation"},
                 page=page)
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 403 and "That is not your password; nothing was signed." in html
    assert 'role="alert"' in html and "My kept reservation</textarea>" in html and "guess" not in html
    stale = send(worker, sign, {"digest": "a" * 64, "password": PASSWORD}, page=page)
    assert stale.status_code == 409 and "The outcome changed since you read it" in stale.get_data(as_text=True)
    malformed = send(worker, sign, {"digest": "not-a-digest", "password": PASSWORD}, page=page)
    assert malformed.status_code == 422 and "A SHA-256 digest" in malformed.get_data(as_text=True)
    assert snapshot(db) == before
    colleague = browser(app, make.user(world["worker"].organisation, name="Not The Signatory"))
    before = snapshot(db)
    assert send(colleague, sign, {"digest": digest, "password": PASSWORD}, page=page).status_code == 403
    assert 'name="password"' not in colleague.get(page).get_data(as_text=True)
    assert snapshot(db) == before

    # A change voids the version: signing what was read is refused, plainly.
    assert api(world["secretariat"]).put(f"/rounds/{round_id}/positions/privacy", json={
        "text": "Biometric data excluded.", "base_version": 1}).status_code == 200
    before = snapshot(db)
    voided = send(worker, sign, {"digest": digest, "password": PASSWORD}, page=page)
    html = voided.get_data(as_text=True)
    assert voided.status_code == 409 and "The outcome has not been frozen yet: there is nothing to sign." in html
    assert "Version 1 was voided: The position on Privacy changed." in html
    assert snapshot(db) == before


def test_a_full_walk_through_the_pages_ends_signed_and_exported(app, make, db, api, drafting):
    world = drafting
    round_id = world["round"].id
    positions = f"/rounds/{round_id}/positions"
    secretariat = browser(app, world["secretariat"])
    for key, title in SECTIONS:
        assert send(secretariat, f"{positions}/{key}", {"text": f"Agreed on {title}.", "base_version": "0"},
                    page=positions).status_code == 303
    shown = followed(secretariat, send(secretariat, f"/rounds/{round_id}/commitments", {
        "description": "Publish an annual algorithmic audit", "owner_organisation_id":
        str(world["employer"].organisation_id), "kpi": "Audits published", "target": "1 per year",
        "due_on": "2027-12-31"}, page=positions))
    assert "Publish an annual algorithmic audit" in shown
    parties = {party: browser(app, world[party]) for party in PARTIES}
    for party, client in parties.items():
        for key, _title in SECTIONS:
            stance = {"stance": "agree"} if party != "government" else {
                "stance": "agree_with_reservation", "statement": "Subject to the inspectorate's review."}
            assert send(client, f"/rounds/{round_id}/stances/{key}", stance, page=positions).status_code == 303
    signoff = f"/rounds/{round_id}/sign-off"
    html = secretariat.get(signoff).get_data(as_text=True)
    assert html.count('<span class="state done">') == 2  # signatories named, stances recorded
    assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 200
    shown = followed(secretariat, send(secretariat, f"/rounds/{round_id}/outcome/freeze", {}, page=signoff))
    digest = re.search(r'<code class="digest">([0-9a-f]{64})</code>', shown).group(1)
    for party, client in parties.items():
        page = client.get(signoff).get_data(as_text=True)
        assert f'name="digest" value="{digest}"' in page
        shown = followed(client, send(client, f"/rounds/{round_id}/outcome/sign", {
            "digest": digest, "password": PASSWORD}, page=signoff))
        assert "You signed the outcome." in shown and 'name="password"' not in shown
    assert "The outcome is signed by every required constituency." in shown
    assert shown.count('<span class="state done">') == 4
    assert "Freeze the outcome" not in secretariat.get(signoff).get_data(as_text=True)  # nothing left to freeze
    outcome = api(world["worker"]).get(f"/rounds/{round_id}/outcome").get_json()
    assert outcome["status"] == "signed" and outcome["digest"] == digest and outcome["missing"] == []

    exports = f"/rounds/{round_id}/exports"
    worker = parties["worker"]
    before = snapshot(db)
    odd = send(worker, exports, {"kind": "docx"}, page=exports)
    assert odd.status_code == 422 and "Kind: Must be one of" in odd.get_data(as_text=True)
    assert snapshot(db) == before
    shown = followed(worker, send(worker, exports, {"kind": "pdf"}, page=exports))
    assert "The export was requested" in shown
    job_id = int(re.search(r'<tr id="export-(\d+)" data-export-job', shown).group(1))
    assert re.search(r'<progress max="3" value="[123]"', shown)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        page = worker.get(exports).get_data(as_text=True)
        if ">Download the signed PDF</a>" in page or ">Failed" in page:
            break
        time.sleep(0.3)
    row = page.split(f'<tr id="export-{job_id}"')[1].split("</tr>")[0]
    assert '<progress max="3" value="3"' in row and ">Ready</span>" in row, row
    link = re.search(r'<a href="([^"]+)">Download the signed PDF</a>', row).group(1)
    download = worker.get(link)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")


def test_an_export_of_an_unsigned_outcome_is_refused_on_the_page_and_changes_nothing(app, make, db):
    world = outcome_world(make)
    round_id = world["round"].id
    worker = browser(app, world["worker"])
    exports = f"/rounds/{round_id}/exports"
    before = snapshot(db)
    refused = send(worker, exports, {"kind": "pdf"}, page=exports)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and 'role="alert"' in html and "The outcome is not signed yet" in html
    assert "No export has been requested yet." in html
    assert snapshot(db) == before
