"""Who signs a profile's outcome, and what the document is: the `[signatories]` table of a workflow file.

A works agreement (Betriebsvereinbarung) is concluded by the employer and the works council and signed by
both (BetrVG §77(2)), not by a ministry: a profile that declares `required` fixes the constituencies whose
signatures conclude every round under it, and the sign-off gates, the signing and the PDF follow it. Pure:
no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

SIGNATORY_KEYS = frozenset({"required", "document", "basis"})
SIGNING = frozenset({"workers", "employers", "government"})


@dataclass(frozen=True)
class SignatoryRule:
    """The constituencies that sign the outcome under this profile, the document's name and its legal basis."""

    required: tuple[str, ...]
    document: str
    basis: str


def parse_signatories(raw: object, where: str, problems: list[str]) -> SignatoryRule | None:
    """The workflow's `[signatories]` table, validated (None with its problems appended when it is wrong)."""
    label = f"{where}: signatories"
    if not isinstance(raw, dict):
        problems.append(f"{label}: must be a table")
        return None
    for unknown in sorted(set(raw) - SIGNATORY_KEYS):
        problems.append(f"{label}: unknown setting {unknown!r}")
    required = raw.get("required")
    if (not isinstance(required, list) or not required or any(r not in SIGNING for r in required)
            or len(set(required)) != len(required)):
        problems.append(f"{label}: 'required' must list, once each, some of {', '.join(sorted(SIGNING))}")
        return None
    texts = {}
    for key in ("document", "basis"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{label}: {key!r} must be a non-empty text")
        texts[key] = value if isinstance(value, str) else ""
    return SignatoryRule(tuple(sorted(required)), texts["document"], texts["basis"])
