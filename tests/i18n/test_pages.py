"""Every page renders in English, French and Spanish: <html lang> says which, and its interface text is translated.

The pages are found in the URL map, so a page added later is walked too. A page is checked against its own
English rendering: every text of the catalogue that the English page shows as a whole (a heading, a label,
a button, a cell) must appear translated in the French and Spanish pages, and never left in English.
"""

from __future__ import annotations

import html
import re

import pytest
from babel.messages.pofile import read_po

from consult.db import utcnow
from consult.outcomes.models import Outcome
from consult.web.catalogues import SOURCE
from tests.factories import log_in, tripartite
from tests.i18n.helpers import lang_of, speak, switch
from tests.outcomes.helpers import outcome_world
from tests.registry.test_registry import conclude

LANGUAGES = ("fr", "es")
#: Pages that are files or data, not HTML pages.
NOT_PAGES = {"pages.download_export", "pages.registry_pdf", "pages.download_document_page",  # files
             "pages.comment_fragment",  # a fragment, not a page
             "pages.expert_page",  # only an appointed expert sees it: tests/opinions/test_pages.py walks it
             # a letter to an affected worker, in the round's language (it is handed to them), under an EU
             # profile: tests/informing/test_individual_information.py opens it
             "pages.worker_letter_page"}
#: Catalogue texts a page may still show in English, by path pattern: none. Names of sections, stages,
#: workflows and constituencies go through the filters of consult/web/labels.py (`| section_name`...).
KNOWN_GAPS: dict[str, set[str]] = {
    # A registry entry shows the agreed text as the parties wrote it; the test world's texts name their section.
    r"/registry/\d+": {"Social dialogue", "Skills and training", "Safety, health, autonomy and dignity", "Privacy",
                       "Non-discrimination",
                       "Productivity gains and inclusion (value chain included)", "The system"},
}
#: Pages the public sees (checked again with nobody logged in, the language set by the switcher's cookie).
PUBLIC = ("/login", "/registry", "/verify")


def translations(language: str) -> dict[str, str]:
    """English text -> its translation, for the catalogue's messages without placeholders."""
    with (SOURCE / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file, locale=language)
    return {m.id: " ".join(m.string.split()) for m in catalog
            if isinstance(m.id, str) and m.id and m.string and "%(" not in m.id and "{" not in m.id}


def texts(page: str) -> set[str]:
    """The page's visible texts between tags, whitespace squeezed (scripts left out)."""
    page = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    return {" ".join(html.unescape(t).split()) for t in re.findall(r">([^<>]+)<", page)} - {""}


@pytest.fixture
def world(make, api):
    """A concluded public round (registry, verification) and a live one with a comment by the secretariat."""
    done = outcome_world(make, is_public=True, title="Rostering at Hafen Logistik")
    conclude(api, done)
    live = tripartite(make, title="Scheduling at the Leeds depot")
    live["secretariat"] = done["secretariat"]  # one person who may see every page of both rounds
    with make.db.transaction() as session:
        from consult.rounds.services import invite_organisation

        invite_organisation(session, session.get(type(live["employer"]), live["employer"].id), live["round"].id,
                            done["secretariat"].organisation_id)
    comment = make.comment(done["secretariat"], live["round"], "The retention period needs a reason.")
    with make.db.transaction(write=False) as session:
        digest = session.query(Outcome.digest).filter(Outcome.round_id == done["round"].id).scalar()
        from consult.outcomes.models import Commitment

        commitment = session.query(Commitment.id).filter(Commitment.round_id == done["round"].id).scalar()
    from datetime import timedelta

    from consult.accounts.lifecycle import RESET, issue_link

    with make.db.transaction() as session:  # a live set-your-password link, for the pages it opens
        link = issue_link(session, session.get(type(done["worker"]), done["worker"].id), RESET, timedelta(days=1))
    return {"done": done, "live": live, "comment": comment, "digest": digest, "at": utcnow(), "link": link,
            "commitment": commitment}


def page_paths(app, world) -> list[str]:
    """Every GET page of the `pages` blueprint, with the world's ids filled in."""
    values = {"round_id": world["live"]["round"].id, "comment_id": world["comment"].public_id,
              "digest": world["digest"], "token": world["link"], "commitment_id": world["commitment"]}
    paths, unknown = [], []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("pages.") or "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if set(rule.arguments) - set(values):
            unknown.append(rule.rule)
            continue
        args = {name: values[name] for name in rule.arguments}
        if "unsubscribe" in rule.endpoint:  # a signed unsubscribe link, not a set-your-password one
            from consult.notifications.render import unsubscribe_token

            args["token"] = unsubscribe_token(app, world["done"]["worker"].id, "comment.reply")
        if (rule.endpoint.startswith("pages.registry") or "commitment_id" in args) and "round_id" in args:
            args["round_id"] = world["done"]["round"].id  # the registry holds only concluded rounds
        paths.append(rule.build(args)[1])
    assert not unknown, f"pages whose arguments this test cannot fill yet (add them to `values`): {unknown}"
    return sorted(paths)


def fetch(client, path: str):
    response = client.get(path)
    if response.mimetype != "text/html":
        return None
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def assert_translated(path: str, english: str, translated: str, language: str, table: dict[str, str]) -> None:
    assert lang_of(english) == "en" and lang_of(translated) == language, path
    shown, now = texts(english), texts(translated)
    gaps = next((gap for pattern, gap in KNOWN_GAPS.items() if re.fullmatch(pattern, path)), set())
    found = [msgid for msgid in table if msgid in shown]
    assert found, f"{path}: no interface text of the catalogue found on the English page"
    found = [msgid for msgid in found if msgid not in gaps]
    left = [msgid for msgid in found if table[msgid] != msgid and msgid in now]
    assert not left, f"{path} in {language}: still in English: {left}"
    missing = [msgid for msgid in found if table[msgid] not in now]
    assert not missing, f"{path} in {language}: translation not shown for {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_is_shown_in_the_persons_language(app, client, db, world, language):
    person = world["done"]["secretariat"]
    log_in(client, person)
    table = translations(language)
    paths = page_paths(app, world)
    english = {path: fetch(client, path) for path in paths if path != "/login"}
    speak(db, person, language)
    for path, page in english.items():
        if page is not None:
            assert_translated(path, page, fetch(client, path), language, table)


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_follow_the_language_chosen_with_the_switcher(client, world, language):
    table = translations(language)
    public = [*PUBLIC, f"/registry/{world['done']['round'].id}", f"/verify/{world['digest']}", "/no-such-page"]
    english = {path: client.get(path).get_data(as_text=True) for path in public}
    assert switch(client, language).status_code == 303
    for path, page in english.items():
        assert_translated(path, page, client.get(path).get_data(as_text=True), language, table)


def test_a_page_in_french_names_a_known_string_in_french_and_in_spanish_in_spanish(client, make, db):
    person = make.user("workers")
    log_in(client, person)
    for language, heading, nav in (("fr", "Mes consultations", "Registre"), ("es", "Mis consultas", "Registro")):
        speak(db, person, language)
        page = client.get("/").get_data(as_text=True)
        assert lang_of(page) == language and f"<h1>{heading}</h1>" in page and f">{nav}</a>" in page
