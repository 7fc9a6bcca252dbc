"""Dates on pages: in the round's time zone and the page's language, through Flask-Babel.

    {{ stage.deadline_at | local_datetime(round.time_zone) }}  ->  "23 nov. 2026, 14:05" (fr), "Nov 23, 2026, 2:05 PM"
    {{ commitment.due_on | local_date }}                       ->  "31 déc. 2027" (fr), "Dec 31, 2027" (en)
    {{ row.due_day | end_of_day(row.time_zone) }}              ->  "Wednesday 6 January 2027, end of the day,
                                                                   Paris time": a legal deadline (CPC art. 642)

Both take a datetime (stored in UTC; a naive one is read as UTC), a date, or the ISO text of either (open-data
summaries keep ISO text), and show nothing for None; `zone` is a time zone's name or a ZoneInfo. `format` is
"default" (medium date, short time), a Babel width ("short", "medium", "long", "full") or a Babel pattern.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from flask import Flask, g, has_request_context
from flask_babel import format_date, format_decimal, get_locale, gettext


def _moment(value: datetime | date | str) -> datetime | date:
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    return value


def _zone(name: str | ZoneInfo | None) -> ZoneInfo:
    if isinstance(name, ZoneInfo):
        return name
    return _named_zone(name or "UTC")


@lru_cache(maxsize=64)
def _named_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@lru_cache(maxsize=32)
def _default_pattern(locale: Locale) -> str:
    """The locale's own way of joining a medium date and a short time (seconds would only be noise).

    Remembered per locale: it is the locale's data, the same for every reader of that language."""
    joined = str(locale.datetime_formats["medium"])
    return joined.replace("{1}", locale.date_formats["medium"].pattern).replace(
        "{0}", locale.time_formats["short"].pattern)


def local_datetime(value: datetime | date | str | None, zone: str | ZoneInfo | None = None,
                   format: str = "default") -> str:
    """A moment in `zone` (the round's time zone; UTC if none), written in the page's language.

    Remembered for the length of a request (a round page writes the same deadlines several times)."""
    if value is None or value == "":
        return ""
    if not has_request_context():
        return _local_datetime(value, zone, format, get_locale())
    locale = get_locale()
    memo = g.setdefault("_local_datetimes", {})
    key = (value, str(zone), format, str(locale))  # a mail written in another language mid-request differs
    if key not in memo:
        memo[key] = _local_datetime(value, zone, format, locale)
    return memo[key]


def _local_datetime(value: datetime | date | str, zone: str | ZoneInfo | None, format: str,
                    locale: Locale | None) -> str:
    moment = _moment(value)
    if not isinstance(moment, datetime):
        return local_date(moment, format="medium" if format == "default" else format)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    locale = locale or Locale.parse("en")
    pattern = _default_pattern(locale) if format == "default" else format
    # Already in the round's zone: written there, never moved to the app's default zone.
    return babel_format_datetime(moment.astimezone(_zone(zone)), pattern, locale=locale)


def local_date(value: datetime | date | str | None, zone: str | ZoneInfo | None = None,
               format: str = "medium") -> str:
    """A day in the page's language (a datetime is first moved to `zone`, so the day is the round's day)."""
    if value is None or value == "":
        return ""
    moment = _moment(value)
    if isinstance(moment, datetime):
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(_zone(zone)).date()
    return format_date(moment, format, rebase=False)


def city_of(time_zone: str) -> str:
    """The city a legal time is named after ("Europe/Paris" -> "Paris")."""
    return time_zone.rsplit("/", 1)[-1].replace("_", " ")


def end_of_day(day: date | str | None, time_zone: str) -> str:
    """A legal deadline said the law's way (a délai expires on its last day at 24:00, CPC art. 642), in the page's
    language: "Wednesday 6 January 2027, end of the day, Paris time". The one formatter of legal dates."""
    moment = _day(day)
    if moment is None:
        return ""
    return gettext("%(day)s, end of the day, %(city)s time", day=format_date(moment, "EEEE d MMMM y", rebase=False),
                   city=city_of(time_zone))


def legal_day(day: date | str | None) -> str:
    """A date a law applies from, said as `end_of_day` says its days ("2 August 2026", "2 août 2026")."""
    moment = _day(day)
    return "" if moment is None else format_date(moment, "d MMMM y", rebase=False)


def _day(value: date | str | None) -> date | None:
    """The calendar day a legal date names (a datetime's own day, as recorded), or None for none."""
    if value is None or value == "":
        return None
    moment = _moment(value)
    return moment.date() if isinstance(moment, datetime) else moment


def decimal(value: float | int | None) -> str:
    """A number in the page's language ("12.5" in English, "12,5" in French), at most two decimals."""
    if value is None:
        return ""
    return format_decimal(round(value, 2))


def register_date_filters(app: Flask) -> None:
    """Make `local_datetime`, `local_date`, `end_of_day` and `decimal` available to every template."""
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["decimal"] = decimal
    app.jinja_env.filters["end_of_day"] = end_of_day
    app.jinja_env.filters["legal_day"] = legal_day
