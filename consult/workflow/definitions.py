"""Workflow definitions: one TOML file per workflow, validated when loaded into frozen dataclasses."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from consult.workflow.duties import DUTY_SECTIONS, Duties, parse_duties
from consult.workflow.legal import (
    WORKFLOW_SECTIONS,
    Clock,
    LegalRules,
    check_consent_gates,
    check_consistency,
    parse_clock,
    parse_legal,
)

ACTIONS = frozenset({"ask", "answer", "comment", "caucus", "draft", "comment_draft", "stance", "sign", "edit_plan",
                     "opinion", "respond", "appoint_expert", "consent", "rule", "revise_functions"})
CONSTITUENCIES = frozenset({"workers", "employers", "government", "secretariat", "observers"})
EVERYONE = "all"
GATES = frozenset({"signatories_named", "stances_recorded", "outcome_signed", "questions_answered", "opinions_given",
                   "responses_given", "consents_decided", "consents_settled", "affected_workers_informed"})
ON_DEADLINE = frozenset({"advance", "hold", "manual", "none"})
STAGE_KEYS = frozenset({"key", "title", "duration", "open", "gates", "on_deadline", "reminders", "clock"})
_DURATION = re.compile(r"^(\d+)(mo|[dhms])$")
_UNITS = {"mo": "months", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


class WorkflowError(ValueError):
    """A workflow file that cannot be used; the message names the file, the stage and the problem."""


@dataclass(frozen=True)
class Duration:
    """A stage length: calendar days keep the local wall time across daylight-saving changes, the rest is exact."""

    amount: int
    unit: str  # months, days, hours, minutes or seconds

    @property
    def delta(self) -> timedelta:
        """The length as a timedelta (a day counted as 24 hours, a month as 31 days: for comparisons only)."""
        if self.unit == "months":
            return timedelta(days=31 * self.amount)
        return timedelta(**{self.unit: self.amount})


@dataclass(frozen=True)
class Stage:
    """One stage of a workflow."""

    key: str
    title: str
    duration: Duration | None
    open: dict[str, frozenset[str]]
    gates: tuple[str, ...]
    on_deadline: str
    reminders: tuple[timedelta, ...]
    clock: Clock | None = None

    @property
    def is_terminal(self) -> bool:
        """Whether the round ends here."""
        return self.on_deadline == "none"


@dataclass(frozen=True)
class Workflow:
    """A named sequence of stages."""

    key: str
    title: str
    stages: tuple[Stage, ...]
    legal: LegalRules = LegalRules()
    duties: Duties = Duties()

    def stage(self, key: str) -> Stage:
        """The stage with this key."""
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(f"workflow {self.key!r} has no stage {key!r}")

    def next_stage(self, key: str) -> Stage | None:
        """The stage after this one, or None after the last."""
        keys = [s.key for s in self.stages]
        index = keys.index(key)
        return self.stages[index + 1] if index + 1 < len(self.stages) else None


def parse_duration(text: str) -> Duration | None:
    """Read "7d", "48h", "30m", "90s" or "none"."""
    if text == "none":
        return None
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"bad duration {text!r}: use a number and mo, d, h, m or s (\"1mo\", \"7d\", \"48h\") "
                         "or \"none\"")
    return Duration(int(match.group(1)), _UNITS[match.group(2)])


def _stage(raw: dict[str, Any], where: str, problems: list[str]) -> Stage:
    key = raw.get("key")
    label = f"{where}: stage {key!r}" if key else f"{where}: a stage"
    for unknown in sorted(set(raw) - STAGE_KEYS):
        problems.append(f"{label}: unknown setting {unknown!r}")
    if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z_]*", key or ""):
        problems.append(f"{label}: 'key' must be a lower-case name")
    try:
        duration = parse_duration(str(raw.get("duration", "none")))
    except ValueError as error:
        problems.append(f"{label}: {error}")
        duration = None
    on_deadline = raw.get("on_deadline")
    if on_deadline not in ON_DEADLINE:
        problems.append(f"{label}: 'on_deadline' must be one of {', '.join(sorted(ON_DEADLINE))}")
    if duration is not None and duration.unit == "months":
        problems.append(f"{label}: months ('mo') are for legal clocks; give a stage's duration in days")
    if duration is not None and on_deadline not in {"advance", "hold"}:
        problems.append(f"{label}: a stage with a duration must say what happens at its deadline (advance or hold)")
    opened: dict[str, frozenset[str]] = {}
    for action, who in (raw.get("open") or {}).items():
        if action not in ACTIONS:
            problems.append(f"{label}: unknown action {action!r}")
            continue
        who = [who] if isinstance(who, str) else who
        wrong = [w for w in who if w not in CONSTITUENCIES | {EVERYONE}]
        if wrong:
            problems.append(f"{label}: unknown constituency {', '.join(map(repr, wrong))} for {action!r}")
        opened[action] = frozenset(CONSTITUENCIES if EVERYONE in who else who)
    gates = tuple(raw.get("gates", ()))
    for gate in gates:
        if gate not in GATES:
            problems.append(f"{label}: unknown gate {gate!r}")
    reminders: list[timedelta] = []
    for text in raw.get("reminders", ()):
        try:
            reminder = parse_duration(str(text))
        except ValueError as error:
            problems.append(f"{label}: reminder: {error}")
            continue
        if reminder is None or duration is None or reminder.delta >= duration.delta:
            problems.append(f"{label}: reminder {text!r} does not fall within the stage")
        else:
            reminders.append(reminder.delta)
    title = raw.get("title") or (key or "").replace("_", " ").capitalize()
    clock = parse_clock(raw["clock"], label, problems, parse_duration) if "clock" in raw else None
    return Stage(str(key), str(title), duration, opened, gates, str(on_deadline),
                 tuple(sorted(reminders, reverse=True)), clock)


def parse_workflow(data: dict[str, Any], where: str) -> tuple[Workflow | None, list[str]]:
    """Build a workflow from parsed TOML, with every problem found (not just the first)."""
    problems: list[str] = []
    for unknown in sorted(set(data) - {"key", "title", "stages"} - WORKFLOW_SECTIONS - DUTY_SECTIONS):
        problems.append(f"{where}: unknown setting {unknown!r}")
    stages = [_stage(raw, where, problems) for raw in data.get("stages", []) if isinstance(raw, dict)]
    if not stages:
        problems.append(f"{where}: no stages")
    keys = [s.key for s in stages]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"{where}: stage {key!r}: defined twice")
    if stages and not stages[-1].is_terminal:
        problems.append(f"{where}: stage {stages[-1].key!r}: the last stage must be terminal (on_deadline = \"none\")")
    for stage in stages[:-1]:
        if stage.is_terminal:
            problems.append(f"{where}: stage {stage.key!r}: only the last stage may be terminal")
    legal = parse_legal(data, where, keys, problems, CONSTITUENCIES)
    check_consistency(stages, legal, where, problems)
    check_consent_gates(stages, legal, where, problems)
    duties = parse_duties(data, where, stages, problems, parse_duration)
    if problems:
        return None, problems
    return Workflow(str(data.get("key") or Path(where).stem), str(data.get("title", "")), tuple(stages), legal,
                    duties), []


def load_workflow(path: str | Path) -> Workflow:
    """Load and validate one workflow file; a broken file raises WorkflowError naming what is wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise WorkflowError(f"{path}: {error}") from error
    workflow, problems = parse_workflow(data, str(path))
    if problems:
        raise WorkflowError("\n".join(problems))
    return cast(Workflow, workflow)  # parse_workflow gives a workflow exactly when it found no problem


def check_workflows(directory: str | Path) -> list[str]:
    """Every problem of every workflow file in a folder."""
    problems: list[str] = []
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            load_workflow(path)
        except WorkflowError as error:
            problems.extend(str(error).splitlines())
    return problems


def load_workflows(directory: str | Path) -> dict[str, Workflow]:
    """Every workflow in a folder by key; refuses to start with a broken one."""
    workflows = {}
    for path in sorted(Path(directory).glob("*.toml")):
        workflow = load_workflow(path)
        workflows[workflow.key] = workflow
    if not workflows:
        raise WorkflowError(f"{directory}: no workflow files (*.toml)")
    return workflows
