"""Geometry of the round page's two pictures (the timeline and participation), as plain numbers for SVG.

The templates draw what these functions lay out; colours come from CSS classes, never inline styles; dates are
written by the templates' `local_datetime` and `local_date` filters (consult/web/dates.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

#: The timeline's drawing: total width, the label column, one row per stage.
WIDTH, LEFT, RIGHT, ROW, TOP = 720, 150, 16, 28, 12
#: The participation chart: bar width, gap between groups, plot height.
BAR, GAP, PLOT, BASE = 12, 24, 150, 170


def timeline_chart(timeline: dict[str, Any], created_at: datetime, now: datetime) -> dict[str, Any]:
    """Every stage as a bar from its planned start to its deadline, entered dates, the current stage, now."""
    stages = timeline["stages"]
    starts = [s["starts_at"] for s in stages]
    known = [t for s in stages for t in (s["starts_at"], s["deadline_at"], s["entered_at"]) if t]
    begin = min([created_at, *known])
    end = max([now, *known])
    if end - begin < timedelta(days=1):
        end = begin + timedelta(days=1)
    span = (end - begin).total_seconds()
    plot = WIDTH - LEFT - RIGHT

    def x(moment: datetime) -> float:
        return round(LEFT + (moment - begin).total_seconds() / span * plot, 1)

    rows = []
    current_index = next((i for i, s in enumerate(stages) if s["is_current"]), -1)
    for index, stage in enumerate(stages):
        later = next((t for t in starts[index + 1:] if t), None)
        start = stage["starts_at"] or (created_at if index == 0 else None)
        finish = stage["deadline_at"] or (later if index == 0 else None)
        if index == 0 and finish is None:
            finish = now
        state = "current" if index == current_index else ("done" if index < current_index else "future")
        if state == "done":
            # A past stage is drawn as it happened: from its entry to the next stage's, so an early advance or
            # an extension never leaves its bar reaching past the moment the next one began.
            ended = next((s["entered_at"] for s in stages[index + 1:] if s["entered_at"]), None)
            start = stage["entered_at"] or start
            finish = ended or finish
        row = {"key": stage["key"], "title": stage["title"], "y": TOP + index * ROW, "state": state,
               "starts_at": start, "deadline_at": stage["deadline_at"], "entered_at": stage["entered_at"],
               "open_ended": start is not None and finish is None, "planned": start is not None}
        if start is not None:
            left = x(start)
            row["x"], row["width"] = left, max(round((x(finish) if finish else WIDTH - RIGHT) - left, 1), 6)
        if stage["entered_at"]:
            row["entered_x"] = x(stage["entered_at"])
        rows.append(row)
    height = TOP + len(stages) * ROW + 34
    ticks = [begin + (end - begin) * i / 4 for i in range(5)]
    return {"width": WIDTH, "height": height, "left": LEFT, "axis_y": TOP + len(stages) * ROW + 4,
            "rows": rows, "now_x": x(now), "now": now, "bar_height": ROW - 10,
            "ticks": [{"x": x(t), "at": t} for t in ticks]}


def participation_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Grouped bars: for each stage, each constituency's comments and stances side by side."""
    constituencies = data["constituencies"]
    top = max([n for s in data["stages"] for by in s["counts"].values() for n in by.values()] or [1]) or 1
    group = max(max(len(constituencies), 1) * 2 * BAR + GAP, 110)  # room for the stage's name below
    groups = []
    for index, stage in enumerate(data["stages"]):
        left = 40 + index * group
        bars = []
        for position, constituency in enumerate(constituencies):
            cell = stage["counts"].get(constituency, {"comments": 0, "stances": 0})
            for offset, kind in enumerate(("comments", "stances")):
                height = round(PLOT * cell[kind] / top, 1)
                bars.append({"x": left + (position * 2 + offset) * BAR, "y": round(BASE - height, 1), "width": BAR - 1,
                             "height": height, "kind": kind, "constituency": constituency, "count": cell[kind]})
        width = len(constituencies) * 2 * BAR
        groups.append({"key": stage["key"], "title": stage["title"], "x": left, "label_x": left + width / 2,
                       "bars": bars})
    width = max(40 + len(groups) * group + 20, 320)
    return {"width": width, "height": BASE + 40, "base": BASE, "top": top, "groups": groups,
            "scale_y": BASE - PLOT}
