"""Trusted time: RFC 3161 timestamps from a time-stamping authority started here on 127.0.0.1 (tests/tsa.py:
pyHanko's own time-stamper behind a real HTTP endpoint), the validation data embedded, and a TSA that is down."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from datetime import UTC, datetime

import pypdf
import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from consult.documents.keys import ensure_platform_key
from consult.documents.render import write_pdf
from consult.documents.signing import TimestampUnavailable, sign_pdf
from consult.documents.verification import verify_pdf
from consult.settings import replace_settings
from tests.documents.test_pdf import DOCUMENT
from tests.outcomes.helpers import outcome_world
from tests.outcomes.test_exports import wait_ready
from tests.outcomes.test_verification import cli_verify, upload, verdict_of
from tests.processes import free_port
from tests.registry.test_registry import conclude
from tests.tsa import as_asn1, local_tsa

CANONICAL = b'{"round":{"title":"ShiftPilot"}}'
DIGEST = hashlib.sha256(CANONICAL).hexdigest()


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    """The local time-stamping authority; yields (url, root PEM path, Content-Types served)."""
    with local_tsa() as authority:
        pem = tmp_path_factory.mktemp("tsa") / "tsa-root.pem"
        pem.write_bytes(authority.root_pem)
        yield authority.url, pem, authority.served


def test_a_signature_carries_a_valid_timestamp_and_its_validation_data(tsa, tmp_path):
    url, root_pem, served = tsa
    key = ensure_platform_key(tmp_path)
    root = x509.load_pem_x509_certificate(root_pem.read_bytes())
    signed = sign_pdf(write_pdf({**DOCUMENT, "digest": DIGEST}), key, digest=DIGEST, canonical=CANONICAL,
                      tsa_url=url, tsa_trust=[root])
    assert served and served[-1] == "application/timestamp-query"

    # pyHanko's validator: the signature is sound and its timestamp token valid, from the trusted TSA.
    reader = PdfFileReader(io.BytesIO(signed))
    status = validate_pdf_signature(reader.embedded_signatures[0], ValidationContext(trust_roots=[key.certificate]),
                                    ts_validation_context=ValidationContext(trust_roots=[as_asn1(root)]))
    assert status.intact and status.valid and status.trusted
    stamp = status.timestamp_validity
    assert stamp is not None and stamp.intact and stamp.valid and stamp.trusted
    assert abs((datetime.now(UTC) - stamp.timestamp).total_seconds()) < 300
    # B-LT: the certificates that validate signer and timestamp travel in the file's /DSS.
    embedded = {asn1_x509.Certificate.load(c.get_object().data).subject.human_friendly
                for c in reader.root["/DSS"]["/Certs"]}
    assert any("consult platform" in name for name in embedded)
    assert any("Test Time-Stamping Unit" in name for name in embedded)

    path = tmp_path / "stamped.pdf"
    path.write_bytes(signed)
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature Validation: Signature is Valid." in pdfsig

    ours = verify_pdf(signed, trust=[key.certificate], tsa_trust=[root])
    assert ours.intact and ours.trusted and ours.timestamp_trusted and ours.validation_data
    assert "Test Time-Stamping Unit" in ours.timestamp_authority and ours.problems == []
    stranger = verify_pdf(signed, trust=[key.certificate])  # the TSA's root not trusted here
    assert ours.timestamp_at == stranger.timestamp_at and not stranger.timestamp_trusted
    assert any("timestamp" in problem for problem in stranger.problems)


def test_a_tsa_that_is_down_signs_nothing(tmp_path):
    key = ensure_platform_key(tmp_path)
    with pytest.raises(TimestampUnavailable, match="time-stamping authority at http://127.0.0.1"):
        sign_pdf(write_pdf({**DOCUMENT, "digest": DIGEST}), key, digest=DIGEST, canonical=CANONICAL,
                 tsa_url=f"http://127.0.0.1:{free_port()}/tsa", tsa_timeout=3)


@pytest.mark.one_database("sqlite", "the time-stamp authority's answers do not depend on the database")
def test_exports_are_time_stamped_when_a_tsa_is_configured_and_fail_clearly_when_it_is_down(app, api, make, tsa):
    url, root_pem, _served = tsa
    replace_settings(app, TSA_URL=url, TSA_TRUST=str(root_pem))
    world = outcome_world(make)
    conclude(api, world)
    worker = api(world["worker"])
    round_id = world["round"].id
    asked = worker.post(f"/rounds/{round_id}/exports", json={"kind": "pdf"}).get_json()
    job = wait_ready(worker, round_id, asked["id"])
    assert job["status"] == "ready", job
    data = worker.client.get(job["download_url"], headers=worker.headers).data
    page = upload(app.test_client(), data)
    assert verdict_of(page) == "This file is an authentic, unaltered copy of a signed outcome on record."
    assert "Time-stamped at" in page and "Test Time-Stamping Unit" in page and "platform's own claim" not in page
    # Words as printed, a line broken after a hyphen joined again.
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    printed = re.sub(r"-\s+", "-", " ".join(text.split()))
    assert "carries a timestamp from an independent time-stamping authority" in printed
    path = app.instance_path + "/stamped.pdf"
    with open(path, "wb") as handle:
        handle.write(data)
    code, output = cli_verify(app, path, CONSULT_TSA_TRUST=str(root_pem))
    assert code == 0 and "time: time-stamped" in output and "(trusted)" in output

    replace_settings(app, TSA_URL=f"http://127.0.0.1:{free_port()}/tsa", TSA_TIMEOUT=2)
    asked = worker.post(f"/rounds/{round_id}/exports", json={"kind": "pdf_annex"}).get_json()
    failed = wait_ready(worker, round_id, asked["id"], seconds=180)
    assert failed["status"] == "failed" and failed["attempts"] == 3
    assert "time-stamping authority" in failed["error"] and "out of memory" not in failed["error"]
