"""PDF figures: the outcome document rendered by bare WeasyPrint and by consult's pipeline, in one run.

bare: `HTML(string=...).write_pdf()` on the same HTML, in this process.
consult: `render_outcome_pdf` (a child process with limits and the locked-down fetcher) then `sign_pdf`.

    .venv/bin/python bench/pdf.py [--sections 7,60] [--repeats 3]

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdf  # noqa: E402
from weasyprint import HTML  # noqa: E402

from consult.documents.render import EXPORTS, asset_fetcher, render_html, render_outcome_pdf  # noqa: E402
from consult.documents.signing import ensure_platform_key, sign_pdf  # noqa: E402
from tests.documents.test_pdf import DOCUMENT  # noqa: E402


def document(sections: int) -> dict:
    """The test document, with as many sections (and annex comments) as asked for."""
    body = copy.deepcopy(DOCUMENT)
    template = body["sections"][-1]
    body["sections"] = [{**copy.deepcopy(template), "key": f"s{n}", "title": f"Section {n}"} for n in range(sections)]
    body["annex"] = [{"section": f"Section {n % sections}", "author": "Worker representative 1",
                      "posted_at": "2027-02-01T10:00:00+00:00", "body_html": "<p>" + "A remark. " * 40 + "</p>"}
                     for n in range(sections * 3)]
    return body


def timed(action) -> tuple[float, object]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default="7,60")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    key = ensure_platform_key(Path(tempfile.mkdtemp(prefix="consult-pdf-bench-")))
    runs = {}
    for sections in (int(n) for n in options.sections.split(",")):
        doc = document(sections)
        html = render_html(doc)
        bare, ours, signing, pages = [], [], [], 0
        for _ in range(options.repeats):
            seconds, pdf = timed(lambda h=html: HTML(string=h, base_url=EXPORTS.as_uri() + "/",
                                                     url_fetcher=asset_fetcher(EXPORTS)).write_pdf())
            bare.append(seconds)
            seconds, pdf = timed(lambda d=doc: render_outcome_pdf(d))
            ours.append(seconds)
            seconds, _ = timed(lambda p=pdf, d=doc: sign_pdf(p, key, digest=d["digest"]))
            signing.append(seconds)
            pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        runs[sections] = {"pages": pages, "bare_median_s": round(statistics.median(bare), 3),
                          "consult_median_s": round(statistics.median(ours), 3),
                          "sign_median_s": round(statistics.median(signing), 3),
                          "ratio": round(statistics.median(ours) / statistics.median(bare), 2)}
        print(f"{sections} sections, {pages} pages: {runs[sections]}", file=sys.stderr)
    # The bare renders ran in this process: its peak is what one render of the largest document needs.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    largest = runs[max(runs)]
    print(json.dumps({"bench": "pdf", **largest, "peak_rss_mb": round(peak_mb, 1),
                      "runs": {str(k): v for k, v in runs.items()}}))


if __name__ == "__main__":
    main()
