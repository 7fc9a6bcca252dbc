"""What browser tests share beyond fixtures: waiting for the live script, and axe-core's accessibility check."""

from __future__ import annotations

import json

import pytest

from consult.paths import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def wait_until_live(page) -> None:
    """Wait until the page's live script has joined its round (the presence line is filled on joining)."""
    page.wait_for_function("() => (document.getElementById('presence') || {}).textContent.trim() !== '—'")


SERIOUS = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now.

    The app's CSP (`script-src 'self'`) forbids inline script, so axe is not added as a <script> element:
    Playwright evaluates its source through the DevTools protocol, which the page's CSP does not govern, and
    the app's policy is left exactly as served.
    """
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE.relative_to(ROOT)}: run `npm ci --ignore-scripts` "
                    "(scripts/test does where node and npm are present)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def assert_accessible(page, name: str) -> None:
    """Fail naming every serious or critical axe-core violation on `page` (id, impact, help, first targets)."""
    found = [v for v in axe_violations(page) if v.get("impact") in SERIOUS]
    lines = [f"{v['id']} ({v['impact']}): {v['help']} -- at "
             + ", ".join(json.dumps(node["target"]) for node in v["nodes"][:3])
             + (f" and {len(v['nodes']) - 3} more" if len(v["nodes"]) > 3 else "")
             for v in found]
    assert not found, f"axe-core found {len(found)} serious or critical violation(s) on {name}:\n" + "\n".join(lines)
