"""A profile's EU-law settings: when the duty applies, the shortest stage lengths, what is prohibited, who is
informed one by one, and the national act that transposes a directive.

Declared in `workflows/*.toml` and validated when loaded, beside `consult.workflow.legal`. Pure: no Flask, no
database. Every refusal built from these settings names its article and, for Art. 26, the date it applies from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DUTY_SECTIONS = frozenset({"application", "minimum_lengths", "prohibitions", "individual_information",
                           "transposition"})
#: Practices a profile may declare prohibited, with the plan field and value that declares them.
PROHIBITABLE = {"emotion_recognition_at_work": ("emotion_recognition", "at_work")}


@dataclass(frozen=True)
class Application:
    """The date an obligation applies from, its source, and a later date a pending act would set (uncertain)."""

    applies_from: dt.date
    basis: str
    pending_date: dt.date | None = None
    pending_basis: str = ""

    def sentence(self) -> str:
        """The date of application in words, with the uncertain later reading where there is one."""
        text = f"It applies from {self.applies_from.strftime('%-d %B %Y')} ({self.basis})."
        if self.pending_date is not None:
            text += (f" Uncertain: {self.pending_basis} would move it to {self.pending_date.strftime('%-d %B %Y')}; "
                     "consult follows the Regulation as published until that act is published in the Official "
                     "Journal: check with your lawyer.")
        return text


@dataclass(frozen=True)
class MinimumLengths:
    """The shortest length each named stage may be given by a round, and why."""

    lengths: dict[str, Any]  # stage key -> definitions.Duration
    basis: str


@dataclass(frozen=True)
class Prohibition:
    """A practice the profile refuses outright, with the article that prohibits it."""

    practice: str
    basis: str
    applies_from: dt.date


@dataclass(frozen=True)
class IndividualInformation:
    """Each affected worker is informed one by one (a mail, or a printable letter), as the article says."""

    basis: str
    subject: str
    before_stage: str  # the stage that may not be left before every listed worker is informed


@dataclass(frozen=True)
class Transposition:
    """A directive's transposition: its due date and the national act the deployer names for its Member State."""

    due: dt.date
    act: str
    basis: str


@dataclass(frozen=True)
class Duties:
    """A workflow's EU-law settings (each None or empty when the file does not declare it)."""

    application: Application | None = None
    minimum_lengths: MinimumLengths | None = None
    prohibitions: tuple[Prohibition, ...] = ()
    individual_information: IndividualInformation | None = None
    transposition: Transposition | None = None


def _unknown(raw: dict[str, Any], allowed: set[str], label: str, problems: list[str]) -> None:
    for unknown in sorted(set(raw) - allowed):
        problems.append(f"{label}: unknown setting {unknown!r}")


def _text(raw: dict[str, Any], key: str, label: str, problems: list[str]) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{label}: {key!r} must be a non-empty text")
        return ""
    return value


def _date(raw: dict[str, Any], key: str, label: str, problems: list[str], required: bool = True) -> dt.date | None:
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        problems.append(f"{label}: {key!r} must be a date (2026-08-02)")
        return None
    return value


def _table(data: dict[str, Any], key: str, where: str, problems: list[str]) -> dict[str, Any] | None:
    raw = data.get(key)
    if raw is not None and not isinstance(raw, dict):
        problems.append(f"{where}: {key}: must be a table")
        return None
    return raw


