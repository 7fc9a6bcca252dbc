"""Signed PDF exports end to end: 202 at once, events as it goes, one render per digest, verifiable by anyone."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading
import time

import pypdf
from click.testing import CliRunner
from sqlalchemy import func, select

from consult.cli import main
from consult.documents.verification import verify_pdf
from consult.outcomes.keys import platform_key
from consult.outcomes.models import ExportJob
from consult.paths import ROOT
from consult.rounds.plan import SECTIONS
from tests.factories import ApiClient, log_in
from tests.outcomes.helpers import outcome_world
from tests.registry.test_registry import conclude

ARTIFACTS = ROOT / "artifacts"


def save_pages(pdf: bytes, name: str) -> None:
    """Keep the PDF and its pages as PNG (pdftoppm) in artifacts/, for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(ARTIFACTS / f"{name}.pdf"), str(ARTIFACTS / name)],
                       check=True, timeout=120)


def wait_ready(client, round_id: int, job_id: int, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/rounds/{round_id}/exports/{job_id}").get_json()
        if job["status"] in ("ready", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError("the export did not finish")


def test_a_signed_pdf_is_exported_once_per_digest_and_verifies(app, api, make, db, client, tmp_path):
    world = outcome_world(make, title="ShiftPilot at Northgate Logistics")
    round_id = world["round"].id
    make.comment(world["worker"], world["round"], "A plenary remark for the annex.")
    make.comment(world["worker"], world["round"], "A caucus secret never printed.", channel="caucus")
    conclude(api, world)
    worker = api(world["worker"])
    digest = worker.get(f"/rounds/{round_id}/outcome").get_json()["digest"]

    # Ten people ask at the same moment: one job, one render.
    token = make.token(world["government"])
    answers: list = []
    barrier = threading.Barrier(10)

    def ask() -> None:
        own = ApiClient(app.test_client(), token)
        barrier.wait()
        answers.append(own.post(f"/rounds/{round_id}/exports", json={"kind": "pdf"}))

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a.status_code for a in answers] == [202] * 10
    assert len({a.get_json()["id"] for a in answers}) == 1
    job = wait_ready(worker, round_id, answers[0].get_json()["id"])
    assert job["status"] == "ready", job
    events = [e for e in worker.get(f"/rounds/{round_id}/events?limit=500").get_json()["items"]]
    assert [e["type"] for e in events].count("export.requested") == 1
    assert [e["payload"]["step"] for e in events if e["type"] == "export.progress"] == ["rendering"]
    ready = [e for e in events if e["type"] == "export.ready"]
    assert len(ready) == 1 and ready[0]["payload"]["digest"] == digest
    again = worker.post(f"/rounds/{round_id}/exports", json={"kind": "pdf"})
    assert again.status_code == 202 and again.get_json()["status"] == "ready"
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count(ExportJob.id))) == 1

    log_in(client, world["worker"])
    download = client.get(job["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    data = download.data
    checked = verify_pdf(data, trust=[platform_key(app).certificate])
    assert checked.intact and checked.trusted and checked.digest == digest
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    flat = re.sub(r"\s+", "", text)  # long lines wrap anywhere in the PDF
    assert "ShiftPilot at Northgate Logistics" in text and "Publishanannualalgorithmicaudit" in flat
    for key, title in SECTIONS:
        assert f"The parties agree on {title}.".replace(" ", "") in flat, key
        for constituency in ("workers", "employers", "government"):
            statement = f"The {constituency} accept the text on {title.lower()}."
            assert statement.replace(" ", "") in flat, (key, constituency)
    for person in ("Erin Employer", "Wanda Worker", "Gil Government"):
        assert person.replace(" ", "") in flat
    assert digest in flat
    assert "A plenary remark for the annex." not in text  # the plain export has no annex
    save_pages(data, "outcome")

    # Anyone can check the file: the public page, the API, and the command line.
    outsider = app.test_client()
    form = outsider.get("/verify").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    page = outsider.post("/verify", data={"pdf": (io.BytesIO(data), "outcome.pdf"), "csrf_token": csrf},
                         content_type="multipart/form-data")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "The signature is intact and was made with this platform" in body and "A signed outcome on record" in body
    assert outsider.get(f"/api/v1/verify/{digest}").get_json()["status"] == "signed"
    pdf_path = tmp_path / "outcome.pdf"
    pdf_path.write_bytes(data)
    environment = {"CONSULT_DATABASE_URL": app.config["DATABASE_URL"], "CONSULT_INSTANCE_PATH": app.instance_path,
                   "CONSULT_SECRET_KEY": "test-secret"}
    result = CliRunner().invoke(main, ["verify", str(pdf_path)], env=environment)
    assert result.exit_code == 0, result.output
    assert "signature: intact" in result.output and f"digest: {digest}" in result.output
    assert "Erin Employer" in result.output
    tampered = bytearray(data)
    tampered[len(data) // 3] ^= 0x01
    pdf_path.write_bytes(bytes(tampered))
    refused = CliRunner().invoke(main, ["verify", str(pdf_path)], env=environment)
    assert refused.exit_code == 1 and "NOT INTACT" in refused.output
    forged = outsider.post("/verify", data={"pdf": (io.BytesIO(bytes(tampered)), "outcome.pdf"), "csrf_token": csrf},
                           content_type="multipart/form-data").get_data(as_text=True)
    assert "The signature is not intact" in forged

    annexed = worker.post(f"/rounds/{round_id}/exports", json={"kind": "pdf_annex"}).get_json()
    annexed = wait_ready(worker, round_id, annexed["id"])
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(
        client.get(annexed["download_url"]).data)).pages)
    assert "A plenary remark for the annex." in text and "caucus secret" not in text


def test_an_unsigned_outcome_cannot_be_exported_and_changes_nothing(api, make, db):
    world = outcome_world(make)
    response = api(world["worker"]).post(f"/rounds/{world['round'].id}/exports", json={"kind": "pdf"})
    assert response.status_code == 409
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count(ExportJob.id))) == 0


def test_keys_init_makes_the_signing_key_once(tmp_path):
    first = CliRunner().invoke(main, ["keys", "init", "--instance", str(tmp_path)])
    assert first.exit_code == 0 and "Made a self-signed signing key" in first.output
    second = CliRunner().invoke(main, ["keys", "init", "--instance", str(tmp_path)])
    assert "exists already" in second.output
    assert first.output.splitlines()[-1] == second.output.splitlines()[-1]  # the same fingerprint
