"""The round page's cards that change rarely (the timeline, participation, each section's plan and the frame of
each section's threads), rendered once per inputs and reused: most of the page's template work.

Each card is a template of its own (templates/_round_*.html) that reads nothing but the plain data it is given
and the page's language: no request, no viewer, no ORM object. Its cache key is the template's name, the
language and all of that data, so a card is never stale (a new event changes a tally, an extension changes a
deadline, hence the key) and never reaches another lens (a worker's participation counts include the workers'
caucus, which the employer's do not, so their keys differ). The only input that moves by itself, "now" on the
timeline, enters the key as the page writes it (a minute) and as its pixel position, so the card is reused
for as long as it would look the same.

A section's frame (its tabs, panels, links to older comments and its post form) holds the viewer's thread and
CSRF token only as markers, which `section_card` replaces on every page: the thread's comments come from
consult/comments/fragments.py, keyed by what each shows, and the token is never kept.

While templates reload (development), nothing is cached: a card must not outlive the template it came from.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import inspect

from consult.comments.fragments import TOKEN_MARK, FragmentCache, frozen
from consult.web.dates import local_date, local_datetime

#: Cards kept per application (a few KiB each: a round times its lenses and languages).
CARDS = 500
#: What the timeline card reads of each stage (the key holds these, not the whole presented stage).
STAGE_FIELDS = ("key", "title", "starts_at", "deadline_at", "entered_at", "is_current")
#: Where a kept section frame has its thread's comments: random per process, so no text can contain it.
ITEMS_MARK = f"thread-items-{secrets.token_hex(16)}"
#: Where a slotted card has each value of one page or person (`slotted_card`): random per process too.
MARKS = {"token": TOKEN_MARK, **{name: f"{name}-{secrets.token_hex(16)}" for name in ("who", "next", "body")}}


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


def index_card(round: Any, counts: dict[int, dict[str, int]], query: dict[str, Any], searching: bool,
               constituencies: list[str]) -> dict[str, Any]:
    """The section index's and search form's data: each section with the lens's counts (the viewer's "new"
    included), the search asked for and whether its results are shown."""
    return {"round_id": round.id, "results": searching, "constituencies": constituencies,
            "query": {name: query[name] for name in ("q", "topic", "constituency", "unanswered", "mine")},
            "sections": [{"key": section.key, "title": section.title,
                          "count": counts.get(section.id, {"comments": 0, "new": 0})} for section in round.sections]}


def post_form_card(round: Any, draft: dict[str, Any], query: dict[str, Any], open_to: dict[str, bool]
                   ) -> dict[str, Any]:
    """The form to post on any section's data: the sections, the one picked (a refused draft's, else the one asked
    for), where this viewer may post and whether the draft was for the caucus; never the draft's text."""
    return {"f": {"round_id": round.id, "picked": draft.get("section") or query["section"],
                  "sections": [{"key": section.key, "title": section.title} for section in round.sections],
                  "open_to": {"plenary": bool(open_to["plenary"]), "caucus": bool(open_to["caucus"])},
                  "caucus_chosen": draft.get("channel") == "caucus"}}


def section_cards(round: Any, view: Any, query: dict[str, Any], threads: dict, open_to: dict[str, bool],
                  plans: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Each section's frame data: its plan card's data, the thread shown (`thread`, the key of `threads`), its
    tabs and links, and the post form as open to this viewer; plain values only, the viewer's lens included."""
    channels = ("plenary", "caucus") if view.visible_caucuses else ("plenary",)
    post_url = url_for("pages.post_comment_form", round_id=round.id)
    found = {}
    for section in round.sections:
        asked = query["section"] == section.key
        chosen = query["channel"].value if asked and query["channel"].value in channels else "plenary"
        panels = []
        for channel in channels:
            tab_url = url_for("pages.round_page", round_id=round.id, section=section.key, channel=channel,
                              _anchor=f"section-{section.key}")
            thread = threads.get((section.id, channel))
            panel = {"channel": channel, "tab_url": tab_url, "loaded": thread is not None}
            if thread is not None:
                older_url = url_for("pages.round_page", round_id=round.id, section=section.key, channel=channel,
                                    before=thread.oldest_id, _anchor=f"section-{section.key}") \
                    if asked and thread.older else tab_url
                panel.update(before=bool(thread.before), older=thread.older, older_url=older_url,
                             empty=not thread.comments)
            panels.append(panel)
        found[section.id] = {
            "key": section.key, "title": section.title, "plan": plans[section.id], "chosen": chosen,
            "thread": (section.id, chosen), "panels": panels, "is_secretariat": bool(view.is_secretariat),
            "open_to": {"plenary": bool(open_to["plenary"]), "caucus": bool(open_to["caucus"])},
            "post_url": post_url}
    return found


def section_card(data: dict[str, Any], token: str, items: Markup | str) -> Markup:
    """A section of the round page: its kept frame with this viewer's thread `items` and CSRF `token` put in."""
    frame = round_card("_round_section.html", {"s": data, "items_mark": ITEMS_MARK, "token_mark": TOKEN_MARK})
    # Markup.replace escapes what is not Markup: the token, never the thread (HTML the macro rendered).
    return frame.replace(TOKEN_MARK, token).replace(ITEMS_MARK, items)


def slotted_card(template: str, data: dict[str, Any], **slots: str) -> Markup:
    """The card `template` from `data`, with this page's `slots` (a CSRF token, a person's name, a draft, named as
    in MARKS) put where the card writes `marks.<name>`: they are never kept, nor part of the key."""
    html = round_card(template, {**data, "marks": MARKS})
    for name, value in slots.items():
        html = html.replace(MARKS[name], value)  # Markup.replace escapes the value, as the template would have
    return html


def init_app(app: Flask) -> None:
    """Give the application its cache of cards and the templates `round_card`."""
    app.extensions["consult.round_cards"] = FragmentCache(CARDS)
    app.jinja_env.globals["round_card"] = round_card
    app.jinja_env.globals["section_card"] = section_card
    app.jinja_env.globals["slotted_card"] = slotted_card