def parse_duties(data: dict[str, Any], where: str, stages: list[Any], problems: list[str],
                 parse_duration: Callable[[str], Any]) -> Duties:
    """The workflow's `[application]`, `[minimum_lengths]`, `[prohibitions]`, `[individual_information]` and
    `[transposition]` tables, validated against its stages."""
    application = minimums = information = transposition = None
    prohibitions: list[Prohibition] = []
    if (raw := _table(data, "application", where, problems)) is not None:
        label = f"{where}: application"
        _unknown(raw, {"applies_from", "basis", "pending_date", "pending_basis"}, label, problems)
        start, later = _date(raw, "applies_from", label, problems), _date(raw, "pending_date", label, problems, False)
        if later is not None and start is not None and later <= start:
            problems.append(f"{label}: 'pending_date' must come after 'applies_from'")
        pending = _text(raw, "pending_basis", label, problems) if later is not None else ""
        application = Application(start or dt.date.min, _text(raw, "basis", label, problems), later, pending)
    if (raw := _table(data, "minimum_lengths", where, problems)) is not None:
        minimums = _minimums(raw, f"{where}: minimum_lengths", stages, problems, parse_duration)
    if (raw := _table(data, "prohibitions", where, problems)) is not None:
        for practice, item in raw.items():
            label = f"{where}: prohibitions: {practice}"
            if practice not in PROHIBITABLE:
                problems.append(f"{label}: unknown practice; use {', '.join(sorted(PROHIBITABLE))}")
                continue
            if not isinstance(item, dict):
                problems.append(f"{label}: must be a table")
                continue
            _unknown(item, {"basis", "applies_from"}, label, problems)
            prohibitions.append(Prohibition(practice, _text(item, "basis", label, problems),
                                            _date(item, "applies_from", label, problems) or dt.date.min))
    if (raw := _table(data, "individual_information", where, problems)) is not None:
        label = f"{where}: individual_information"
        _unknown(raw, {"basis", "subject", "before_stage"}, label, problems)
        keys = [stage.key for stage in stages]
        if raw.get("before_stage") not in keys:
            problems.append(f"{label}: 'before_stage' must name a stage of this workflow")
        information = IndividualInformation(_text(raw, "basis", label, problems),
                                            _text(raw, "subject", label, problems), str(raw.get("before_stage")))
    if (raw := _table(data, "transposition", where, problems)) is not None:
        label = f"{where}: transposition"
        _unknown(raw, {"due", "act", "basis"}, label, problems)
        transposition = Transposition(_date(raw, "due", label, problems) or dt.date.min,
                                      _text(raw, "act", label, problems), _text(raw, "basis", label, problems))
    return Duties(application, minimums, tuple(prohibitions), information, transposition)


def _minimums(raw: dict[str, Any], label: str, stages: list[Any], problems: list[str],
              parse_duration: Callable[[str], Any]) -> MinimumLengths:
    basis = _text(raw, "basis", label, problems)
    by_key = {stage.key: stage for stage in stages}
    lengths: dict[str, Any] = {}
    for key, text in raw.items():
        if key == "basis":
            continue
        stage = by_key.get(key)
        if stage is None or stage.duration is None:
            problems.append(f"{label}: {key!r} is not a timed stage of this workflow")
            continue
        try:
            length = parse_duration(str(text))
        except ValueError as error:
            problems.append(f"{label}: {key}: {error}")
            continue
        if length is None or length.unit == "months":
            problems.append(f"{label}: {key}: give a minimum in days or hours")
        elif length.delta > stage.duration.delta:
            problems.append(f"{label}: {key}: the minimum ({text}) is longer than the stage's own length")
        else:
            lengths[key] = length
    if not lengths:
        problems.append(f"{label}: name at least one stage and its minimum length")
    return MinimumLengths(lengths, basis)


def describe(duties: Duties) -> dict[str, Any] | None:
    """The profile's EU-law settings as the procedure page and the API show them (None when it has none)."""
    shown: dict[str, Any] = {}
    if (a := duties.application) is not None:
        shown["application"] = {"applies_from": a.applies_from.isoformat(), "basis": a.basis,
                                "pending_date": a.pending_date.isoformat() if a.pending_date else None,
                                "pending_basis": a.pending_basis or None, "is_uncertain": a.pending_date is not None,
                                "sentence": a.sentence()}
    if (m := duties.minimum_lengths) is not None:
        shown["minimum_lengths"] = {"lengths": {key: f"{d.amount}{d.unit[0]}" for key, d in m.lengths.items()},
                                    "basis": m.basis}
    if duties.prohibitions:
        shown["prohibitions"] = [{"practice": p.practice, "basis": p.basis, "applies_from": p.applies_from.isoformat()}
                                 for p in duties.prohibitions]
    if (t := duties.transposition) is not None:
        shown["transposition"] = {"due": t.due.isoformat(), "act": t.act, "basis": t.basis}
    return shown or None
