"""Scripts fetch the signed PDF and the CSV records with a Bearer token, under the same policy as the API."""

from __future__ import annotations

import csv
import io

from consult.documents.verification import verify_pdf
from consult.outcomes.keys import platform_key
from tests.factories import ApiClient
from tests.outcomes.helpers import outcome_world
from tests.outcomes.test_exports import wait_ready
from tests.registry.test_registry import conclude

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SCRIPT = {"Accept": "*/*"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **SCRIPT}


def assert_refused(response, status: int) -> None:
    """The API's error shape, whatever path was asked."""
    assert response.status_code == status, (response.status_code, response.headers.get("Location"))
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message", "fields"} and error["message"]


def test_a_script_with_a_token_downloads_the_pdf_and_the_csv_and_nobody_else_does(app, api, make):
    world = outcome_world(make)
    round_id = world["round"].id
    make.comment(world["worker"], world["round"], "Plenary: audits every year.")
    make.comment(world["worker"], world["round"], "Caucus: our red line is no rankings.", channel="caucus")
    conclude(api, world)
    worker = api(world["worker"])
    job = worker.post(f"/rounds/{round_id}/exports", json={"kind": "pdf"}).get_json()
    job = wait_ready(worker, round_id, job["id"])
    assert job["status"] == "ready", job
    script = app.test_client()

    # A participant's script: the PDF itself, signed, and the CSV rows the API gives that person.
    download = script.get(job["download_url"], headers=bearer(make.token(world["government"])))
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert verify_pdf(download.data, trust=[platform_key(app).certificate]).intact
    for person, sees_caucus in (("worker", True), ("employer", False)):
        token = make.token(world[person])
        answer = script.get(f"/rounds/{round_id}/records.csv?what=comments", headers=bearer(token))
        assert answer.status_code == 200 and answer.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
        expected = ApiClient(app.test_client(), token).get(f"/rounds/{round_id}/records?what=comments").get_json()
        assert [r["body"] for r in rows] == [r["body"] for r in expected["rows"]]
        assert any("red line" in r["body"] for r in rows) is sees_caucus
    assert_refused(script.get(f"/rounds/{round_id}/records.csv?what=secrets",
                              headers=bearer(make.token(world["worker"]))), 422)

    # Someone outside the round, a bad token, and nobody at all.
    outsider = bearer(make.token(make.user("workers", name="Olga Outsider")))
    assert_refused(script.get(job["download_url"], headers=outsider), 404)
    assert_refused(script.get(f"/rounds/{round_id}/records.csv", headers=outsider), 404)
    for path in (job["download_url"], f"/rounds/{round_id}/records.csv"):
        assert_refused(script.get(path, headers=bearer("not-a-token")), 401)
        nobody = script.get(path, headers=SCRIPT)
        assert_refused(nobody, 401)
        assert nobody.headers["WWW-Authenticate"].startswith("Bearer")
        assert_refused(app.test_client().get(path), 401)  # no Accept header at all: not a browser
        browser = app.test_client().get(path, headers=BROWSER)
        assert browser.status_code == 302 and "/login" in browser.headers["Location"]
