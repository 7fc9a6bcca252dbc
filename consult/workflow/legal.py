"""The legal parts of a workflow file: clocks that start at an event, extensions an event triggers, what is
recorded at expiry, consent per function, the rollout rule, expert costs, the plan items a profile requires.

Everything here is declared in `workflows/*.toml` and validated when the file is loaded; the services in
consult/opinions and consult/timeline read it. Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from consult.workflow.agreement import SignatoryRule, parse_signatories
from consult.workflow.calendar import Jurisdiction, parse_jurisdiction

#: Events a clock may start at or be extended by (stage.entered: the clock's own stage was entered).
CLOCK_EVENTS = frozenset({"stage.entered", "package.released", "package.acknowledged", "expert.appointed",
                          "bdese.notified"})
#: What may be recorded automatically when a clock runs out.
AT_EXPIRY = frozenset({"opinion_deemed_negative"})
#: Plan items a profile may require (each optional otherwise).
PLAN_ITEMS = frozenset({"decision_categories", "data_recipients", "deployer_checklist", "monitored_data",
                        "account_decisions", "platform_workers_in_member_state", "impact_assessment"})
CLOCK_KEYS = frozenset({"starts_at", "length", "extensions", "at_expiry", "basis", "agreement_basis",
                        "establishment_opinions"})
EXTENSION_KEYS = frozenset({"after", "count", "length", "basis", "two_level"})
WORKFLOW_SECTIONS = frozenset({"consent", "rollout", "experts", "plan", "signatories", "jurisdiction"})
#: What consent per function may block until every function is settled (consented, ruled on, or withdrawn).
CONSENT_GATES = frozenset({"rollout", "conclusion"})
CONSENT_KEYS = frozenset({"per", "by", "if_refused", "basis", "gates", "conciliation_basis"})


@dataclass(frozen=True)
class ClockExtension:
    """Once `count` events of type `after` are in the round, the clock runs `length` from its start (with
    `two_level`: only in a consultation held at central and establishment level, R2312-6)."""

    after: str
    count: int
    length: Any  # a definitions.Duration
    basis: str
    two_level: bool = False


@dataclass(frozen=True)
class Clock:
    """A legal clock: a stage's deadline counted from an event rather than from entering the stage."""

    starts_with: tuple[str, ...]  # the first of these events starts it (R2312-5: the package or the BDESE)
    length: Any  # a definitions.Duration
    extensions: tuple[ClockExtension, ...]
    at_expiry: str | None
    basis: str
    agreement_basis: str | None = None  # a company agreement may set the length instead (L2312-19)
    establishment_opinions: Any = None  # a Duration: establishment opinions due this long before the end

    @property
    def starts_at(self) -> str:
        """The clock's main start event (the one pages name)."""
        return self.starts_with[0]

    def length_after(self, counts: dict[str, int], is_two_level: bool = False) -> tuple[Any, ClockExtension | None]:
        """The clock's length given how many of each event the round holds, and the extension that set it."""
        length, applied = self.length, None
        for extension in self.extensions:  # in file order: the later, longer extension wins when it applies
            if counts.get(extension.after, 0) >= extension.count and (is_two_level or not extension.two_level):
                length, applied = extension.length, extension
        return length, applied

    @property
    def events(self) -> frozenset[str]:
        """Every event that can set or move this clock."""
        return frozenset({*self.starts_with, *(e.after for e in self.extensions), "clock.reading_recorded",
                          "clock.agreement_recorded"})


@dataclass(frozen=True)
class ConsentRule:
    """Consent per algorithmic-management function of the plan, given or refused by one constituency."""

    by: str
    if_refused: str
    basis: str
    gates: frozenset[str] = frozenset()  # what unsettled consent blocks: "rollout", "conclusion"
    conciliation_basis: str = ""  # the board whose ruling replaces consent (BetrVG §87(2), §76)


@dataclass(frozen=True)
class RolloutRule:
    """The plan's rollout may not start before the end of a stage (and the package's release)."""

    after_stage: str
    basis: str
    only_if_high_risk: bool


@dataclass(frozen=True)
class ExpertRule:
    """Who bears an expert's costs: above `costs_borne_above` workers, the employer (or platform)."""

    costs_borne_above: int | None
    basis: str
    counted_on: str = "workers_affected"  # the plan field the threshold counts (Art. 13(2): platform workers)


@dataclass(frozen=True)
class LegalRules:
    """A workflow's legal sections (each None when the file does not declare it)."""

    consent: ConsentRule | None = None
    rollout: RolloutRule | None = None
    experts: ExpertRule | None = None
    plan_requires: frozenset[str] = frozenset()
    signatories: SignatoryRule | None = None
    jurisdiction: Jurisdiction | None = None  # None: not a legal procedure (standard, fast-track)


