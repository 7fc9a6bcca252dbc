"""The render's child process imports the installed package whatever the working directory, and a child that
cannot start says why (not "probably out of memory")."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from consult.documents.verification import verify_pdf
from consult.outcomes.keys import platform_key
from consult.paths import ROOT
from tests.outcomes.helpers import outcome_world
from tests.processes import CONSULT, consult_environment, free_port, stop
from tests.registry.test_registry import conclude


def beside_a_checkout_named_consult(tmp_path: Path) -> Path:
    """A service manager's working folder: it holds the checkout, in a folder named like the package."""
    parent = tmp_path / "srv"
    parent.mkdir()
    (parent / "consult").symlink_to(ROOT, target_is_directory=True)
    return parent


@pytest.mark.one_database("sqlite", "where the renderer's process imports from does not depend on the database")
def test_consult_serve_started_from_the_checkouts_parent_folder_exports(app, api, make, tmp_path):
    world = outcome_world(make)
    conclude(api, world)
    round_id = world["round"].id
    headers = {"Authorization": f"Bearer {make.token(world['worker'])}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = consult_environment(app.config["DATABASE_URL"], Path(app.instance_path), CONSULT_BASE_URL=base)
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen([str(CONSULT), "serve", "--port", str(port)], cwd=beside_a_checkout_named_consult(
        tmp_path), env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/login", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its first answer is slow
                assert time.monotonic() < deadline and process.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
        job = requests.post(f"{base}/api/v1/rounds/{round_id}/exports", json={"kind": "pdf"}, headers=headers,
                            timeout=30).json()
        deadline = time.monotonic() + 180
        while job["status"] not in ("ready", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
            job = requests.get(f"{base}/api/v1/rounds/{round_id}/exports/{job['id']}", headers=headers,
                               timeout=30).json()
        assert job["status"] == "ready", job
        download = requests.get(base + job["download_url"], headers=headers, timeout=30)
        assert download.status_code == 200
        assert verify_pdf(download.content, trust=[platform_key(app).certificate]).intact
    finally:
        stop([process])
        log.close()


def test_a_render_child_that_cannot_start_says_why(tmp_path):
    # A fork server started the plain way, from a folder that shadows the package (by other code in the process,
    # say): its preload of the renderer failed there, and every child forked from it inherits the failure.
    script = tmp_path / "render.py"
    script.write_text(
        "import multiprocessing\n"
        "from multiprocessing import forkserver\n"
        "from consult.documents.sandbox import RenderFailed, render_in_child\n"
        "if __name__ == '__main__':\n"
        "    multiprocessing.get_context('forkserver').set_forkserver_preload(['consult.documents.sandbox'])\n"
        "    forkserver.ensure_running()\n"
        "    try:\n"
        "        render_in_child({'digest': '0' * 64}, timeout=60)\n"
        "    except RenderFailed as error:\n"
        "        print('failed:', error)\n")
    # The folder holds another project's package named consult. (A checkout beside it no longer stops the render
    # of an editable install: its submodules resolve to the installed package, and nothing reads the package's
    # own __init__ any more, ROOT being in consult.paths.)
    shadow = tmp_path / "srv" / "consult"
    (shadow / "documents").mkdir(parents=True)
    (shadow / "__init__.py").write_text('"""Another project."""\n')
    (shadow / "documents" / "__init__.py").write_text('"""Its documents."""\n')
    answer = subprocess.run([sys.executable, str(script)], cwd=shadow.parent,
                            capture_output=True, text=True, timeout=120)
    said = answer.stdout
    assert said.startswith("failed: the renderer process could not start"), (said, answer.stderr[-2000:])
    assert "folder named 'consult'" in said and str(tmp_path / "srv" / "consult") in said
    assert "out of memory" not in said
