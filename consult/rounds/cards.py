"""The round page's cards that change rarely (the timeline, participation, each section's plan), rendered once
per inputs and reused: a fifth of the page's template work.

Each card is a template of its own (templates/_round_*.html) that reads nothing but the plain data it is given
and the page's language: no request, no viewer, no ORM object. Its cache key is the template's name, the
language and all of that data, so a card is never stale (a new event changes a tally, an extension changes a
deadline, hence the key) and never reaches another lens (a worker's participation counts include the workers'
caucus, which the employer's do not, so their keys differ). The only input that moves by itself, "now" on the
timeline, enters the key as the page writes it (a minute) and as its pixel position, so the card is reused
for as long as it would look the same.

While templates reload (development), nothing is cached: a card must not outlive the template it came from.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import inspect

from consult.comments.fragments import FragmentCache, frozen
from consult.web.dates import local_date, local_datetime

#: Cards kept per application (a few KiB each: a round times its lenses and languages).
CARDS = 500
#: What the timeline card reads of each stage (the key holds these, not the whole presented stage).
STAGE_FIELDS = ("key", "title", "starts_at", "deadline_at", "entered_at", "is_current")


def round_card(template: str, data: dict[str, Any]) -> Markup:
    """The card `template` rendered from `data` (plain values only), from the cache when it has it."""
    environment = current_app.jinja_env
    cache: FragmentCache | None = None if environment.auto_reload \
        else current_app.extensions.get("consult.round_cards")
    key = (template, str(get_locale()), frozen(data)) if cache is not None else None
    html = cache.get(key) if cache is not None else None
    if html is None:
        # An .html template escapes what it writes (Flask's autoescape), so its output is already safe HTML.
        html = Markup(environment.get_template(template).render(data))  # noqa: S704
        if cache is not None:
            cache.put(key, html)
    return html


def timeline_card(timeline: dict[str, Any], chart: dict[str, Any], zone: str) -> dict[str, Any]:
    """The timeline card's data: "now" and the axis's dates as the page writes them, not to the microsecond."""
    shown = {key: value for key, value in chart.items() if key != "now"}
    shown["now_label"] = local_datetime(chart["now"], zone)
    shown["ticks"] = [{"x": tick["x"], "label": local_date(tick["at"], zone, "d MMM")} for tick in chart["ticks"]]
    stages = [{key: stage[key] for key in STAGE_FIELDS} for stage in timeline["stages"]]
    return {"status": timeline["status"], "status_reason": timeline["status_reason"], "stages": stages,
            "current": next((s for s in stages if s["is_current"]), None), "chart": shown, "zone": zone}


def participation_card(taking_part: dict[str, Any], chart: dict[str, Any]) -> dict[str, Any]:
    """The participation card's data: the lens's tally, never the viewer's own "new since" counts."""
    return {"stages": taking_part["stages"], "constituencies": taking_part["constituencies"], "chart": chart}


def plan_card(plan: Any, section: Any) -> dict[str, Any]:
    """A section's plan card's data: the section's statement, and for "the system" the plan's columns."""
    columns = {c.key: getattr(plan, c.key) for c in inspect(plan).mapper.column_attrs} \
        if section.key == "system" else None
    return {"key": section.key, "impact_statement": section.impact_statement, "plan": columns}


def init_app(app: Flask) -> None:
    """Give the application its cache of cards and the templates `round_card`."""
    app.extensions["consult.round_cards"] = FragmentCache(CARDS)
    app.jinja_env.globals["round_card"] = round_card
