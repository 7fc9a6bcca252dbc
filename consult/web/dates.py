"""Dates on pages: in the round's time zone and the page's language, through Flask-Babel.

    {{ stage.deadline_at | local_datetime(round.time_zone) }}  ->  "23 nov. 2026, 14:05" (fr), "Nov 23, 2026, 2:05 PM"
    {{ commitment.due_on | local_date }}                       ->  "31 déc. 2027" (fr), "Dec 31, 2027" (en)

Both take a datetime (stored in UTC; a naive one is read as UTC), a date, or the ISO text of either (open-data
summaries keep ISO text), and show nothing for None; `zone` is a time zone's name or a ZoneInfo. `format` is
"default" (medium date, short time), a Babel width ("short", "medium", "long", "full") or a Babel pattern.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale


def _moment(value: datetime | date | str) -> datetime | date:
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    return value


def _zone(name: str | ZoneInfo | None) -> ZoneInfo:
    if isinstance(name, ZoneInfo):
        return name
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _default_pattern(locale: Locale) -> str:
    """The locale's own way of joining a medium date and a short time (seconds would only be noise)."""
    joined = str(locale.datetime_formats["medium"])
    return joined.replace("{1}", locale.date_formats["medium"].pattern).replace(
        "{0}", locale.time_formats["short"].pattern)


def local_datetime(value: datetime | date | str | None, zone: str | ZoneInfo | None = None,
                   format: str = "default") -> str:
    """A moment in `zone` (the round's time zone; UTC if none), written in the page's language."""
    if value is None or value == "":
        return ""
    moment = _moment(value)
    if not isinstance(moment, datetime):
        return local_date(moment, format="medium" if format == "default" else format)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    pattern = _default_pattern(get_locale()) if format == "default" else format
    # Already in the round's zone, so Flask-Babel must not move it to the app's default zone.
    return format_datetime(moment.astimezone(_zone(zone)), pattern, rebase=False)


def local_date(value: datetime | date | str | None, zone: str | ZoneInfo | None = None,
               format: str = "medium") -> str:
    """A day in the page's language (a datetime is first moved to `zone`, so the day is the round's day)."""
    if value is None or value == "":
        return ""
    moment = _moment(value)
    if isinstance(moment, datetime):
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(_zone(zone)).date()
    return format_date(moment, format, rebase=False)


def decimal(value: float | int | None) -> str:
    """A number in the page's language ("12.5" in English, "12,5" in French), at most two decimals."""
    if value is None:
        return ""
    return format_decimal(round(value, 2))


def register_date_filters(app: Flask) -> None:
    """Make `local_datetime`, `local_date` and `decimal` available to every template."""
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["decimal"] = decimal
