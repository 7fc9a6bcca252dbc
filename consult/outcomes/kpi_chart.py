"""Geometry of a commitment's KPI over time, as plain numbers for the SVG its page draws.

A KPI's value is free text ("2 audits", "35 %", "12,5"); the chart plots the first number in it and leaves
out reports with none (the table beside the chart lists every report as written). The target is drawn as a
dashed line when it holds a number too.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

#: The drawing: total width and height, the plot's margins (left for the scale, bottom for the dates).
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 240, 56, 16, 16, 40
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


def number_in(value: str | None) -> float | None:
    """The first number written in a KPI value or target (a decimal comma is read as a point), or None."""
    found = _NUMBER.search(value or "")
    return float(found.group().replace(",", ".")) if found else None


def kpi_chart(reports: list[tuple[datetime, str]], target: str | None) -> dict[str, Any] | None:
    """Points (oldest first) and the target line of a KPI, scaled into the drawing; None with nothing to plot."""
    points = [(at, number) for at, value in reports if (number := number_in(value)) is not None]
    if not points:
        return None
    goal = number_in(target)
    values = [n for _, n in points] + ([goal] if goal is not None else [])
    low, high = min(0.0, *values), max(values)
    if high == low:
        high = low + 1
    first, last = points[0][0], points[-1][0]
    span = max((last - first).total_seconds(), 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(number: float) -> float:
        return round(TOP + plot_h - (number - low) / (high - low) * plot_h, 1)

    def x(at: datetime) -> float:
        if len(points) == 1:
            return LEFT + plot_w / 2
        return round(LEFT + (at - first).total_seconds() / span * plot_w, 1)

    plotted = [{"x": x(at), "y": y(n), "at": at, "value": n} for at, n in points]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "base": TOP + plot_h,
            "points": plotted, "path": " ".join(f"{p['x']},{p['y']}" for p in plotted),
            "target_y": y(goal) if goal is not None else None, "target": goal,
            "scale": [{"y": y(v), "value": v} for v in (low, (low + high) / 2, high)]}
