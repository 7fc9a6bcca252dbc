"""Export figures: an outcome of 6 sections with an annex of 300, 1,000 and 3,000 comments, rendered through
consult (a limited child process with the locked-down fetcher, then the PAdES signature) and the very same
final HTML through bare WeasyPrint with the same options (PDF/A-3b, tagged), in a child process too, so both
peaks are measured alike, in one run. Signing is timed apart (sign_seconds: the outcome's JSON embedded, B-LT
data), and again with an RFC 3161 timestamp from a time-stamping authority on 127.0.0.1
(sign_timestamped_seconds; timestamp_seconds the difference).

    .venv/bin/python bench/export.py [--comments 300,1000,3000] [--repeats 2]

The last line printed is one JSON object; its headline figures are those of 1,000 comments.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdf  # noqa: E402

from bench.pdf import outcome  # noqa: E402
from consult.documents.keys import ensure_platform_key  # noqa: E402
from consult.documents.render import EXPORTS, PDF_OPTIONS, render_html  # noqa: E402
from consult.documents.sandbox import render_in_child  # noqa: E402
from consult.documents.signing import sign_pdf  # noqa: E402


def _bare_child(html: str, connection) -> None:
    from weasyprint import HTML

    began = time.perf_counter()
    pdf = HTML(string=html, base_url=EXPORTS.as_uri() + "/").write_pdf(**PDF_OPTIONS)  # PDF/A-3b, tagged
    connection.send((time.perf_counter() - began, len(pdf), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def bare(html: str) -> tuple[float, float]:
    """Seconds and peak MB of bare WeasyPrint on the HTML, in a fresh child."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_bare_child, args=(html, sender))
    child.start()
    seconds, _size, peak = receiver.recv()
    child.join()
    return seconds, peak


def signing_seconds(pdf: bytes, key, document: dict, tsa) -> tuple[float, float]:
    """Seconds to sign the rendered PDF as an export does (its JSON embedded, B-LT): without, then with a timestamp."""
    from consult.outcomes.snapshot import canonical_json, digest_of

    canonical = canonical_json({k: v for k, v in document.items() if k != "annex"}).encode("utf-8")
    digest = digest_of(canonical.decode("utf-8"))
    began = time.perf_counter()
    sign_pdf(pdf, key, digest=digest, canonical=canonical)
    plain = time.perf_counter() - began
    began = time.perf_counter()
    sign_pdf(pdf, key, digest=digest, canonical=canonical, tsa_url=tsa.url, tsa_trust=[tsa.root])
    return plain, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", default="300,1000,3000")
    parser.add_argument("--repeats", type=int, default=2)
    options = parser.parse_args()
    key = ensure_platform_key(Path(tempfile.mkdtemp(prefix="consult-export-bench-")))
    from tests.tsa import local_tsa  # here, not above: every render child imports this module again

    services = ExitStack()
    tsa = services.enter_context(local_tsa())  # an RFC 3161 authority on 127.0.0.1 (tests/tsa.py)
    runs: dict[int, dict] = {}
    for comments in (int(n) for n in options.comments.split(",")):
        document = outcome(6, comments)
        html = render_html(document)
        ours, theirs, peaks, bare_peaks, signing, pages = [], [], [], [], [], 0
        for _ in range(options.repeats):  # alternate, so drift hits both alike
            seconds, peak = bare(html)
            theirs.append(seconds)
            bare_peaks.append(peak)
            began = time.perf_counter()
            result = render_in_child(document, timeout=600, memory_mb=4096)
            rendered = time.perf_counter() - began
            signing.append(signing_seconds(result.pdf, key, document, tsa))
            ours.append(rendered)
            peaks.append(result.peak_rss_mb or 0)
            pages = len(pypdf.PdfReader(io.BytesIO(result.pdf)).pages)
        runs[comments] = {
            "comments": comments, "pages": pages, "seconds": round(statistics.median(ours), 2),
            "bare_seconds": round(statistics.median(theirs), 2),
            "ratio": round(statistics.median(ours) / statistics.median(theirs), 3),
            "sign_seconds": round(statistics.median(s for s, _ in signing), 3),
            "sign_timestamped_seconds": round(statistics.median(t for _, t in signing), 3),
            "timestamp_seconds": round(statistics.median(t - s for s, t in signing), 3),
            "peak_mb": round(max(peaks), 1), "bare_peak_mb": round(max(bare_peaks), 1)}
        print(f"{comments} comments: {runs[comments]}", file=sys.stderr)
    services.close()
    headline = runs.get(1000) or runs[max(runs)]
    print(json.dumps({"bench": "export", **headline, "runs": {str(k): v for k, v in runs.items()}}))


if __name__ == "__main__":
    main()
