"""PDF figures: the outcome document rendered by bare WeasyPrint and by consult's pipeline, in one run.

bare: `HTML(string=...).write_pdf()` on the same HTML, in this process, with WeasyPrint's own URL fetcher.
consult: `render_in_child` (what `render_outcome_pdf` runs: a forkserver child under a memory limit and a
timeout, with the locked-down fetcher) then `sign_pdf` (PAdES, pyHanko). The child reports its own peak RSS
and peak address space (what CONSULT_EXPORT_MEMORY_MB limits). Verifying the signed file: consult's `verify_pdf`
(what the public verification page runs) beside pyHanko's own reader and `validate_pdf_signature` on it.

    .venv/bin/python bench/pdf.py [--pages 10,50] [--repeats 3]

Each size is rendered once first, unmeasured (it warms the forkserver and fixes the section count), then
bare and consult alternate. The last line printed is one JSON object of the figures for the largest size.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdf  # noqa: E402
from weasyprint import HTML  # noqa: E402

from consult.documents.keys import ensure_platform_key  # noqa: E402
from consult.documents.render import EXPORTS, render_html  # noqa: E402
from consult.documents.sandbox import render_in_child  # noqa: E402
from consult.documents.signing import sign_pdf  # noqa: E402
from consult.documents.verification import verify_pdf  # noqa: E402

DIGEST = "5e" * 32
FIXED_PAGES = 6  # title, contents, plan, commitments, participants, signatures
STATEMENT = ("The parties agree that the system proposes and a person decides; the works council reviews the "
             "rules every quarter and any worker may ask for the reasons of a decision. ")


def outcome(sections: int, comments: int) -> dict[str, Any]:
    """An outcome document with `sections` sections (about a page each) and `comments` annex comments."""
    return {
        "language": "en", "digest": DIGEST, "version": 1, "frozen_at": "2027-03-01T10:00:00+00:00",
        "verify_url": f"https://consult.example/verify/{DIGEST}",
        "round": {"id": 1, "title": "ShiftPilot at Northgate Logistics", "workflow": "standard",
                  "time_zone": "Europe/Berlin", "employer": "Northgate Logistics"},
        "plan": {"system_name": "ShiftPilot", "provider": "Optimal Workforce Systems",
                 "purpose": "Weekly rosters from demand forecasts.", "functions": ["scheduling", "monitoring"],
                 "is_high_risk": True, "workers_affected": 1850, "worker_groups": "Pickers, drivers",
                 "sites": "Hamburg, Bremen", "data_collected": "Scanner events", "data_retention": "90 days",
                 "data_access": "Shift leads", "human_oversight": "Leads approve every roster",
                 "contest_route": "Works council within 14 days", "rollout_starts_on": "2027-04-01",
                 "rollout_completes_on": "2027-09-30", "country": "DE", "sector": "Logistics"},
        "sections": [{"key": f"s{n}", "title": f"Section {n + 1}: rostering rule {n + 1}",
                      "impact_statement": "Rosters change weekly for 1,850 workers.",
                      "position": {"version": 2, "text_html": "<p>" + STATEMENT * 8 + "</p><ul><li>Review "
                                   "quarterly</li><li>Explain each decision</li></ul>"},
                      "stances": [{"constituency": c, "stance": s, "statement": STATEMENT}
                                  for c, s in (("workers", "agree_with_reservation"), ("employers", "agree"),
                                               ("government", "agree"))]}
                     for n in range(sections)],
        "commitments": [{"description": f"Commitment {n + 1}: publish the rostering audit", "owner": "Northgate",
                         "kpi": "Audits published", "target": "1 per year", "due_on": "2027-12-31"}
                        for n in range(8)],
        "participants": [{"organisation": f"Organisation {n + 1}", "constituency": c,
                          "people": [f"Representative {n + 1}.{m + 1}" for m in range(3)]}
                         for n, c in enumerate(("workers", "employers", "government", "workers"))],
        "signatures": [{"constituency": c, "name": f"Signatory for {c}", "organisation": f"{c.title()} org",
                        "role": "Representative", "signed_at": "2027-03-02T09:00:00+00:00", "reservation": None}
                       for c in ("workers", "employers", "government")],
        "annex": [{"section": f"Section {n % max(sections, 1) + 1}", "author": f"Worker representative {n % 5}",
                   "posted_at": "2027-02-01T10:00:00+00:00", "body_html": "<p>" + STATEMENT * 3 + "</p>"}
                  for n in range(comments)],
    }


def sized(pages: int) -> dict[str, Any]:
    """A document of about `pages` pages: four fifths sections, the rest annex comments (about 7 a page)."""
    flexible = max(pages - FIXED_PAGES, 2)
    sections = max(1, round(flexible * 0.8))
    return outcome(sections, comments=max(1, (flexible - sections) * 7))


def count_pages(pdf: bytes) -> int:
    """The number of pages of a PDF."""
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def bare_render(html: str) -> bytes:
    """Plain WeasyPrint, as a project without consult's limits would call it."""
    return HTML(string=html, base_url=EXPORTS.as_uri() + "/").write_pdf()


