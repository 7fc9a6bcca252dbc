"""Promises 6 and 9 need the signed PDF to exist: the first exports of a freshly started process (the outcome's
PDF for the registry and a party's annex, asked for at once after the conclusion) must each be signed.

Observed: consult/documents/signing.py's `system_roots()` is a process-wide `functools.cache` of asn1crypto
certificates, which parse themselves lazily on first use; two threads signing at once for the first time parse
the same objects together and pyHanko's ValidationContext fails with asn1crypto's KeyError ("No field numbered
1 is present in this asn1crypto.x509.NameTypeAndValue"): the export fails ("export 1 failed" in the log). Each
run needs a fresh process (the cache lives for the process), so each is a child process."""

from __future__ import annotations

import json
import subprocess
import sys

from consult.paths import ROOT

CHILD = """
import io, json, pathlib, sys, tempfile, threading
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter
from consult.documents.keys import ensure_platform_key
from consult.documents.signing import sign_pdf

writer = PdfFileWriter()
writer.insert_page(generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Page"),
    generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)])}))
out = io.BytesIO()
writer.write(out)
key = ensure_platform_key(pathlib.Path(tempfile.mkdtemp()))
errors = []

def sign():
    try:
        sign_pdf(out.getvalue(), key, digest="a" * 64)
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")

threads = [threading.Thread(target=sign) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps(errors))
"""


def test_the_first_signings_of_a_process_made_at_once_all_succeed():
    failures = []
    for _ in range(3):
        child = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert child.returncode == 0, child.stderr[-2000:]
        failures += json.loads(child.stdout.strip().splitlines()[-1])
    assert not failures, failures[:3]
