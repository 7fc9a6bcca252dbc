"""The package and questions pages with plain forms (no JavaScript): attach, release, acknowledge, ask,
answer, withdraw; refused input shown on the page with nothing saved; the pages in French and Spanish."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from consult.package.models import DocumentVersion
from tests.factories import tripartite
from tests.i18n.helpers import speak
from tests.package.files import EXECUTABLE, PDF
from tests.pages.forms import browser, csrf, followed, send


def _attach(client, round_id: int, filename: str, data: bytes, title: str = "Impact assessment"):
    token = csrf(client, f"/rounds/{round_id}/package")
    return client.post(f"/rounds/{round_id}/package/documents", content_type="multipart/form-data",
                       data={"csrf_token": token, "title": title, "caucus": "",
                             "file": (io.BytesIO(data), filename)})


def test_the_package_page_attaches_releases_and_acknowledges_without_javascript(app, make, db):
    world = tripartite(make, stage="draft")
    round_id = world["round"].id
    employer, worker = browser(app, world["employer"]), browser(app, world["worker"])
    refused = _attach(employer, round_id, "dpia.pdf", EXECUTABLE)
    assert refused.status_code == 422 and "not accepted" in refused.get_data(as_text=True)
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(DocumentVersion)) == 0
    page = followed(employer, _attach(employer, round_id, "dpia.pdf", PDF))
    assert "dpia.pdf" in page and "Not yet released" in page
    assert "dpia.pdf" not in worker.get(f"/rounds/{round_id}/package").get_data(as_text=True)
    make.move_to(world["employer"], world["round"], "information")
    page = worker.get(f"/rounds/{round_id}/package").get_data(as_text=True)
    assert "dpia.pdf" in page and "Acknowledge receipt for my organisation" in page
    assert 'download>' in page  # a plain link that downloads; no script needed
    release_id = page.split("/package/releases/")[1].split("/")[0]
    page = followed(worker, send(worker, f"/rounds/{round_id}/package/releases/{release_id}/acknowledgement", {},
                                 page=f"/rounds/{round_id}/package"))
    assert world["worker"].organisation.name in page and "Acknowledge receipt for my organisation" not in page
    import re

    link = re.search(r'href="(/rounds/\d+/package/documents/[a-z2-7]+/versions/1/file)"', page).group(1)
    download = worker.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_questions_page_asks_answers_and_withdraws_without_javascript(app, make, db):
    world = tripartite(make, stage="information")
    round_id = world["round"].id
    worker, employer = browser(app, world["worker"]), browser(app, world["employer"])
    path = f"/rounds/{round_id}/questions"
    refused = send(worker, path, {"section": "privacy", "body": "  "}, page=path)
    assert refused.status_code == 422 and "Length must be between" in refused.get_data(as_text=True)
    page = followed(worker, send(worker, path, {"section": "privacy", "body": "How long are logs kept?"}, page=path))
    assert "How long are logs kept?" in page and "1 question is open." in page
    question_id = page.split("/questions/")[1].split("/")[0]
    page = followed(employer, send(employer, f"{path}/{question_id}/answer", {"answer": "Twelve months."}, page=path))
    assert "Twelve months." in page and "0 questions are open." in page
    dashboard = worker.get("/").get_data(as_text=True)
    assert "question to the employer is open" not in dashboard
    second = followed(worker, send(worker, path, {"section": "system", "body": "Who audits it?"}, page=path))
    assert "1 question is open." in second
    assert "1 question to the employer is open" in worker.get("/").get_data(as_text=True)
    assert "1 question to the employer is open" in worker.get(f"/rounds/{round_id}").get_data(as_text=True)
    second_id = second.split("/questions/")[-1].split("/")[0]
    page = followed(worker, send(worker, f"{path}/{second_id}/withdraw", {"reason": "Asked twice."}, page=path))
    assert "Withdrawn by the person who asked it" in page


def test_the_pages_speak_french_and_spanish(app, make):
    world = tripartite(make, stage="information")
    round_id = world["round"].id
    for language, package_title, questions_title in (("fr", "Dossier d'information", "Questions à l'employeur"),
                                                     ("es", "Expediente informativo", "Preguntas a la empresa")):
        speak(app.extensions["consult.db"], world["worker"], language)
        client = browser(app, world["worker"])
        package = client.get(f"/rounds/{round_id}/package").get_data(as_text=True)
        questions = client.get(f"/rounds/{round_id}/questions").get_data(as_text=True)
        assert package_title in package.replace("&#39;", "'"), language
        assert questions_title in questions.replace("&#39;", "'"), language