def bare_verify(pdf: bytes, certificate) -> bool:
    """pyHanko alone: its reader, and the signature validated against the platform's certificate."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signature = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[0]
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[certificate], allow_fetching=False))
    return bool(status.intact and status.valid)


def measure(target: int, repeats: int, key) -> dict[str, Any]:
    """Bare and consult timings, alternating, for a document of about `target` pages."""
    document = sized(target)
    html = render_html(document)
    pages = count_pages(render_in_child(document).pdf)  # warm-up, unmeasured
    bare_pages = count_pages(bare_render(html))
    bare, render, sign, total, rss, vm, verify, bare_verified = [], [], [], [], [], [], [], []
    for _ in range(repeats):
        began = time.perf_counter()
        bare_render(html)
        bare.append(time.perf_counter() - began)

        began = time.perf_counter()
        result = render_in_child(document)
        rendered = time.perf_counter()
        signed = sign_pdf(result.pdf, key, digest=DIGEST)
        ended = time.perf_counter()
        assert verify_pdf(signed, trust=[key.certificate]).intact
        verified = time.perf_counter()
        verify.append(verified - ended)
        assert bare_verify(signed, key.certificate)
        bare_verified.append(time.perf_counter() - verified)
        render.append(rendered - began)
        sign.append(ended - rendered)
        total.append(ended - began)
        rss.append(result.peak_rss_mb)
        vm.append(result.peak_vm_mb or 0.0)
    bare_s, consult_s = statistics.median(bare), statistics.median(total)
    return {"pages": pages, "bare_pages": bare_pages, "bare_median_s": round(bare_s, 3),
            "consult_median_s": round(consult_s, 3), "ratio": round(consult_s / bare_s, 2),
            "render_median_s": round(statistics.median(render), 3),
            "render_ratio": round(statistics.median(render) / bare_s, 2),
            "sign_median_s": round(statistics.median(sign), 3),
            "verify_median_s": round(statistics.median(verify), 3),
            "bare_verify_median_s": round(statistics.median(bare_verified), 3),
            "verify_ratio": round(statistics.median(verify) / statistics.median(bare_verified), 2),
            "pages_per_s_bare": round(pages / bare_s, 1), "peak_rss_mb": round(max(rss), 1),
            "peak_vm_mb": round(max(vm), 1)}


def main() -> None:
    """Run every size and print the figures, the last line as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="10,50", help="approximate page counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    key = ensure_platform_key(Path(tempfile.mkdtemp(prefix="consult-pdf-bench-")))
    runs: dict[int, dict[str, Any]] = {}
    for target in sorted(int(n) for n in options.pages.split(",")):
        runs[target] = figures = measure(target, options.repeats, key)
        print(f"~{target} pages ({figures['pages']} rendered): bare {figures['bare_median_s']} s, consult "
              f"{figures['consult_median_s']} s (render {figures['render_median_s']} s + sign "
              f"{figures['sign_median_s']} s), ratio {figures['ratio']}, child peak RSS {figures['peak_rss_mb']} MB, "
              f"address space {figures['peak_vm_mb']} MB; verify {figures['verify_median_s']} s against pyHanko's "
              f"{figures['bare_verify_median_s']} s ({figures['verify_ratio']})", file=sys.stderr)
    largest = runs[max(runs)]
    print(json.dumps({"bench": "pdf", **largest, "repeats": options.repeats,
                      "runs": {str(figures["pages"]): figures for figures in runs.values()}}))


if __name__ == "__main__":
    main()
