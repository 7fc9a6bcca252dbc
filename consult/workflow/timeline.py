"""Planning a round's deadlines, shifting them, and finding what is due: pure date arithmetic.

Day-based durations are calendar days in the round's time zone: a deadline that crosses a
daylight-saving change lands on its planned local wall time. Hour, minute and second durations are exact.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from consult.workflow.definitions import Duration, Workflow


@dataclass(frozen=True)
class PlannedStage:
    """A stage of a round's timeline: when it starts and its deadline (None: no deadline)."""

    key: str
    starts_at: datetime
    deadline_at: datetime | None


def add_duration(start: datetime, duration: Duration | timedelta, time_zone: str) -> datetime:
    """`start` plus a duration; whole days and months keep the local wall time in `time_zone`.

    A month is a calendar month: from 31 January, one month ends on the last day of February (the usual
    reading of "un mois" in the Code du travail; a lawyer should confirm it for a given case).
    """
    if isinstance(duration, Duration) and duration.unit == "months":
        zone = ZoneInfo(time_zone)
        local = start.astimezone(zone).replace(tzinfo=None)
        months = local.month - 1 + duration.amount
        year, month = local.year + months // 12, months % 12 + 1
        day = min(local.day, calendar.monthrange(year, month)[1])
        return local.replace(year=year, month=month, day=day).replace(tzinfo=zone).astimezone(UTC)
    if isinstance(duration, Duration) and duration.unit == "days":
        zone = ZoneInfo(time_zone)
        local = start.astimezone(zone).replace(tzinfo=None) + timedelta(days=duration.amount)
        return local.replace(tzinfo=zone).astimezone(UTC)
    delta = duration.delta if isinstance(duration, Duration) else duration
    return (start + delta).astimezone(UTC)


def plan_timeline(workflow: Workflow, starts_at: datetime, time_zone: str, from_stage: str,
                  durations: dict[str, timedelta] | None = None) -> list[PlannedStage]:
    """The deadlines of every stage from `from_stage` on, chained from `starts_at`; `durations` overrides."""
    durations = durations or {}
    keys = [s.key for s in workflow.stages]
    planned: list[PlannedStage] = []
    start = starts_at.astimezone(UTC)
    for stage in workflow.stages[keys.index(from_stage):]:
        length = durations.get(stage.key, stage.duration)
        deadline = add_duration(start, length, time_zone) if length is not None and not stage.is_terminal else None
        planned.append(PlannedStage(stage.key, start, deadline))
        if deadline is None:
            break
        start = deadline
    return planned


def shift_from(timeline: list[PlannedStage], stage_key: str, by: timedelta) -> list[PlannedStage]:
    """Move a stage's deadline, and every later start and deadline, by the same amount (an extension or a pause)."""
    shifted, moving = [], False
    for planned in timeline:
        if planned.key == stage_key:
            moving = True
            deadline = planned.deadline_at + by if planned.deadline_at else None
            shifted.append(replace(planned, deadline_at=deadline))
        elif moving:
            shifted.append(PlannedStage(planned.key, planned.starts_at + by,
                                        planned.deadline_at + by if planned.deadline_at else None))
        else:
            shifted.append(planned)
    return shifted


def due_stages(workflow: Workflow, timeline: list[PlannedStage], current: str, now: datetime) -> list[PlannedStage]:
    """The stages to enter, in order, to catch up: each entered at the planned deadline of the one before.

    It stops at a stage whose deadline has not passed, at one that holds or waits for a person, and at
    the end.
    """
    by_key = {p.key: p for p in timeline}
    entered: list[PlannedStage] = []
    key = current
    while True:
        stage, planned = workflow.stage(key), by_key.get(key)
        if planned is None or planned.deadline_at is None or planned.deadline_at > now:
            return entered
        if stage.on_deadline != "advance":
            return entered
        following = workflow.next_stage(key)
        if following is None:
            return entered
        next_plan = by_key.get(following.key) or PlannedStage(following.key, planned.deadline_at, None)
        entered.append(replace(next_plan, starts_at=planned.deadline_at))
        key = following.key


def reminders_due(workflow: Workflow, planned: PlannedStage, since: datetime, until: datetime) -> list[timedelta]:
    """The reminders of a stage whose time falls in (since, until]."""
    if planned.deadline_at is None:
        return []
    return [offset for offset in workflow.stage(planned.key).reminders
            if since < planned.deadline_at - offset <= until]
