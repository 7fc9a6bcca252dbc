"""Honest verification: a digest look-up checks no file and says so; a file is judged on itself, its data and
the record, the verdict first; the outcome's canonical JSON travels inside the signed PDF."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess

import pypdf
import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.embed import EmbeddedFileObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from consult.cli import main
from consult.documents.keys import ensure_platform_key
from consult.documents.render import write_pdf
from consult.documents.signing import sign_pdf
from consult.outcomes.snapshot import canonical_json
from tests.documents.test_pdf import DOCUMENT
from tests.outcomes.helpers import outcome_world
from tests.outcomes.test_exports import wait_ready
from tests.registry.test_registry import conclude

VOUCHES = "A signed outcome on record."


def signed_round(api, make, title: str = "ShiftPilot at Northgate Logistics") -> tuple[dict, str]:
    world = outcome_world(make, title=title)
    conclude(api, world)
    return world, api(world["worker"]).get(f"/rounds/{world['round'].id}/outcome").get_json()["digest"]


def exported(api, world) -> bytes:
    worker = api(world["worker"])
    round_id = world["round"].id
    asked = worker.post(f"/rounds/{round_id}/exports", json={"kind": "pdf"}).get_json()
    job = wait_ready(worker, round_id, asked["id"])
    assert job["status"] == "ready", job
    return worker.client.get(job["download_url"], headers=worker.headers).data


def upload(client, data: bytes) -> str:
    """The upload page's answer for a file, as HTML text."""
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/verify").get_data(as_text=True)).group(1)
    page = client.post("/verify", data={"pdf": (io.BytesIO(data), "outcome.pdf"), "csrf_token": csrf},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def verdict_of(page: str) -> str:
    """The first statement of the page's results: the verdict, before any detail."""
    results = page[page.index('class="result'):]
    return re.sub(r"<[^>]+>", "", re.search(r'role="status">(.*?)</p>', results, re.S).group(1)).strip()


def cli_verify(app, path, **extra: str) -> tuple[int, str]:
    environment = {"CONSULT_DATABASE_URL": app.config["DATABASE_URL"], "CONSULT_INSTANCE_PATH": app.instance_path,
                   "CONSULT_SECRET_KEY": "test-secret", **extra}
    result = CliRunner().invoke(main, ["verify", str(path)], env=environment)
    return result.exit_code, result.output


def replace_embedded(signed: bytes, data: bytes) -> bytes:
    """A later revision that swaps outcome.json for `data`, leaving the signature as it was."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    spec = writer.root["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()
    stream = EmbeddedFileObject.from_file_data(writer, data, mime_type="application/json")
    spec["/EF"] = generic.DictionaryObject({generic.NameObject("/F"): stream.ef_stream_ref,
                                            generic.NameObject("/UF"): stream.ef_stream_ref})
    writer.update_container(spec)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_digest_look_up_says_what_the_record_holds_and_that_it_checks_no_file(api, make, app):
    world, digest = signed_round(api, make)
    page = app.test_client().get(f"/verify/{digest}").get_data(as_text=True)
    assert "What the record holds about this digest" in page and "ShiftPilot at Northgate Logistics" in page
    assert "This page checks no file" in page and "consult verify FILE.pdf" in page and "PAdES validator" in page
    assert VOUCHES not in page  # a digest anyone can copy into any file vouches for no file
    assert "The record holds a signed outcome with this digest." in page
    answer = app.test_client().get(f"/api/v1/verify/{digest}").get_json()
    assert answer["status"] == "signed" and answer["on_record"] is True
    assert answer["checks_file"] is False and "does not check any file" in answer["notice"]
    french = app.test_client().get(f"/verify/{digest}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "This page checks no file" not in french and "PAdES" in french


@pytest.mark.one_database("sqlite", "judging a file does not depend on the database")
def test_the_file_is_judged_first_and_its_embedded_data_against_the_record(api, make, app, tmp_path):
    world, digest = signed_round(api, make)
    data = exported(api, world)
    outcome = api(world["worker"]).get(f"/rounds/{world['round'].id}/outcome").get_json()
    client = app.test_client()

    # One byte changed: the failed check is the headline, and nothing below it vouches for the file.
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0x01
    page = upload(client, bytes(flipped))
    assert verdict_of(page).startswith("This file fails the check")
    assert VOUCHES not in page and "The record holds a signed outcome with this digest." in page

    # The canonical JSON is inside, as a PDF/A-3 associated file: an independent reader finds it and its hash.
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert list(reader.attachments) == ["outcome.json"]
    inside = reader.attachments["outcome.json"][0]
    assert hashlib.sha256(inside).hexdigest() == digest
    assert inside == canonical_json(outcome["document"]).encode("utf-8")
    spec = reader.trailer["/Root"]["/AF"][0].get_object()
    assert spec["/AFRelationship"] == "/Data" and spec["/UF"] == "outcome.json"
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"
    assert "/ModDate" in spec["/EF"]["/F"].get_object()["/Params"]
    path = tmp_path / "outcome.pdf"
    path.write_bytes(data)
    listed = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert "outcome.json" in listed

    good = upload(client, data)
    assert good.index("Verdict on this file") < good.index("Signature</h2>")
    assert verdict_of(good) == "This file is an authentic, unaltered copy of a signed outcome on record."
    assert "hashes to the digest its signature names" in good and VOUCHES in good
    assert "that time is the platform's own claim; no trusted timestamp vouches for it" in good  # no TSA here
    # Words as printed, a line broken after a hyphen joined again.
    printed = re.sub(r"-\s+", "-", " ".join(" ".join(page.extract_text() for page in reader.pages).split()))
    assert "no independent time-stamping authority vouches for them" in printed  # the document says so too
    code, output = cli_verify(app, path)
    assert code == 0 and output.startswith("verdict: an authentic, unaltered copy") and "data: outcome.json" in output


    # The data inside altered, the signature left as it was.
    document = json.loads(inside)
    document["commitments"][0]["due_on"] = "2099-12-31"
    altered = canonical_json(document).encode("utf-8")
    swapped = replace_embedded(data, altered)
    page = upload(client, swapped)
    assert verdict_of(page) == "This file fails the check: it was changed after it was signed."
    assert hashlib.sha256(altered).hexdigest() in page and "No outcome with that digest is on record." in page
    path.write_bytes(swapped)
    code, output = cli_verify(app, path)
    assert code == 1 and "changed after it was signed" in output and "ANOTHER digest" in output

    # The data altered and the document re-signed by another key, naming the altered data's digest.
    forged_digest = hashlib.sha256(altered).hexdigest()
    stranger = ensure_platform_key(tmp_path / "stranger")
    forged = sign_pdf(write_pdf({**DOCUMENT, "digest": forged_digest}), stranger, digest=forged_digest,
                      canonical=altered)
    page = upload(client, forged)
    assert verdict_of(page) == "This file fails the check: it was not signed with this platform's key."
    assert "No outcome with this digest is on record." in page and VOUCHES not in page
    path.write_bytes(forged)
    code, output = cli_verify(app, path)
    assert code == 1 and "FAILS: it was not signed with this platform's key" in output

    # The altered data in a file left unsigned.
    unsigned = _unsigned_with(altered)
    page = upload(client, unsigned)
    assert verdict_of(page).startswith("This file fails the check: it carries no signature")
    assert VOUCHES not in page


def _unsigned_with(data: bytes) -> bytes:
    """A rendered, unsigned PDF carrying `data` as outcome.json."""
    from datetime import UTC, datetime

    from consult.documents.embedded import embed_outcome

    writer = IncrementalPdfFileWriter(io.BytesIO(write_pdf(DOCUMENT)))
    embed_outcome(writer, data, hashlib.sha256(data).hexdigest(), when=datetime.now(UTC))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_platform_never_signs_data_that_is_not_the_digest(tmp_path):
    key = ensure_platform_key(tmp_path)
    with pytest.raises(ValueError, match="digest"):
        sign_pdf(write_pdf(DOCUMENT), key, digest=DOCUMENT["digest"], canonical=b'{"not":"this outcome"}')