def _text(raw: dict[str, Any], key: str, label: str, problems: list[str], required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        problems.append(f"{label}: {key!r} must be a non-empty text")
        return ""
    return value


def _unknown(raw: dict[str, Any], allowed: frozenset[str], label: str, problems: list[str]) -> None:
    for unknown in sorted(set(raw) - allowed):
        problems.append(f"{label}: unknown setting {unknown!r}")


def parse_clock(raw: Any, label: str, problems: list[str], parse_duration: Callable[[str], Any]) -> Clock | None:
    """A stage's `[stages.clock]` table, or None with its problems appended."""
    if not isinstance(raw, dict):
        problems.append(f"{label}: 'clock' must be a table")
        return None
    label = f"{label}: clock"
    _unknown(raw, CLOCK_KEYS, label, problems)
    starts_at = raw.get("starts_at")
    starts_with = tuple(starts_at) if isinstance(starts_at, list) else (starts_at,)
    if not starts_with or any(event not in CLOCK_EVENTS for event in starts_with):
        problems.append(f"{label}: 'starts_at' must be one of {', '.join(sorted(CLOCK_EVENTS))} (or a list of them)")
    length = _length(raw.get("length"), label, problems, parse_duration)
    extensions = []
    for index, item in enumerate(raw.get("extensions", ())):
        where = f"{label}: extension {index + 1}"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a table")
            continue
        _unknown(item, EXTENSION_KEYS, where, problems)
        if item.get("after") not in CLOCK_EVENTS:
            problems.append(f"{where}: 'after' must be one of {', '.join(sorted(CLOCK_EVENTS))}")
        count = item.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            problems.append(f"{where}: 'count' must be a whole number of at least 1")
        extended = _length(item.get("length"), where, problems, parse_duration)
        if extended is not None and length is not None and extended.delta <= length.delta:
            problems.append(f"{where}: the extended length must be longer than the clock's length")
        two_level = item.get("two_level", False)
        if not isinstance(two_level, bool):
            problems.append(f"{where}: 'two_level' must be true or false")
        extensions.append(ClockExtension(str(item.get("after")), count if isinstance(count, int) else 1, extended,
                                         _text(item, "basis", where, problems), two_level is True))
    at_expiry = raw.get("at_expiry")
    if at_expiry is not None and at_expiry not in AT_EXPIRY:
        problems.append(f"{label}: 'at_expiry' must be one of {', '.join(sorted(AT_EXPIRY))}")
    basis = _text(raw, "basis", label, problems)
    agreement = _text(raw, "agreement_basis", label, problems) if "agreement_basis" in raw else None
    before = None
    if "establishment_opinions" in raw:
        before = _length(raw["establishment_opinions"], f"{label}: establishment_opinions", problems, parse_duration)
        if before is not None and before.unit != "days":
            problems.append(f"{label}: 'establishment_opinions' is a number of days before the end (\"7d\")")
    return Clock(tuple(str(e) for e in starts_with), length, tuple(extensions), at_expiry, basis, agreement, before)


def _length(text: Any, label: str, problems: list[str], parse_duration: Callable[[str], Any]) -> Any:
    try:
        length = parse_duration(str(text))
    except ValueError as error:
        problems.append(f"{label}: length: {error}")
        return None
    if length is None:
        problems.append(f"{label}: a clock needs a length")
    return length


def parse_legal(data: dict[str, Any], where: str, stage_keys: list[str], problems: list[str],
                constituencies: frozenset[str]) -> LegalRules:
    """The workflow's `[consent]`, `[rollout]`, `[experts]` and `[plan]` tables, validated."""
    consent = rollout = experts = None
    if (raw := data.get("consent")) is not None:
        label = f"{where}: consent"
        _unknown(raw, CONSENT_KEYS, label, problems)
        if raw.get("per", "function") != "function":
            problems.append(f"{label}: 'per' must be \"function\" (consent per algorithmic-management function)")
        if raw.get("by") not in constituencies:
            problems.append(f"{label}: 'by' must be one of {', '.join(sorted(constituencies))}")
        gates = raw.get("gates", [])
        if not isinstance(gates, list) or any(gate not in CONSENT_GATES for gate in gates):
            problems.append(f"{label}: 'gates' must list some of {', '.join(sorted(CONSENT_GATES))}")
            gates = []
        if gates and not str(raw.get("conciliation_basis", "")).strip():
            problems.append(f"{label}: consent that gates needs 'conciliation_basis' (the board that settles a "
                            "refusal)")
        consent = ConsentRule(str(raw.get("by")), _text(raw, "if_refused", label, problems),
                              _text(raw, "basis", label, problems), frozenset(gates),
                              str(raw.get("conciliation_basis", "")))
    if (raw := data.get("rollout")) is not None:
        label = f"{where}: rollout"
        _unknown(raw, frozenset({"after_stage", "basis", "only_if_high_risk"}), label, problems)
        if raw.get("after_stage") not in stage_keys:
            problems.append(f"{label}: 'after_stage' must name a stage of this workflow")
        flag = raw.get("only_if_high_risk", False)
        if not isinstance(flag, bool):
            problems.append(f"{label}: 'only_if_high_risk' must be true or false")
        rollout = RolloutRule(str(raw.get("after_stage")), _text(raw, "basis", label, problems), bool(flag))
    if (raw := data.get("experts")) is not None:
        label = f"{where}: experts"
        _unknown(raw, frozenset({"costs_borne_above", "basis", "counted_on"}), label, problems)
        above = raw.get("costs_borne_above")
        if above is not None and (not isinstance(above, int) or isinstance(above, bool) or above < 0):
            problems.append(f"{label}: 'costs_borne_above' must be a whole number of workers")
            above = None
        counted_on = raw.get("counted_on", "workers_affected")
        if counted_on not in {"workers_affected", "platform_workers_in_member_state"}:
            problems.append(f"{label}: 'counted_on' must be workers_affected or platform_workers_in_member_state")
        experts = ExpertRule(above, _text(raw, "basis", label, problems), str(counted_on))
    requires: frozenset[str] = frozenset()
    if (raw := data.get("plan")) is not None:
        label = f"{where}: plan"
        _unknown(raw, frozenset({"requires"}), label, problems)
        wanted = raw.get("requires", [])
        wrong = [item for item in wanted if item not in PLAN_ITEMS]
        if wrong:
            problems.append(f"{label}: unknown plan item {', '.join(map(repr, wrong))}; "
                            f"use {', '.join(sorted(PLAN_ITEMS))}")
        requires = frozenset(item for item in wanted if item in PLAN_ITEMS)
    signatories = parse_signatories(data["signatories"], where, problems) if "signatories" in data else None
    jurisdiction = parse_jurisdiction(data["jurisdiction"], where, problems) if "jurisdiction" in data else None
    return LegalRules(consent, rollout, experts, requires, signatories, jurisdiction)


def check_consistency(stages: list[Any], legal: LegalRules, where: str, problems: list[str]) -> None:
    """Rules that tie the stages to the legal sections: consent opened needs [consent], and so on."""
    for stage in stages:
        label = f"{where}: stage {stage.key!r}"
        if "consent" in stage.open and legal.consent is None:
            problems.append(f"{label}: opens 'consent' but the workflow has no [consent] table")
        for needs_consent in ("consents_decided", "consents_settled"):
            if needs_consent in stage.gates and legal.consent is None:
                problems.append(f"{label}: gate {needs_consent!r} needs a [consent] table")
        if "rule" in stage.open and (legal.consent is None or not legal.consent.conciliation_basis):
            problems.append(f"{label}: opens 'rule' but the [consent] table names no 'conciliation_basis'")
        if stage.clock is not None:
            if legal.jurisdiction is None:
                problems.append(f"{label}: a legal clock needs the workflow's [jurisdiction] table (country, "
                                "time_zone, next_working_day, basis): it is counted in the law's time zone")
            if stage.duration is not None:
                problems.append(f"{label}: a stage with a clock has duration = \"none\": the clock sets its deadline")
            if stage.on_deadline not in {"advance", "hold"}:
                problems.append(f"{label}: a stage with a clock must say what happens at its deadline "
                                "(advance or hold)")
            if stage.clock.at_expiry == "opinion_deemed_negative" and not stage.open.get("opinion"):
                problems.append(f"{label}: 'opinion_deemed_negative' needs the stage to open 'opinion' to someone")


def check_consent_gates(stages: list[Any], legal: LegalRules, where: str, problems: list[str]) -> None:
    """Consent that gates the conclusion needs the stage before the last to hold on 'consents_settled'."""
    if legal.consent is None or "conclusion" not in legal.consent.gates or len(stages) < 2:
        return
    if "consents_settled" not in stages[-2].gates:
        problems.append(f"{where}: consent gates the conclusion, so stage {stages[-2].key!r} needs the gate "
                        "'consents_settled'")


def is_event_name(text: str) -> bool:
    """Whether a text looks like an event type (`expert.appointed`)."""
    return bool(re.fullmatch(r"[a-z_]+\.[a-z_]+", text))
