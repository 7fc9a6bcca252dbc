"""File names: normalised (NFKC, UAX #15) before separators are checked, so a full-width solidus is refused as
the / it stands for; the ASCII fallback of Content-Disposition never holds a separator or a dot-dot.

RFC 6266 s. 4.3: `filename*` (RFC 8187 s. 3.2.1: UTF-8, percent-encoded) carries the name, `filename` is
the fallback for old clients; s. 4.3 also asks recipients to drop path information, which the fallback
must therefore never need. The expected values are worked out by hand below.
"""

from __future__ import annotations

import pytest

from consult.package.download import content_disposition
from tests.factories import tripartite
from tests.package.files import PDF
from tests.package.helpers import attach

LOOKALIKES = {
    "full-width solidus": "a\uff0fb.pdf",  # NFKC: "a/b.pdf"
    "dot-dot escape with full-width solidi": "z..\uff0f..\uff0fescape.pdf",  # NFKC: "z../../escape.pdf"
    "full-width reverse solidus": "a\uff3cb.pdf",  # NFKC: "a\\b.pdf"
    "small reverse solidus": "a\ufe68b.pdf",  # NFKC: "a\\b.pdf"
    "division slash": "a\u2215b.pdf",  # NFKC leaves it: refused as a look-alike
    "fraction slash": "a\u2044b.pdf",
    "big solidus": "a\u29f8b.pdf",
    "isolate to reorder": "report\u2067fdp.exe\u2069.pdf",
    "zero-width space": "re\u200bport.pdf",
}


@pytest.mark.parametrize("case", list(LOOKALIKES), ids=list(LOOKALIKES))
def test_look_alike_separators_and_invisible_characters_are_refused(make, api, case):
    world = tripartite(make, stage="draft")
    response = attach(api(world["employer"]), world["round"].id, LOOKALIKES[case], PDF)
    assert response.status_code == 422, response.get_json()
    assert "filename" in response.get_json()["error"]["fields"]


def test_names_scripts_need_are_kept_and_served_with_a_safe_fallback(make, api):
    world = tripartite(make, stage="draft")
    name = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 r\u00e9sum\u00e9.pdf"  # Persian with a ZWNJ, then French
    response = attach(api(world["employer"]), world["round"].id, name, PDF)
    assert response.status_code == 201, response.get_json()
    [document] = api(world["employer"]).get(f"/rounds/{world['round'].id}/package").get_json()["documents"]
    [version] = document["versions"]
    assert version["filename"] == name
    download = api(world["employer"]).get(version["download"].removeprefix("/api/v1"))
    # By hand: the Persian letters have no ASCII decomposition and go; é decomposes to e + U+0301, which goes.
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="resume.pdf"; filename*=UTF-8\'\'%D9%85%DB%8C%E2%80%8C%D8%AE%D9%88%D8%A7%D9%87%D9%85'
        '%20r%C3%A9sum%C3%A9.pdf')


@pytest.mark.parametrize("stored, fallback", [
    ("a\uff0fb.pdf", "a_b.pdf"),  # stored before this check: NFKD makes it "a/b.pdf", the / becomes _
    ("z..\uff0f..\uff0fescape.pdf", "z._._escape.pdf"),  # no "..", no "/"
    ("a\uff3cb.pdf", "a_b.pdf"),
    ("..\\..\\win.ini", "win.ini"),  # stem "..\\..\\win": _ for each \\, dots collapsed, edges trimmed
    ("\u65e5\u672c.pdf", "download.pdf"),  # nothing of the stem survives in ASCII
    ('say "hi"; x=1.pdf', "say _hi__ x=1.pdf"),
])
def test_the_ascii_fallback_never_holds_a_separator_a_quote_or_a_dot_dot(stored, fallback):
    header = content_disposition(stored)
    assert header.startswith(f'attachment; filename="{fallback}"; filename*=UTF-8\'\'')
    assert "/" not in fallback and "\\" not in fallback and ".." not in fallback
